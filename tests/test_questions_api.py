"""The question batch API and pages: checks on the uploaded file, ownership, status, exports."""

import csv
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.models import AuditEvent, QuestionBatch, QuestionItem
from app.services import quota
from tests.factories import make_token, make_user
from tests.question_corpus import build_corpus, build_other_corpus


def csv_bytes(rows, header=("question", "chat_id")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def post_file(api, data: bytes, filename="questions.csv", path="/api/v1/question-batches", **form):
    return api.post(
        path,
        data={"file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


def nothing_stored(db, redis_conn) -> bool:
    return (
        db.session.scalar(sa.select(sa.func.count(QuestionBatch.id))) == 0
        and db.session.scalar(sa.select(sa.func.count(QuestionItem.id))) == 0
        and not [k for k in redis_conn.keys("rq:job:*")]
    )


@pytest.fixture
def corpus(db, user):
    return build_corpus(user)


# --- bad files ------------------------------------------------------------------------------------

BAD_FILES = [
    (
        "empty question",
        csv_bytes([["What is the total of invoice 42?", "a"], ["  ", "a"], ["Ok?", ""]]),
        [{"row": 3, "reason": "The question is empty."}],
    ),
    (
        "duplicate header",
        b"question,chat_id,Question\nWhat?,a,x\n",
        [{"row": 1, "reason": "appears more than once"}],
    ),
    (
        "non-UTF-8",
        "question\nWhat is the total?\nQuelle est la date d'échéance?\n".encode("latin-1"),
        [{"row": 3, "reason": "not UTF-8"}],
    ),
    (
        "formula cell",
        csv_bytes([["What is the total?", "a"], ['=HYPERLINK("http://evil")', "b"]]),
        [{"row": 3, "reason": "formula"}],
    ),
    (
        "formula in another column",
        csv_bytes(
            [["What is the total?", "a", "@SUM(A1)"]], header=("question", "chat_id", "note")
        ),
        [{"row": 2, "reason": "formula"}],
    ),
    (
        "no question column",
        csv_bytes([["What is the total?", "a"]], header=("text", "chat_id")),
        [{"row": 1, "reason": "no 'question' column"}],
    ),
    (
        "value outside the header",
        b"question\nWhat is the total?,surprise\n",
        [{"row": 2, "reason": "outside the named columns"}],
    ),
    ("header only", b"question,chat_id\n", [{"row": 2, "reason": "no questions"}]),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_files_are_rejected_naming_their_rows_and_nothing_is_stored(
    api, corpus, db, redis_conn, user, data, expected
):
    resp = post_file(api, data)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_file"
    rows = error["details"]["rows"]
    for want in expected:
        assert any(
            r["row"] == want["row"] and want["reason"].lower() in r["reason"].lower() for r in rows
        ), rows
    assert f"row {expected[0]['row']}" in error["message"]
    assert nothing_stored(db, redis_conn)
    assert quota.pages_used(user) == 0


def test_unknown_and_foreign_documents_are_rejected_by_row(api, corpus, db, redis_conn):
    other = make_user("other@example.com", plan="growth")
    foreign = build_other_corpus(other)["invoice42"]
    data = csv_bytes(
        [
            ["What is the total?", "invoice-42.pdf"],
            ["What is the total?", "no-such-file.pdf"],
            ["What is the total?", str(foreign.id)],
            ["What is the total?", str(corpus["invoice77"].id)],
        ],
        header=("question", "document"),
    )
    resp = post_file(api, data)
    assert resp.status_code == 400
    rows = resp.get_json()["error"]["details"]["rows"]
    assert [r["row"] for r in rows] == [3, 4]
    assert "no-such-file.pdf" in rows[0]["reason"]
    assert "not one of your documents" in rows[1]["reason"]
    assert nothing_stored(db, redis_conn)


def test_more_rows_than_the_plan_allows_are_rejected(client, db, redis_conn):
    plus = make_user("plus@example.com", plan="plus")
    token = make_token(plus)
    rows = [[f"Question {n}?", ""] for n in range(501)]
    resp = client.post(
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(csv_bytes(rows)), "many.csv")},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    rows = resp.get_json()["error"]["details"]["rows"]
    assert rows == [{"row": 502, "reason": rows[0]["reason"]}]
    assert "500" in rows[0]["reason"]
    assert nothing_stored(db, redis_conn)


def test_the_starter_plan_needs_an_upgrade(client, db, redis_conn):
    starter = make_user("starter@example.com", plan="starter")
    token = make_token(starter)
    for path in ("/api/v1/question-batches", "/api/v1/question-batches/preview"):
        resp = client.post(
            path,
            data={"file": (io.BytesIO(csv_bytes([["What?", ""]])), "q.csv")},
            headers={"Authorization": f"Bearer {token}"},
            content_type="multipart/form-data",
        )
        assert resp.status_code == 403
        assert resp.get_json()["error"]["code"] == "upgrade_required"
    assert nothing_stored(db, redis_conn)


def test_missing_file_bad_scope_and_quota(api, corpus, db, redis_conn, user):
    resp = api.post("/api/v1/question-batches", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "no_files"
    other = make_user("other@example.com", plan="growth")
    from tests.factories import make_batch

    foreign_batch = make_batch(other)
    resp = post_file(api, csv_bytes([["What?", ""]]), scope=str(foreign_batch.id))
    assert resp.status_code == 400 and resp.get_json()["error"]["details"]["field"] == "scope"
    resp = post_file(api, csv_bytes([["What?", ""]]), scope="everything")
    assert resp.status_code == 400
    # Each question uses a page: 2 questions with 1 page left is refused up front.
    limit = quota.summary(user)["pages_limit"]
    quota.reserve(user, limit - 1)
    db.session.commit()
    resp = post_file(api, csv_bytes([["What?", ""], ["Why?", ""]]))
    assert resp.status_code == 402 and resp.get_json()["error"]["code"] == "quota_exceeded"
    assert nothing_stored(db, redis_conn)


def test_xlsx_files_are_read_and_their_formulas_rejected(api, corpus, db, redis_conn):
    good = xlsx_bytes(
        [["Question", "Chat ID", "Owner"], ["What is the total of invoice 42?", 7, "Ann"]]
    )
    resp = post_file(api, good, filename="questions.xlsx")
    assert resp.status_code == 202, resp.get_json()
    item = resp.get_json()["items"][0]
    assert item["chat_id"] == "7" and item["question"] == "What is the total of invoice 42?"
    assert resp.get_json()["columns"] == ["Question", "Chat ID", "Owner"]
    bad = xlsx_bytes([["question"], ["What?"], ["=1+2"]])
    resp = post_file(api, bad, filename="bad.xlsx")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["details"]["rows"][0]["row"] == 3


# --- preview --------------------------------------------------------------------------------------


def test_preview_shows_the_first_rows_and_problems_without_storing(api, corpus, db, redis_conn):
    rows = [[f"Question {n}?", "c" if n % 2 else ""] for n in range(15)]
    resp = post_file(api, csv_bytes(rows), path="/api/v1/question-batches/preview")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["valid"] is True
    assert body["row_count"] == 15 and body["thread_count"] == 9
    assert len(body["rows"]) == 10 and body["rows"][0] == {
        "row": 2,
        "chat_id": None,
        "question": "Question 0?",
        "document": None,
    }
    bad = post_file(
        api, csv_bytes([["", "c"], ["=cmd", ""]]), path="/api/v1/question-batches/preview"
    ).get_json()
    assert bad["valid"] is False
    assert [p["row"] for p in bad["problems"]] == [2, 3]
    assert nothing_stored(db, redis_conn)


# --- reads, ownership -----------------------------------------------------------------------------


def test_status_json_list_and_etag(api, corpus, worker):
    resp = post_file(api, csv_bytes([["What is the total of invoice 42?", "a"]]), name="March")
    batch_id = resp.get_json()["id"]
    first = api.get(f"/api/v1/question-batches/{batch_id}")
    assert first.status_code == 200
    body = first.get_json()
    assert body["name"] == "March" and body["scope"] == "all"
    for key in (
        "item_count",
        "completed_count",
        "failed_count",
        "cancelled_count",
        "progress",
        "created_at",
        "updated_at",
        "completed_at",
    ):
        assert key in body
    assert set(body["items"][0]) >= {
        "id",
        "row",
        "chat_id",
        "question",
        "document",
        "status",
        "answer",
        "sources",
        "error",
    }
    etag = first.headers["ETag"]
    same = api.get(f"/api/v1/question-batches/{batch_id}", headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert worker()
    changed = api.get(f"/api/v1/question-batches/{batch_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    listing = api.get("/api/v1/question-batches").get_json()
    assert listing["total"] == 1 and listing["question_batches"][0]["id"] == batch_id
    assert "items" not in listing["question_batches"][0]
    assert api.get("/api/v1/question-batches?status=bogus").status_code == 400


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", "/cancel"),
        ("post", "/retry"),
        ("delete", ""),
        ("get", "/export?format=csv"),
    ],
)
def test_another_users_batch_answers_404_like_an_unknown_id(client, db, method, suffix):
    owner = make_user("a@example.com", plan="growth")
    build_corpus(owner)
    token_a = make_token(owner)
    resp = client.post(
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(csv_bytes([["What?", ""]])), "q.csv")},
        headers={"Authorization": f"Bearer {token_a}"},
        content_type="multipart/form-data",
    )
    batch_id = resp.get_json()["id"]
    intruder = make_token(make_user("b@example.com", plan="growth"))
    headers = {"Authorization": f"Bearer {intruder}"}
    theirs = getattr(client, method)(
        f"/api/v1/question-batches/{batch_id}{suffix}", headers=headers
    )
    unknown = getattr(client, method)(
        f"/api/v1/question-batches/00000000-0000-0000-0000-000000000000{suffix}", headers=headers
    )
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.get_json() == unknown.get_json()
    assert db.session.get(QuestionBatch, batch_id) is not None


# --- exports --------------------------------------------------------------------------------------


def test_exports_keep_the_uploaded_columns_and_add_the_answers(api, corpus, worker, db):
    data = csv_bytes(
        [
            ["A-1", "What is the total of invoice 42?", "inv", "check"],
            ["A-2", "and its date?", "inv", ""],
            ["A-3", "What is the capital of France?", "", "trivia"],
        ],
        header=("ref", "question", "chat_id", "Status"),
    )
    batch_id = post_file(api, data).get_json()["id"]
    assert worker()

    resp = api.get(f"/api/v1/question-batches/{batch_id}/export?format=csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert table[0] == [
        "ref",
        "question",
        "chat_id",
        "Status",
        "answer",
        "sources",
        "status_2",
        "error",
    ]
    assert table[1][:4] == ["A-1", "What is the total of invoice 42?", "inv", "check"]
    assert table[1][4] == "1250.00 EUR" and table[1][5] == "invoice-42.pdf p. 2"
    assert table[1][6] == "completed"
    assert table[2][4] == "2024-03-15" and table[2][5] == "invoice-42.pdf p. 1"
    assert table[3][4] == "Not found in the documents." and table[3][5] == ""

    resp = api.get(f"/api/v1/question-batches/{batch_id}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(resp.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == table[0]
    assert values[1][4] == "1250.00 EUR"

    resp = api.get(f"/api/v1/question-batches/{batch_id}/export?format=json")
    rows = json.loads(resp.get_data())
    assert rows[0]["sources"][0]["page"] == 2
    assert rows[0]["sources"][0]["document_id"] == str(corpus["invoice42"].id)
    assert api.get(f"/api/v1/question-batches/{batch_id}/export?format=pdf").status_code == 400
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "question_batch.exported" in actions and "question_batch.created" in actions


# --- pages ----------------------------------------------------------------------------------------


def test_pages_list_wizard_and_detail(client, auth, user, corpus, worker, db):
    auth.login(user.email)
    assert "Upload your first questions" in client.get("/questions").get_data(as_text=True)
    page = client.get("/questions/new").get_data(as_text=True)
    assert "1. Questions file" in page and "All my completed documents" in page
    from tests.conftest import csrf_from

    token = csrf_from(page)
    bad = client.post(
        "/questions/new",
        data={"csrf_token": token, "file": (io.BytesIO(csv_bytes([["", "c"]])), "q.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "Row 2: The question is empty." in bad.get_data(as_text=True)
    good = client.post(
        "/questions/new",
        data={
            "csrf_token": token,
            "name": "Invoices Q&A",
            "scope": "all",
            "file": (io.BytesIO(csv_bytes([["What is the total of invoice 42?", ""]])), "q.csv"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    detail_url = good.headers["Location"]
    assert worker()
    html = client.get(detail_url).get_data(as_text=True)
    assert "Invoices Q&amp;A" in html and "1250.00 EUR" in html and "invoice-42.pdf" in html
    listing = client.get("/questions").get_data(as_text=True)
    assert "Invoices Q&amp;A" in listing
    # Page actions are CSRF-protected forms.
    batch_id = detail_url.rsplit("/", 1)[1]
    assert client.post(f"/questions/{batch_id}/delete").status_code == 400
    resp = client.post(f"/questions/{batch_id}/delete", data={"csrf_token": token})
    assert resp.status_code == 303
    assert db.session.get(QuestionBatch, batch_id) is None


def test_starter_users_see_the_upgrade_page(client, auth, db):
    starter = make_user("starter@example.com", plan="starter")
    auth.login(starter.email)
    assert "Upgrade required" in client.get("/questions/new").get_data(as_text=True)


def test_previews_are_rate_limited_per_user(app, api, corpus, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PREVIEW", "2 per minute")
    answers = [
        post_file(api, csv_bytes([["What?", ""]]), path="/api/v1/question-batches/preview")
        for _ in range(3)
    ]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2].get_json()["error"]["code"] == "rate_limited"
    assert int(answers[2].headers["Retry-After"]) > 0


def test_a_sheet_reaching_the_last_cell_is_refused_at_once(api, corpus, db, redis_conn):
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["XFD1048576"] = "question", "What is the total?", "x"
    out = io.BytesIO()
    wb.save(out)
    created = post_file(api, out.getvalue(), filename="bomb.xlsx")
    assert created.status_code == 400
    assert created.get_json()["error"]["code"] == "invalid_file"
    assert "row 1048576" in created.get_json()["error"]["details"]["rows"][0]["reason"]
    preview = post_file(
        api, out.getvalue(), filename="bomb.xlsx", path="/api/v1/question-batches/preview"
    ).get_json()
    assert preview["valid"] is False and "row 1048576" in preview["problems"][0]["reason"]
    assert nothing_stored(db, redis_conn)
