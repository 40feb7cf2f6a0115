"""Batch intake over the API and the browser's XHR path, refused or failed: the API's error codes,
the hourly allowance, and one transaction at creation with jobs only after the commit (invariants
1-2 of docs/states.md)."""

import io

import pytest
import sqlalchemy as sa
from redis import Redis

from app import intake
from app.models import Batch, Document
from app.services import quota
from app.storage import get_storage
from tests.factories import make_user
from tests.pdfgen import make_pdf, make_png
from tests.support.intake import (
    PROMPT,
    assert_nothing_left,
    error_of,
    pdf_file,
    queued_job_ids,
)

FIFTY_MB = 50 * 1024 * 1024


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
