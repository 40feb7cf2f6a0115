"""Resume: a cancelled batch's cancelled documents queued again, through the API, the page and the
service, run by a real worker, refused in every other state, for other users and over the quota."""

import io
import re

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue

from app.extensions import db
from app.models import (
    AuditEvent,
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ErrorCode,
    ExtractionJob,
    Usage,
    User,
)
from app.services import batch_actions, plans, quota
from app.services.queueing import document_job_id
from tests.batch_rows import claim, finish, reload, run_document
from tests.conftest import csrf_from
from tests.factories import make_token, make_user
from tests.pdfgen import make_pdf
from tests.support.pipeline import pages_used, pdf_batch
from tests.test_actions import audit_actions, batch_with, doc_statuses, queued_job_ids

B, D = BatchStatus, DocumentStatus
PROMPT = "Extract the invoice number, date and total"


def invoice(number: int, pages: int) -> bytes:
    """A text PDF of its own (distinct files: no result is reused, every page is charged)."""
    return make_pdf(
        pages,
        lines=(
            "ACME Supplies Ltd",
            "INVOICE",
            f"Invoice number: INV-{number:04d}",
            "Invoice date: 2024-03-15",
            f"Total: EUR {number}.00",
            "Page {page}",
        ),
    )


def create_batch(api, pages=(2, 1, 3)) -> dict:
    """A batch created through the API as a client would: 202 and its documents queued."""
    files = [(io.BytesIO(invoice(i + 1, n)), f"invoice-{i + 1}.pdf") for i, n in enumerate(pages)]
    resp = api.post(
        "/api/v1/batches",
        data={"files": files, "prompt_strategy": "global", "global_prompt": PROMPT},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()


def resumed_events(batch_id) -> list[dict]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.details).where(
                AuditEvent.batch_id == batch_id, AuditEvent.action == "batch.resumed"
            )
        )
    )


def use_up_pages(user, leave: int) -> None:
    """Charge the user's period so that `leave` pages are left."""
    user = reload(User, user.id)
    limit = plans.user_limits(user).pages_per_month
    assert quota.reserve_pages(user.id, limit - quota.pages_used(user) - leave) is not None
    db.session.commit()


# --- the whole way: create, cancel before the worker, resume, a real worker ------------------------


def test_resume_after_a_cancel_runs_every_document_once(api, user, worker, redis_conn):
    created = create_batch(api)
    batch_id = created["id"]
    ids = [d["id"] for d in created["documents"]]
    assert queued_job_ids(redis_conn) == {document_job_id(i) for i in ids}

    cancelled = api.post(f"/api/v1/batches/{batch_id}/cancel").get_json()
    assert (cancelled["status"], cancelled["cancelled_count"]) == ("cancelled", 3)
    assert cancelled["completed_at"] is not None

    resp = api.post(f"/api/v1/batches/{batch_id}/resume")

    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert body["status"] == "queued"
    assert (body["cancelled_count"], body["completed_count"], body["failed_count"]) == (0, 0, 0)
    assert body["completed_at"] is None
    assert body["progress"] == 0
    assert {d["status"] for d in body["documents"]} == {"uploaded"}
    assert audit_actions(batch_id)[-2:] == ["batch.cancelled", "batch.resumed"]
    assert resumed_events(batch_id) == [{"resumed_documents": 3}]
    # The jobs queued at creation were still waiting: they stay, one per document.
    assert queued_job_ids(redis_conn) == {document_job_id(i) for i in ids}

    worker()

    final = api.get(f"/api/v1/batches/{batch_id}").get_json()
    assert final["status"] == "completed"
    assert (final["completed_count"], final["failed_count"], final["cancelled_count"]) == (3, 0, 0)
    assert final["progress"] == 100 and final["completed_at"] is not None
    assert {d["status"] for d in final["documents"]} == {"completed"}
    assert pages_used(user) == 6  # 2 + 1 + 3 pages, charged once
    for doc_id in ids:
        assert reload(Document, doc_id).attempts == 1
        runs = sa.select(sa.func.count(ExtractionJob.id)).where(ExtractionJob.document_id == doc_id)
        assert db.session.scalar(runs) == 1
    documents = Queue("documents", connection=redis_conn)
    assert not documents.failed_job_registry.get_job_ids()

    # Finished: nothing to resume any more, and nothing changes.
    again = api.post(f"/api/v1/batches/{batch_id}/resume")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"
    assert pages_used(user) == 6


