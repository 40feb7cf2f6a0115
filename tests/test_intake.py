"""Batch intake over the API and the browser's XHR path (invariants 1-2 and 5 of docs/states.md, the API's error codes)."""

import io
import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from redis import Redis

from app import intake
from app.extensions import get_queue
from app.models import AuditAction, AuditEvent, Batch, Document, Usage
from app.services import quota
from app.storage import get_storage
from tests.factories import make_token, make_user
from tests.pdfgen import make_encrypted_pdf, make_jpeg, make_pdf, make_png

PROMPT = "Extract the invoice number, date and total"
FIFTY_MB = 50 * 1024 * 1024


def pdf_file(name: str = "invoice.pdf", pages: int = 1) -> tuple[str, bytes]:
    return name, make_pdf(pages)


class Sender:
    """Posts multipart create requests as one user, by API token or by session + CSRF header."""

    def __init__(self, client, headers):
        self.client = client
        self.headers = headers

    def post(self, path, files=(), **fields):
        data = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
        return self.client.post(
            path, data=data, headers=self.headers, content_type="multipart/form-data"
        )

    def batch(self, files=(), **fields):
        return self.post("/api/v1/batches", files, **fields)

    def document(self, files=(), **fields):
        return self.post("/api/v1/documents", files, **fields)


@pytest.fixture(params=["token", "session"])
def sender(request, client, auth, db):
    """sender(user): a Sender for that user over the API token or the browser session path."""

    def make(user):
        if request.param == "token":
            return Sender(client, {"Authorization": f"Bearer {make_token(user)}"})
        auth.login(user.email)
        csrf = auth.csrf("/dashboard")
        return Sender(client, {"X-CSRFToken": csrf, "Accept": "application/json"})

    return make


@pytest.fixture
def api_as(client, db):
    """api_as(user): a Sender using an API token."""
    return lambda user: Sender(client, {"Authorization": f"Bearer {make_token(user)}"})


def queued_job_ids() -> list[str]:
    return get_queue("documents").get_job_ids()


