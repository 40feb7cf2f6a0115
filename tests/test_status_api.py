"""The status and list API: their shapes, ETag/304, constant query count, filters."""

import contextlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app, g

from app.extensions import db
from app.models import BatchStatus, Document, DocumentStatus, PromptStrategy
from app.models.types import utcnow
from app.services import reads, status_cache
from tests.batch_rows import INVOICE_RESULT, add_documents, claim, finish, run_document
from tests.factories import make_batch, make_document, make_user

BATCH_KEYS = {
    "id",
    "name",
    "status",
    "prompt_strategy",
    "extraction_prompt",
    "document_count",
    "completed_count",
    "failed_count",
    "cancelled_count",
    "reused_count",
    "needs_review_count",
    "total_pages",
    "progress",
    "created_at",
    "updated_at",
    "completed_at",
}
DOC_KEYS = {
    "id",
    "filename",
    "status",
    "page_count",
    "document_type",
    "extraction_prompt",
    "error",
    "needs_review",
}


@contextlib.contextmanager
def count_queries():
    """Count the SQL statements sent to the database inside the block."""
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    # The status probe reads on its own autocommit engine: count both.
    engines = {db.engine, reads.read_engine()}
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", listener)


def test_status_json_has_the_spec_shape(api, user):
    batch = make_batch(user, name="March invoices")
    doc = make_document(user, batch, filename="a.pdf", page_count=3)
    failed = make_document(user, batch, filename="b.pdf")
    run_document(doc.id)
    run_document(failed.id, DocumentStatus.FAILED, error_message="No text found.")

    resp = api.get(f"/api/v1/batches/{batch.id}")

    assert resp.status_code == 200
    body = resp.get_json()
    assert BATCH_KEYS | {"documents"} <= set(body)
    assert body["name"] == "March invoices"
    assert (body["document_count"], body["completed_count"], body["failed_count"]) == (2, 1, 1)
    assert body["status"] == "partially_completed" and body["completed_at"]
    assert body["progress"] == 100 and body["total_pages"] == 4
    docs = {d["filename"]: d for d in body["documents"]}
    assert all(set(d) == DOC_KEYS for d in body["documents"])
    assert docs["a.pdf"]["status"] == "completed" and docs["a.pdf"]["error"] is None
    assert docs["b.pdf"]["error"] == {
        "code": "extraction_failed",
        "message": "No text found.",
        "retryable": True,
    }
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["ETag"].startswith('"')


def test_unchanged_batch_answers_304_and_any_change_a_new_tag(api, user):
    batch = make_batch(user)
    doc = make_document(user, batch)
    first = api.get(f"/api/v1/batches/{batch.id}")
    tag = first.headers["ETag"]

    again = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert again.headers["Cache-Control"] == "no-store"

    # A claim changes only the document row: the tag must still move.
    assert claim(doc.id)
    claimed = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag})
    assert claimed.status_code == 200
    assert claimed.get_json()["documents"][0]["status"] == "processing"
    tag2 = claimed.headers["ETag"]
    assert tag2 != tag

    finish(doc.id)
    done = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag2})
    assert done.status_code == 200
    assert done.get_json()["status"] == "completed"
    assert (
        api.get(
            f"/api/v1/batches/{batch.id}", headers={"If-None-Match": done.headers["ETag"]}
        ).status_code
        == 304
    )


def test_document_type_set_without_status_change_moves_the_tag(api, user):
    batch = make_batch(user, strategy=PromptStrategy.AUTO, prompt=None)
    doc = make_document(user, batch)
    tag = api.get(f"/api/v1/batches/{batch.id}").headers["ETag"]
    db.session.execute(
        sa.update(Document).where(Document.id == doc.id).values(document_type="receipt")
    )
    db.session.commit()
    resp = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag})
    assert resp.status_code == 200
    assert resp.get_json()["documents"][0]["document_type"] == "receipt"