def test_resume_after_the_cancelled_jobs_ended_enqueues_them_again(api, user, worker, redis_conn):
    created = create_batch(api, pages=(1, 2))
    batch_id = created["id"]
    api.post(f"/api/v1/batches/{batch_id}/cancel")
    worker()  # the jobs meet cancelled documents and end without a change
    assert doc_statuses([d["id"] for d in created["documents"]]) == [D.CANCELLED] * 2
    assert queued_job_ids(redis_conn) == set()

    outcome = batch_actions.resume_batch(batch_id, user.id)

    assert outcome.enqueued == 2
    assert len(queued_job_ids(redis_conn)) == 2
    worker()
    after = reload(Batch, outcome.batch.id)
    assert (after.status, after.completed_count, after.cancelled_count) == (B.COMPLETED, 2, 0)
    assert pages_used(user) == 3


def test_resume_while_a_document_still_runs_lets_it_finish(api, user, worker):
    batch, docs = pdf_batch(user, contents=[invoice(i, 1) for i in range(4)])
    ids = [d.id for d in docs]
    run_document(ids[0])
    claim(ids[1])  # its job is extracting
    api.post(f"/api/v1/batches/{batch.id}/cancel")
    assert reload(Batch, batch.id).completed_at is None  # one document is still running

    body = api.post(f"/api/v1/batches/{batch.id}/resume").get_json()

    assert body["status"] == "queued"
    assert (body["completed_count"], body["cancelled_count"]) == (1, 0)
    assert doc_statuses(ids) == [D.COMPLETED, D.PROCESSING, D.UPLOADED, D.UPLOADED]
    assert finish(ids[1]) is True
    assert reload(Batch, batch.id).status != B.CANCELLED

    worker()

    after = reload(Batch, batch.id)
    assert after.status == B.COMPLETED
    assert (after.completed_count, after.failed_count, after.cancelled_count) == (4, 0, 0)
    assert after.completed_at is not None


def test_resume_leaves_completed_and_failed_documents_alone(api, user):
    batch, ids = batch_with(user, D.COMPLETED, D.FAILED, D.UPLOADED, D.UPLOADED)
    # A cancel after one failed: the failure stays counted; only the cancelled ones go again.
    api.post(f"/api/v1/batches/{batch.id}/cancel")
    body = api.post(f"/api/v1/batches/{batch.id}/resume").get_json()
    assert (body["status"], body["failed_count"], body["cancelled_count"]) == ("queued", 1, 0)
    assert doc_statuses(ids) == [D.COMPLETED, D.FAILED, D.UPLOADED, D.UPLOADED]


# --- refused ---------------------------------------------------------------------------------------


def test_resume_in_any_other_state_is_409_and_changes_nothing(api, user):
    cases = [
        batch_with(user, D.UPLOADED, name="queued")[0],
        batch_with(user, D.COMPLETED, D.PROCESSING, name="processing")[0],
        batch_with(user, D.COMPLETED, name="completed")[0],
        batch_with(user, D.COMPLETED, D.FAILED, name="partially completed")[0],
        batch_with(user, D.FAILED, name="failed")[0],
    ]
    for batch in cases:
        resp = api.post(f"/api/v1/batches/{batch.id}/resume")
        assert resp.status_code == 409, batch.name
        error = resp.get_json()["error"]
        assert error["code"] == "invalid_state"
        assert "only a cancelled batch can" in error["message"]
        assert reload(Batch, batch.id).status == batch.status

    # Cancelled, but with no cancelled document: the one running when it was cancelled finished.
    batch, ids = batch_with(user, D.COMPLETED, D.PROCESSING, name="nothing cancelled")
    api.post(f"/api/v1/batches/{batch.id}/cancel")
    finish(ids[1])
    resp = api.post(f"/api/v1/batches/{batch.id}/resume")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["message"].startswith("Nothing to resume")
    assert reload(Batch, batch.id).status == B.CANCELLED

    resumed = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "batch.resumed")
    assert db.session.scalar(resumed) == 0