def assert_nothing_left(db, pages_used: int = 0) -> None:
    """No batch or document rows, no stored files, no jobs, usage unchanged, no create events."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert list(get_storage().keys()) == []
    assert queued_job_ids() == []
    used = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Usage.pages_used), 0)))
    assert used == pages_used
    created = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_([AuditAction.BATCH_CREATED, AuditAction.DOCUMENT_CREATED]))
    )
    assert created == 0


def error_of(resp) -> dict:
    assert resp.is_json, resp.get_data(as_text=True)[:300]
    return resp.json["error"]


# --- bad inputs (docs/errors.md) --------------------------------------------------------------------

BAD_INPUTS = [
    # (label, plan, files, fields, status, code)
    ("starter plan", "starter", [pdf_file()], {"global_prompt": PROMPT}, 403, "upgrade_required"),
    ("no files", "plus", [], {"global_prompt": PROMPT}, 400, "no_files"),
    (
        "51 files on plus",
        "plus",
        [pdf_file()] * 51,
        {"global_prompt": PROMPT},
        400,
        "too_many_files",
    ),
    (
        "exe renamed .pdf",
        "plus",
        [("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)],
        {"global_prompt": PROMPT},
        400,
        "unsupported_file",
    ),
    (
        "empty file",
        "plus",
        [("empty.pdf", b"")],
        {"global_prompt": PROMPT},
        400,
        "unsupported_file",
    ),
    (
        "text file",
        "plus",
        [("notes.txt", b"just text")],
        {"global_prompt": PROMPT},
        400,
        "unsupported_file",
    ),
    (
        "png named .pdf",
        "plus",
        [("scan.pdf", make_png())],
        {"global_prompt": PROMPT},
        400,
        "unsupported_file",
    ),
    (
        "global without prompt",
        "plus",
        [pdf_file()],
        {"prompt_strategy": "global"},
        400,
        "invalid_prompt",
    ),
    (
        "global with a blank prompt",
        "plus",
        [pdf_file()],
        {"prompt_strategy": "global", "global_prompt": "   "},
        400,
        "invalid_prompt",
    ),
    (
        "unknown strategy",
        "plus",
        [pdf_file()],
        {"prompt_strategy": "psychic", "global_prompt": PROMPT},
        400,
        "invalid_prompt",
    ),
    (
        "per_document prompt only for another file",
        "plus",
        [pdf_file("ok.pdf")],
        {"prompt_strategy": "per_document", "per_document_prompts": {"x.pdf": "x"}},
        400,
        "invalid_prompt",
    ),
    (
        "per_document without prompts",
        "plus",
        [pdf_file("ok.pdf")],
        {"prompt_strategy": "per_document"},
        400,
        "invalid_prompt",
    ),
    (
        "per_document prompts not JSON",
        "plus",
        [pdf_file("ok.pdf")],
        {"prompt_strategy": "per_document", "per_document_prompts": "{ok.pdf: x"},
        400,
        "invalid_prompt",
    ),
    (
        "per_document prompts a JSON list",
        "plus",
        [pdf_file("ok.pdf")],
        {"prompt_strategy": "per_document", "per_document_prompts": '["x"]'},
        400,
        "invalid_prompt",
    ),
    (
        "per_document with an empty prompt",
        "plus",
        [pdf_file("a.pdf"), pdf_file("b.pdf")],
        {"prompt_strategy": "per_document", "per_document_prompts": {"a.pdf": "x", "b.pdf": " "}},
        400,
        "invalid_prompt",
    ),
    (
        "per_document with duplicate filenames",
        "plus",
        [pdf_file("a.pdf"), pdf_file("a.pdf")],
        {"prompt_strategy": "per_document", "per_document_prompts": {"a.pdf": "x"}},
        400,
        "invalid_prompt",
    ),
    (
        "prompt over 4,000 characters",
        "plus",
        [pdf_file()],
        {"prompt_strategy": "global", "global_prompt": "x" * 4001},
        400,
        "invalid_prompt",
    ),
    (
        "per_document prompt over 4,000 characters",
        "plus",
        [pdf_file("a.pdf")],
        {"prompt_strategy": "per_document", "per_document_prompts": {"a.pdf": "x" * 4001}},
        400,
        "invalid_prompt",
    ),
    (
        "name over 200 characters",
        "plus",
        [pdf_file()],
        {"global_prompt": PROMPT, "name": "n" * 201},
        400,
        "bad_request",
    ),
]


@pytest.mark.parametrize(
    "plan,files,fields,status,code",
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_refused_and_leaves_nothing(sender, db, plan, files, fields, status, code):
    user = make_user(plan=plan)
    resp = sender(user).batch(files, **fields)
    assert resp.status_code == status
    assert error_of(resp)["code"] == code
    assert error_of(resp)["message"]
    assert_nothing_left(db)


def test_unsupported_files_are_each_named_with_a_reason(sender, db):
    user = make_user(plan="plus")
    files = [
        pdf_file("good.pdf"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("empty.png", b""),
        ("notes.txt", b"hello"),
    ]
    resp = sender(user).batch(files, global_prompt=PROMPT)
    assert resp.status_code == 400
    err = error_of(resp)
    assert err["code"] == "unsupported_file"
    reasons = {f["filename"]: f["reason"] for f in err["details"]["files"]}
    assert set(reasons) == {"setup.pdf", "empty.png", "notes.txt"}
    assert "not a PDF" in reasons["setup.pdf"]
    assert "empty" in reasons["empty.png"]
    assert ".txt" in reasons["notes.txt"]
    assert_nothing_left(db)


def test_checks_run_in_the_documented_order(api_as, db):
    """A request wrong in several ways is answered with the first failing check of the order."""
    user = make_user(plan="plus")
    api = api_as(user)
    bad_type = ("x.pdf", b"MZ")
    # too_many_files comes before prompts and types
    resp = api.batch([bad_type] * 51, prompt_strategy="psychic")
    assert error_of(resp)["code"] == "too_many_files"
    # prompts before file types
    resp = api.batch([bad_type], prompt_strategy="psychic")
    assert error_of(resp)["code"] == "invalid_prompt"
    # file types before sizes
    resp = api.batch(
        [bad_type, ("big.pdf", b"%PDF-1.4" + b"0" * (FIFTY_MB + 1))], global_prompt="x"
    )
    assert error_of(resp)["code"] == "unsupported_file"
    assert_nothing_left(db)


def test_file_over_50_mb_is_413_naming_the_file(sender, db):
    user = make_user(plan="plus")
    big = make_pdf(1)
    big += b"\n%" + b"0" * (FIFTY_MB + 1 - len(big) - 2)
    assert len(big) == FIFTY_MB + 1
    resp = sender(user).batch([pdf_file("small.pdf"), ("big.pdf", big)], global_prompt=PROMPT)
    assert resp.status_code == 413
    err = error_of(resp)
    assert err["code"] == "file_too_large"
    assert [f["filename"] for f in err["details"]["files"]] == ["big.pdf"]
    assert_nothing_left(db)


def test_request_over_the_total_cap_is_413(app, sender, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    user = make_user(plan="plus")
    resp = sender(user).batch([pdf_file("a.pdf", 200)], global_prompt=PROMPT)
    assert resp.status_code == 413
    assert error_of(resp)["code"] == "file_too_large"
    assert_nothing_left(db)


def test_fewer_pages_left_than_files_is_402(sender, db):
    user = make_user(plan="plus")
    row = quota.usage_row(user.id, quota.period_for_user(user))
    row.pages_used = 999  # one page left of 1,000
    db.session.commit()
    resp = sender(user).batch([pdf_file("a.pdf"), pdf_file("b.pdf")], global_prompt=PROMPT)
    assert resp.status_code == 402
    err = error_of(resp)
    assert err["code"] == "quota_exceeded"
    assert err["details"] == {"pages_left": 1, "files": 2}
    assert_nothing_left(db, pages_used=999)


def test_no_credentials_and_bad_token_are_401(client, db):
    files = {"files": [(io.BytesIO(make_pdf(1)), "a.pdf")], "global_prompt": PROMPT}
    resp = client.post("/api/v1/batches", data=files, content_type="multipart/form-data")
    assert resp.status_code == 401
    files = {"files": [(io.BytesIO(make_pdf(1)), "a.pdf")], "global_prompt": PROMPT}
    resp = client.post(
        "/api/v1/batches",
        data=files,
        headers={"Authorization": "Bearer nope"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 401
    assert error_of(resp)["code"] == "unauthorized"
    assert_nothing_left(db)


def test_session_post_without_csrf_token_is_400(client, auth, db):
    user = make_user(plan="plus")
    auth.login(user.email)
    resp = client.post(
        "/api/v1/batches",
        data={"files": [(io.BytesIO(make_pdf(1)), "a.pdf")], "global_prompt": PROMPT},
        headers={"Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert error_of(resp)["code"] == "csrf_failed"
    resp = client.post(
        "/api/v1/batches",
        data={"files": [(io.BytesIO(make_pdf(1)), "a.pdf")], "global_prompt": PROMPT},
        headers={"X-CSRFToken": "forged"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert_nothing_left(db)


# --- A created batch ----------------------------------------------------------------------------


def test_create_answers_202_with_the_batch_and_its_location(sender, db):
    user = make_user(plan="plus")
    resp = sender(user).batch(
        [pdf_file("a.pdf", 2), pdf_file("b.pdf", 3)],
        global_prompt=PROMPT,
        name="March invoices",
        description="From the shared inbox",
    )
    assert resp.status_code == 202
    body = resp.json
    assert resp.headers["Location"] == f"/api/v1/batches/{body['id']}"
    assert body["name"] == "March invoices"
    assert body["description"] == "From the shared inbox"
    assert body["status"] == "queued"
    assert (body["document_count"], body["failed_count"], body["total_pages"]) == (2, 0, 5)
    assert [d["filename"] for d in body["documents"]] == ["a.pdf", "b.pdf"]
    batch = db.session.get(Batch, uuid.UUID(body["id"]))
    assert batch.user_id == user.id
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert [(e.action, str(e.batch_id)) for e in events if e.action.startswith("batch")] == [
        (AuditAction.BATCH_CREATED.value, body["id"])
    ]


def test_default_name_counts_files_and_gives_the_time(api_as, db):
    user = make_user(plan="plus")
    body = api_as(user).batch([pdf_file("a.pdf"), pdf_file("b.pdf")], global_prompt=PROMPT).json
    assert body["name"].startswith("Batch of 2 files, ")
    assert intake.default_name(1, datetime(2026, 11, 23, 14, 5, tzinfo=UTC)) == (
        "Batch of 1 file, 23 Nov 2026 14:05"
    )


def test_page_counts_are_real_and_unreadable_pdfs_fail_their_document(api_as, db):
    user = make_user(plan="growth")
    pdf5 = make_pdf(5)
    files = [
        ("one.pdf", make_pdf(1)),
        ("seven.pdf", make_pdf(7)),
        ("long.pdf", make_pdf(300)),
        ("liar.pdf", make_pdf(3, count=40)),
        ("locked.pdf", make_encrypted_pdf(2)),
        ("truncated.pdf", pdf5[: len(pdf5) // 2]),
        ("scan.png", make_png()),
        ("photo.jpg", make_jpeg()),
    ]
    resp = api_as(user).batch(files, global_prompt=PROMPT)
    assert resp.status_code == 202
    body = resp.json
    docs = {d["filename"]: d for d in body["documents"]}
    assert {name: d["page_count"] for name, d in docs.items()} == {
        "one.pdf": 1,
        "seven.pdf": 7,
        "long.pdf": 300,
        "liar.pdf": 3,
        "locked.pdf": 0,
        "truncated.pdf": 0,
        "scan.png": 1,
        "photo.jpg": 1,
    }
    assert docs["locked.pdf"]["status"] == "failed"
    assert docs["locked.pdf"]["error"]["code"] == "encrypted_pdf"
    assert docs["truncated.pdf"]["status"] == "failed"
    assert docs["truncated.pdf"]["error"]["code"] == "unreadable_pdf"
    readable = [d for d in docs.values() if d["status"] == "uploaded"]
    assert len(readable) == 6 and all(d["error"] is None for d in readable)
    assert body["status"] == "queued"
    assert (body["document_count"], body["failed_count"], body["total_pages"]) == (8, 2, 313)
    # one job per readable document, none for the failed ones
    assert sorted(queued_job_ids()) == sorted(f"document-{d['id']}" for d in readable)
    rows = {d.original_filename: d for d in db.session.scalars(sa.select(Document))}
    assert rows["photo.jpg"].mime_type == "image/jpeg"
    assert rows["scan.png"].mime_type == "image/png"
    assert rows["locked.pdf"].completed_at is not None
    # the unreadable files keep their rows, not their bytes: they are never processed
    assert sorted(get_storage().keys()) == sorted(
        rows[name].storage_key for name in rows if name not in ("locked.pdf", "truncated.pdf")
    )


def test_a_batch_with_nothing_readable_is_failed_at_once(api_as, db):
    user = make_user(plan="plus")
    pdf = make_pdf(4)
    files = [("locked.pdf", make_encrypted_pdf(1)), ("cut.pdf", pdf[:200])]
    body = api_as(user).batch(files, global_prompt=PROMPT).json
    assert body["status"] == "failed"
    assert body["completed_at"] is not None
    assert (body["document_count"], body["failed_count"], body["progress"]) == (2, 2, 100)
    assert queued_job_ids() == []


def test_stored_files_get_generated_keys_and_their_sha256(api_as, db):
    import hashlib

    user = make_user(plan="plus")
    content = make_pdf(2)
    body = api_as(user).batch([("../../etc/passwd.pdf", content)], global_prompt=PROMPT).json
    doc = db.session.scalars(sa.select(Document)).one()
    assert body["documents"][0]["filename"] == "passwd.pdf"
    assert doc.original_filename == "passwd.pdf"
    assert "passwd" not in doc.storage_key and "/" not in doc.storage_key
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.size_bytes == len(content)
    with get_storage().open(doc.storage_key) as f:
        assert f.read() == content


# --- Prompts ------------------------------------------------------------------------------------


def test_per_document_prompts_are_stored_per_document(api_as, db):
    user = make_user(plan="plus")
    prompts = {"a.pdf": "Extract the total", "b.pdf": "Extract the IBAN", "c.png": "Read the name"}
    files = [pdf_file("a.pdf"), pdf_file("b.pdf"), ("c.png", make_png())]
    body = (
        api_as(user).batch(files, prompt_strategy="per_document", per_document_prompts=prompts).json
    )
    assert body["prompt_strategy"] == "per_document"
    assert body["extraction_prompt"] is None
    assert {d["filename"]: d["extraction_prompt"] for d in body["documents"]} == prompts
    rows = db.session.scalars(sa.select(Document)).all()
    assert {d.original_filename: d.extraction_prompt for d in rows} == prompts


def test_global_prompt_is_stored_on_the_batch(api_as, db):
    user = make_user(plan="plus")
    body = (
        api_as(user)
        .batch(
            [pdf_file("a.pdf"), pdf_file("b.pdf")],
            prompt_strategy="global",
            global_prompt=f"  {PROMPT} ",
        )
        .json
    )
    batch = db.session.scalars(sa.select(Batch)).one()
    assert batch.prompt_strategy == "global"
    assert batch.extraction_prompt == PROMPT
    assert body["extraction_prompt"] == PROMPT
    # each document records the prompt it will be extracted with
    assert {d.extraction_prompt for d in batch.documents} == {PROMPT}


def test_auto_leaves_prompts_empty(api_as, db):
    user = make_user(plan="plus")
    body = (
        api_as(user)
        .batch(
            [pdf_file("a.pdf"), pdf_file("b.pdf")], prompt_strategy="auto", global_prompt="ignored"
        )
        .json
    )
    batch = db.session.scalars(sa.select(Batch)).one()
    assert (batch.prompt_strategy, batch.extraction_prompt) == ("auto", None)
    assert [d.extraction_prompt for d in batch.documents] == [None, None]
    assert body["extraction_prompt"] is None


def test_strategy_defaults_to_global(api_as, db):
    user = make_user(plan="plus")
    body = api_as(user).batch([pdf_file()], global_prompt=PROMPT).json
    assert body["prompt_strategy"] == "global"


# --- The transaction --------------------------------------------------------------------------


def test_a_storage_failure_on_the_third_file_leaves_nothing(app, api_as, db, monkeypatch):
    user = make_user(plan="plus")
    storage = get_storage()
    real_save = storage.save
    calls = []

    def failing_save(stream, mime_type):
        calls.append(mime_type)
        if len(calls) == 3:
            raise OSError("No space left on device")
        return real_save(stream, mime_type)

    monkeypatch.setattr(storage, "save", failing_save)
    files = [pdf_file(f"f{i}.pdf") for i in range(10)]
    resp = api_as(user).batch(files, global_prompt=PROMPT)
    assert resp.status_code == 500
    # files are stored two at a time; once one fails, no further file is started
    assert 3 <= len(calls) <= 6
    assert_nothing_left(db)


def test_a_failure_while_counting_pages_leaves_nothing(api_as, db, monkeypatch):
    user = make_user(plan="plus")
    real_count = intake.count_pages
    calls = []

    def failing_count(path, mime_type):
        calls.append(path)
        if len(calls) == 3:
            raise RuntimeError("page counter crashed")
        return real_count(path, mime_type)

    monkeypatch.setattr(intake, "count_pages", failing_count)
    resp = api_as(user).batch([pdf_file(f"f{i}.pdf") for i in range(4)], global_prompt=PROMPT)
    assert resp.status_code == 500
    assert_nothing_left(db)


def test_a_failed_commit_leaves_nothing_and_enqueues_nothing(api_as, db, monkeypatch):
    user = make_user(plan="plus")
    api = api_as(user)

    def failing_commit():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "commit", failing_commit)
    resp = api.batch(
        [pdf_file("a.pdf"), pdf_file("b.pdf"), pdf_file("c.pdf")], global_prompt=PROMPT
    )
    assert resp.status_code == 500
    monkeypatch.undo()
    assert_nothing_left(db)


def test_redis_down_at_enqueue_still_creates_the_batch(api_as, db, monkeypatch, redis_conn):
    user = make_user(plan="plus")
    api = api_as(user)
    closed = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1, socket_timeout=1)
    monkeypatch.setattr("app.extensions.get_redis", lambda: closed)
    resp = api.batch([pdf_file("a.pdf"), pdf_file("b.pdf", 2)], global_prompt=PROMPT)
    assert resp.status_code == 202
    body = resp.json
    assert body["status"] == "queued"
    assert [d["status"] for d in body["documents"]] == ["uploaded", "uploaded"]
    monkeypatch.undo()
    assert queued_job_ids() == []
    statuses = db.session.scalars(sa.select(Document.status)).all()
    assert statuses == ["uploaded", "uploaded"]
    assert len(list(get_storage().keys())) == 2


# --- Rate limit -------------------------------------------------------------------------------


def test_creation_21_within_the_hour_is_rate_limited_for_plus(api_as, db):
    user = make_user(plan="plus")
    api = api_as(user)
    # refused requests do not use up the allowance
    for _ in range(3):
        assert api.batch([("x.txt", b"no")], global_prompt=PROMPT).status_code == 400
    for n in range(20):
        resp = api.batch([pdf_file(f"n{n}.pdf")], global_prompt=PROMPT)
        assert resp.status_code == 202, (n, resp.json)
    resp = api.batch([pdf_file("n21.pdf")], global_prompt=PROMPT)
    assert resp.status_code == 429
    assert error_of(resp)["code"] == "rate_limited"
    # the window is an hour; Redis rounds its TTL, so the answer may be one second late
    assert 0 < int(resp.headers["Retry-After"]) <= 3601
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 20


def test_the_allowance_follows_the_plan(app, api_as, db, monkeypatch):
    plans = {name: dict(conf) for name, conf in app.config["PLANS"].items()}
    plans["growth"]["creations_per_hour"] = 2
    monkeypatch.setitem(app.config, "PLANS", plans)
    user = make_user(plan="growth")
    api = api_as(user)
    assert api.batch([pdf_file()], global_prompt=PROMPT).status_code == 202
    assert api.document([pdf_file()], global_prompt=PROMPT).status_code == 202
    resp = api.batch([pdf_file()], global_prompt=PROMPT)
    assert resp.status_code == 429
    assert "Retry-After" in resp.headers


# --- Single documents -------------------------------------------------------------------------


def test_single_document_upload_works_on_the_starter_plan(sender, db):
    user = make_user(plan="starter")
    resp = sender(user).document([pdf_file("receipt.pdf", 2)], global_prompt=PROMPT)
    assert resp.status_code == 202
    body = resp.json
    assert resp.headers["Location"] == f"/api/v1/documents/{body['id']}"
    assert body["batch_id"] is None
    assert (body["filename"], body["page_count"], body["status"]) == ("receipt.pdf", 2, "uploaded")
    assert body["extraction_prompt"] == PROMPT
    assert queued_job_ids() == [f"document-{body['id']}"]
    doc = db.session.scalars(sa.select(Document)).one()
    assert doc.batch_id is None and doc.user_id == user.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.DOCUMENT_CREATED)
    ).one()
    assert event.document_id == doc.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0


def test_single_document_with_auto_has_no_prompt(api_as, db):
    user = make_user(plan="starter")
    body = api_as(user).document([("photo.jpg", make_jpeg())], prompt_strategy="auto").json
    assert body["extraction_prompt"] is None
    assert body["mime_type"] == "image/jpeg"


@pytest.mark.parametrize(
    "files,fields,status,code",
    [
        ([pdf_file("a.pdf"), pdf_file("b.pdf")], {"global_prompt": PROMPT}, 400, "too_many_files"),
        ([], {"global_prompt": PROMPT}, 400, "no_files"),
        ([("a.exe", b"MZ")], {"global_prompt": PROMPT}, 400, "unsupported_file"),
        ([pdf_file()], {}, 400, "invalid_prompt"),
    ],
    ids=["two files", "no file", "exe", "no prompt"],
)
def test_single_document_bad_input(sender, db, files, fields, status, code):
    user = make_user(plan="starter")
    resp = sender(user).document(files, **fields)
    assert resp.status_code == status
    assert error_of(resp)["code"] == code
    assert_nothing_left(db)


def test_single_unreadable_document_is_accepted_as_failed(api_as, db):
    user = make_user(plan="starter")
    body = (
        api_as(user).document([("locked.pdf", make_encrypted_pdf(1))], prompt_strategy="auto").json
    )
    assert body["status"] == "failed"
    assert body["error"]["code"] == "encrypted_pdf"
    assert queued_job_ids() == []


def test_starter_single_uploads_are_limited_to_ten_an_hour(api_as, db):
    user = make_user(plan="starter")
    api = api_as(user)
    for n in range(10):
        assert api.document([pdf_file(f"d{n}.pdf")], prompt_strategy="auto").status_code == 202
    resp = api.document([pdf_file("d11.pdf")], prompt_strategy="auto")
    assert resp.status_code == 429
    assert error_of(resp)["code"] == "rate_limited"


def test_duplicate_filenames_are_fine_with_one_prompt_for_all(api_as, db):
    user = make_user(plan="plus")
    resp = api_as(user).batch(
        [pdf_file("scan.pdf", 1), pdf_file("scan.pdf", 2)], global_prompt=PROMPT
    )
    assert resp.status_code == 202
    assert [d["page_count"] for d in resp.json["documents"]] == [1, 2]
    keys = db.session.scalars(sa.select(Document.storage_key)).all()
    assert len(set(keys)) == 2