def test_a_change_stamped_earlier_than_the_latest_still_moves_the_tag(api, user):
    batch = make_batch(user)
    first = make_document(user, batch, filename="first.pdf")
    second = make_document(user, batch, filename="second.pdf")
    now = utcnow()
    db.session.execute(sa.update(Document).where(Document.id == second.id).values(updated_at=now))
    db.session.commit()
    tag = api.get(f"/api/v1/batches/{batch.id}").headers["ETag"]

    # A worker whose transaction started first commits last: its stamp is older than the max.
    db.session.execute(
        sa.update(Document)
        .where(Document.id == first.id)
        .values(status=DocumentStatus.PROCESSING, updated_at=now - timedelta(seconds=1))
    )
    db.session.commit()

    resp = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag})
    assert resp.status_code == 200
    statuses = {d["filename"]: d["status"] for d in resp.get_json()["documents"]}
    assert statuses == {"first.pdf": "processing", "second.pdf": "uploaded"}


def test_star_and_weak_tags_revalidate(api, user):
    batch = make_batch(user)
    tag = api.get(f"/api/v1/batches/{batch.id}").headers["ETag"]
    assert api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": "*"}).status_code == 304
    weak = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": f"W/{tag}"})
    assert weak.status_code == 304
    other = api.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": '"stale", "x"'})
    assert other.status_code == 200


def status_queries(api, batch_id, tag=None):
    headers = {"If-None-Match": tag} if tag else {}
    # The db fixture keeps one app context open, which requests would share (its g and its
    # session); start each measured request as a new process request starts: from nothing.
    db.session.remove()
    for key in ("_login_user", "token_auth"):
        g.pop(key, None)
    with count_queries() as statements:
        resp = api.get(f"/api/v1/batches/{batch_id}", headers=headers)
    return resp, statements


def test_query_count_does_not_grow_with_the_batch(api, user):
    small = make_batch(user, name="small")
    add_documents(user, small, 2)
    large = make_batch(user, name="large")
    ids = add_documents(user, large, 200)
    for doc_id in ids[:5]:
        run_document(doc_id)
    run_document(ids[5], DocumentStatus.FAILED)

    small_id, large_id = small.id, large.id
    status_cache.current()  # built once per process, on the first status request
    small_resp, small_sql = status_queries(api, small_id)
    large_resp, large_sql = status_queries(api, large_id)

    assert len(small_resp.get_json()["documents"]) == 2
    assert len(large_resp.get_json()["documents"]) == 200
    # A first answer: the probe (batch, tag and token in one) and the one SELECT of documents.
    assert len(large_sql) == len(small_sql) == 2
    assert all("documents" in s for s in large_sql)

    # Revalidating an unchanged batch is answered from the status cache, without a query.
    not_modified, sql_304 = status_queries(api, large_id, large_resp.headers["ETag"])
    assert not_modified.status_code == 304
    assert len(sql_304) == 0
    # The same state asked again without a tag: the body rendered for this tag is reused.
    again, sql_again = status_queries(api, large_id)
    assert again.status_code == 200 and again.data == large_resp.data
    assert len(sql_again) == 0

    # With the cache off (SQLite, or STATUS_CACHE=false) a poll is one query.
    cache = current_app.extensions["status_cache"]
    current_app.extensions["status_cache"] = None
    try:
        not_modified, sql_304 = status_queries(api, large_id, large_resp.headers["ETag"])
        assert not_modified.status_code == 304 and len(sql_304) == 1
    finally:
        current_app.extensions["status_cache"] = cache


def test_unknown_and_malformed_ids_are_404(api, user):
    assert api.get("/api/v1/batches/00000000-0000-0000-0000-000000000000").status_code == 404
    resp = api.get("/api/v1/batches/not-a-uuid")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_list_is_paginated_filtered_and_searchable(api, user):
    names = [f"Invoices {n:02d}" for n in range(25)]
    for name in names:
        make_batch(user, name=name)
    make_batch(user, name="Receipts 100%_done", status=BatchStatus.FAILED)
    other = make_user("other@example.com")
    make_batch(other, name="Invoices of someone else")

    first = api.get("/api/v1/batches?per_page=10").get_json()
    assert set(first) >= {"batches", "page", "pages", "total"}
    assert (first["page"], first["pages"], first["total"]) == (1, 3, 26)
    assert len(first["batches"]) == 10
    assert "documents" not in first["batches"][0]
    assert BATCH_KEYS <= set(first["batches"][0])
    assert first["batches"][0]["name"] == "Receipts 100%_done"  # newest first

    last = api.get("/api/v1/batches?per_page=10&page=3").get_json()
    assert len(last["batches"]) == 6

    failed = api.get("/api/v1/batches?status=failed").get_json()
    assert [b["name"] for b in failed["batches"]] == ["Receipts 100%_done"]

    # LIKE wildcards in the search are literal characters.
    assert api.get("/api/v1/batches?q=100%25_").get_json()["total"] == 1
    assert api.get("/api/v1/batches?q=%25").get_json()["total"] == 1
    assert api.get("/api/v1/batches?q=invoices").get_json()["total"] == 25

    by_name = api.get("/api/v1/batches?sort=name&per_page=3").get_json()
    assert [b["name"] for b in by_name["batches"]] == names[:3]