def test_another_users_batch_is_404_like_an_unknown_id(client, api, user):
    batch, ids = batch_with(user, D.UPLOADED, D.UPLOADED)
    api.post(f"/api/v1/batches/{batch.id}/cancel")
    stranger = {"Authorization": f"Bearer {make_token(make_user('stranger@example.com'))}"}

    foreign = client.post(f"/api/v1/batches/{batch.id}/resume", headers=stranger)
    unknown = client.post(
        "/api/v1/batches/00000000-0000-0000-0000-000000003039/resume", headers=stranger
    )

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json() == unknown.get_json()
    assert foreign.get_json()["error"]["code"] == "not_found"
    assert reload(Batch, batch.id).status == B.CANCELLED
    assert doc_statuses(ids) == [D.CANCELLED] * 2


def test_service_scopes_resume_to_the_owner(user):
    stranger = make_user("stranger@example.com")
    batch, ids = batch_with(user, D.UPLOADED)
    batch_actions.cancel_batch(batch.id, user.id)
    with pytest.raises(batch_actions.NotFound):
        batch_actions.resume_batch(batch.id, stranger.id)
    assert reload(Batch, batch.id).status == B.CANCELLED
    assert doc_statuses(ids) == [D.CANCELLED]


def test_over_the_quota_is_402_like_at_creation_and_the_batch_stays_cancelled(
    api, user, redis_conn
):
    batch, docs = pdf_batch(user, count=2, pages=3)
    ids = [d.id for d in docs]
    api.post(f"/api/v1/batches/{batch.id}/cancel")
    use_up_pages(user, leave=5)  # 6 pages to resume
    before = pages_used(user)

    resp = api.post(f"/api/v1/batches/{batch.id}/resume")

    assert resp.status_code == 402
    error = resp.get_json()["error"]
    assert error["code"] == ErrorCode.QUOTA_EXCEEDED == "quota_exceeded"
    assert error["details"] == {"pages_left": 5, "pages": 6}
    assert "5 pages left" in error["message"]
    after = reload(Batch, batch.id)
    assert (after.status, after.cancelled_count) == (B.CANCELLED, 2)
    assert after.completed_at is not None
    assert doc_statuses(ids) == [D.CANCELLED] * 2
    assert resumed_events(batch.id) == []
    assert queued_job_ids(redis_conn) == set()
    assert pages_used(user) == before

    # One page more and the pages of both documents are covered: it goes through.
    usage_id = db.session.scalar(sa.select(Usage.id).where(Usage.user_id == user.id))
    quota.release(usage_id, 1)
    db.session.commit()
    resp = api.post(f"/api/v1/batches/{batch.id}/resume")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "queued"


def test_a_user_whose_pages_are_used_up_cannot_resume(db, redis_conn):
    starter = make_user("small@example.com", plan="starter")
    batch, docs = pdf_batch(starter, count=1, pages=1)
    batch_actions.cancel_batch(batch.id, starter.id)
    use_up_pages(starter, leave=0)

    with pytest.raises(batch_actions.QuotaExceeded) as refused:
        batch_actions.resume_batch(batch.id, starter.id)

    assert refused.value.details == {"pages_left": 0, "pages": 1}
    assert reload(Batch, batch.id).status == B.CANCELLED
    assert doc_statuses([docs[0].id]) == [D.CANCELLED]


# --- the page --------------------------------------------------------------------------------------