@pytest.mark.parametrize(
    "query", ["status=bogus", "page=0", "page=abc", "per_page=-1", "sort=sideways"]
)
def test_bad_list_parameters_are_400(api, user, query):
    resp = api.get(f"/api/v1/batches?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"


def test_document_status_includes_result_once_completed(api, user):
    batch = make_batch(user)
    doc = make_document(user, batch, filename="inv.pdf")
    pending = api.get(f"/api/v1/documents/{doc.id}").get_json()
    assert pending["status"] == "uploaded" and pending["result"] is None
    assert pending["batch_id"] == str(batch.id)
    assert DOC_KEYS <= set(pending)

    run_document(doc.id)
    done = api.get(f"/api/v1/documents/{doc.id}")
    assert done.status_code == 200
    assert done.get_json()["result"] == INVOICE_RESULT
    assert done.headers["Cache-Control"] == "no-store"


def test_an_unchanged_batch_is_rendered_once_and_a_change_renders_again(api, user):
    batch = make_batch(user)
    ids = add_documents(user, batch, 20)
    batch_id = batch.id
    status_cache.current()  # built once per process, on the first status request
    first, first_sql = status_queries(api, batch_id)
    again, again_sql = status_queries(api, batch_id)

    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(first_sql) == 2  # the probe and the documents
    assert len(again_sql) == 0  # the tag from the status cache, the body rendered for it

    claim(ids[3])
    changed, changed_sql = status_queries(api, batch_id)
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.get_json()["documents"][3]["status"] == "processing"
    assert len(changed_sql) == 2


def test_status_authentication_is_checked_in_the_status_query(client, auth, user, token):
    """Revoked tokens, bad tokens next to a good session, and deleted users answer 401."""
    from app.models import ApiToken, User

    batch_id = make_batch(user).id
    path = f"/api/v1/batches/{batch_id}"
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(path, headers=bearer).status_code == 200

    auth.login("owner@example.com")
    assert client.get(path).status_code == 200
    # A Bearer header decides even next to a valid session, as on the other API routes.
    bad = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"

    db.session.execute(sa.update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert client.get(path, headers=bearer).status_code == 401

    # The session's user is deleted (with their batches): the cookie names nobody any more.
    db.session.execute(sa.delete(User).where(User.id == user.id))
    db.session.commit()
    gone = client.get(path)
    assert gone.status_code == 401
    assert gone.get_json()["error"]["code"] == "unauthorized"


@pytest.fixture
def without_status_cache(app):
    """Every status request reads the database, as on SQLite or with STATUS_CACHE=false."""
    cache = app.extensions.get("status_cache")
    app.extensions["status_cache"] = None
    yield
    if cache is None:
        app.extensions.pop("status_cache", None)
    else:
        app.extensions["status_cache"] = cache


def test_status_survives_the_database_dropping_its_connections(api, user, without_status_cache):
    """Connections the server closed (a restart, a failover) are replaced on the next poll."""
    batch_id = make_batch(user).id
    path = f"/api/v1/batches/{batch_id}"
    tag = api.get(path).headers["ETag"]
    engine = reads.read_engine()
    with engine.connect() as conn:
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    # Pooled, idle, and now killed from outside.
    db.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    db.session.commit()

    resp = api.get(path, headers={"If-None-Match": tag})
    assert resp.status_code == 304
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != backend