def test_page_shows_resume_only_for_a_cancelled_batch_with_cancelled_documents(client, auth, user):
    running, _ = batch_with(user, D.UPLOADED, name="running")
    cancelled, _ = batch_with(user, D.UPLOADED, D.UPLOADED, name="cancelled")
    batch_actions.cancel_batch(cancelled.id, user.id)
    auth.login(user.email)

    hidden = r'data-show-if="resumable"\s+hidden'
    assert re.search(hidden, client.get(f"/batches/{running.id}").get_data(as_text=True))
    page = client.get(f"/batches/{cancelled.id}").get_data(as_text=True)
    assert 'data-show-if="resumable"' in page and not re.search(hidden, page)
    assert f'action="/batches/{cancelled.id}/resume"' in page


def test_page_resume_with_csrf_works_without_scripts_and_says_so(client, auth, user, redis_conn):
    batch, ids = batch_with(user, D.COMPLETED, D.UPLOADED, D.UPLOADED)
    batch_actions.cancel_batch(batch.id, user.id)
    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)

    resp = client.post(f"/batches/{batch.id}/resume", data={"csrf_token": csrf_from(page)})

    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/batches/{batch.id}")
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert shown.count("Resumed 2 cancelled documents.") == 2  # the flash, and the history
    assert "queue is unreachable" not in shown
    assert re.search(r'data-show-if="resumable"\s+hidden', shown)
    assert reload(Batch, batch.id).status == B.QUEUED
    assert doc_statuses(ids) == [D.COMPLETED, D.UPLOADED, D.UPLOADED]
    assert queued_job_ids(redis_conn) == {document_job_id(ids[1]), document_job_id(ids[2])}


def test_page_resume_refused_explains_why(client, auth, user):
    batch, _ = batch_with(user, D.UPLOADED)
    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    resp = client.post(
        f"/batches/{batch.id}/resume", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "A queued batch cannot be resumed" in resp.get_data(as_text=True)
    assert reload(Batch, batch.id).status == B.QUEUED


def test_page_resume_over_the_quota_flashes_the_quota_message(client, auth, user):
    batch, docs = pdf_batch(user, count=1, pages=2)
    batch_actions.cancel_batch(batch.id, user.id)
    use_up_pages(user, leave=1)
    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    resp = client.post(
        f"/batches/{batch.id}/resume", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "You have 1 page left this period" in resp.get_data(as_text=True)
    assert reload(Batch, batch.id).status == B.CANCELLED


def test_page_resume_without_csrf_is_refused(client, auth, user):
    batch, _ = batch_with(user, D.UPLOADED)
    batch_actions.cancel_batch(batch.id, user.id)
    auth.login(user.email)
    assert client.post(f"/batches/{batch.id}/resume", data={}).status_code == 400
    assert reload(Batch, batch.id).status == B.CANCELLED


def test_page_resume_when_redis_is_down_still_commits_and_says_the_queue_waits(
    app, client, auth, user
):
    batch, ids = batch_with(user, D.UPLOADED)
    batch_actions.cancel_batch(batch.id, user.id)
    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        resp = client.post(
            f"/batches/{batch.id}/resume",
            data={"csrf_token": csrf_from(page)},
            follow_redirects=True,
        )
    finally:
        app.extensions.pop("redis", None)
    text = resp.get_data(as_text=True)
    assert "Resumed 1 cancelled document." in text
    assert "queue is unreachable" in text
    assert doc_statuses(ids) == [D.UPLOADED]  # the sweeper enqueues it later


def test_resume_is_in_the_openapi_document(client, db):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/batches/{batch_id}/resume"]["post"]
    assert operation["operationId"] == "batch_resume"
    assert {"200", "402", "404", "409"} <= set(operation["responses"])
    error_codes = {
        status: operation["responses"][status]["content"]["application/json"]["schema"]["allOf"][1]
        for status in ("402", "409")
    }
    assert error_codes["402"]["properties"]["error"]["properties"]["code"]["enum"] == [
        "quota_exceeded"
    ]
    assert error_codes["409"]["properties"]["error"]["properties"]["code"]["enum"] == [
        "invalid_state"
    ]
    created = doc["paths"]["/api/v1/batches"]["post"]["responses"]["202"]["links"]
    assert created["ResumeBatch"]["operationId"] == "batch_resume"
