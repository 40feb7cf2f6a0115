"""Cancel, retry and delete through the API, the pages and the service, in every state and while
a document job is running."""

import re
import threading

import pytest
import sqlalchemy as sa
from flask import current_app
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
    ExtractionResult,
)
from app.services import batch_actions, quota
from app.services.queueing import document_job_id
from app.storage import get_storage
from tests.batch_rows import claim, finish, reload, run_document
from tests.conftest import csrf_from
from tests.factories import make_batch, make_document
from tests.support.pipeline import enqueue, pdf_batch
from tests.support.providers import LocalBased

B, D = BatchStatus, DocumentStatus


def batch_with(user, *statuses, batch_status=None, name="Batch"):
    """A batch whose documents are driven to the given statuses as the job would."""
    batch = make_batch(user, name=name)
    docs = [make_document(user, batch, filename=f"f{i}.pdf") for i in range(len(statuses))]
    for doc, status in zip(docs, statuses, strict=True):
        if status == D.PROCESSING:
            claim(doc.id)
        elif status in (D.COMPLETED, D.FAILED):
            run_document(doc.id, status)
    if batch_status is not None:
        db.session.execute(sa.update(Batch).where(Batch.id == batch.id).values(status=batch_status))
        db.session.commit()
    return reload(Batch, batch.id), [d.id for d in docs]


def audit_actions(batch_id):
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.batch_id == batch_id)
            .order_by(AuditEvent.created_at)
        )
    )


def doc_statuses(ids):
    db.session.expire_all()
    return [db.session.get(Document, i).status for i in ids]


def queued_job_ids(redis_conn):
    return set(Queue("documents", connection=redis_conn).get_job_ids())


# --- cancel ---------------------------------------------------------------------------------------


def test_cancel_a_queued_batch_cancels_every_document_and_finishes_it(api, user):
    batch, ids = batch_with(user, D.UPLOADED, D.UPLOADED, D.UPLOADED)

    resp = api.post(f"/api/v1/batches/{batch.id}/cancel")

    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "cancelled"
    assert (body["cancelled_count"], body["progress"]) == (3, 100)
    assert body["completed_at"] is not None
    assert {d["status"] for d in body["documents"]} == {"cancelled"}
    assert doc_statuses(ids) == [D.CANCELLED] * 3
    assert "batch.cancelled" in audit_actions(batch.id)


def test_cancel_while_a_document_runs_lets_it_finish_and_keeps_the_batch_cancelled(api, user):
    batch, ids = batch_with(user, D.COMPLETED, D.PROCESSING, D.UPLOADED, D.UPLOADED)
    assert batch.status == B.PROCESSING

    body = api.post(f"/api/v1/batches/{batch.id}/cancel").get_json()

    assert body["status"] == "cancelled"
    assert (body["completed_count"], body["cancelled_count"]) == (1, 2)
    assert body["completed_at"] is None  # one document is still running
    assert doc_statuses(ids) == [D.COMPLETED, D.PROCESSING, D.CANCELLED, D.CANCELLED]

    # The running job finishes after the cancel; a queued job for a cancelled one claims nothing.
    assert finish(ids[1]) is True
    assert claim(ids[2]) is False

    after = api.get(f"/api/v1/batches/{batch.id}").get_json()
    assert after["status"] == "cancelled"
    assert (after["completed_count"], after["failed_count"], after["cancelled_count"]) == (2, 0, 2)
    assert after["progress"] == 100
    assert after["completed_at"] is not None


def test_a_running_document_that_fails_after_cancel_is_counted_as_failed(api, user):
    batch, ids = batch_with(user, D.PROCESSING, D.UPLOADED)
    api.post(f"/api/v1/batches/{batch.id}/cancel")
    finish(ids[0], D.FAILED, error_code=ErrorCode.PROVIDER_ERROR)
    after = api.get(f"/api/v1/batches/{batch.id}").get_json()
    assert after["status"] == "cancelled"
    assert (after["failed_count"], after["cancelled_count"]) == (1, 1)
    assert after["completed_at"] is not None


def test_cancel_in_a_final_state_is_409(api, user):
    cases = [
        batch_with(user, D.COMPLETED, name="done")[0],
        batch_with(user, D.COMPLETED, D.FAILED, name="partial")[0],
        batch_with(user, D.FAILED, name="failed")[0],
        batch_with(user, D.UPLOADED, batch_status=B.CANCELLED, name="cancelled")[0],
    ]
    for batch in cases:
        resp = api.post(f"/api/v1/batches/{batch.id}/cancel")
        assert resp.status_code == 409, batch.name
        assert resp.get_json()["error"]["code"] == "invalid_state"
        assert reload(Batch, batch.id).status == batch.status
    cancelled = sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "batch.cancelled"
    )
    assert db.session.scalar(cancelled) == 0


# --- retry ----------------------------------------------------------------------------------------


def test_retry_requeues_failed_documents_and_reopens_the_batch(api, user, redis_conn, worker):
    batch, ids = batch_with(user, D.COMPLETED, D.FAILED, D.FAILED)
    assert batch.status == B.PARTIALLY_COMPLETED

    resp = api.post(f"/api/v1/batches/{batch.id}/retry")

    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "queued"
    assert (body["completed_count"], body["failed_count"]) == (1, 0)
    assert body["completed_at"] is None
    docs = {d["id"]: d for d in body["documents"]}
    assert [docs[str(i)]["status"] for i in ids] == ["completed", "uploaded", "uploaded"]
    assert docs[str(ids[1])]["error"] is None
    assert queued_job_ids(redis_conn) == {document_job_id(ids[1]), document_job_id(ids[2])}
    assert audit_actions(batch.id)[-1] == "batch.retried"

    # The second run succeeds; attempts keep counting, one ExtractionJob row per run.
    for doc_id in ids[1:]:
        run_document(doc_id)
    final = api.get(f"/api/v1/batches/{batch.id}").get_json()
    assert final["status"] == "completed"
    assert (final["completed_count"], final["failed_count"]) == (3, 0)
    assert reload(Document, ids[1]).attempts == 2
    runs = db.session.scalar(
        sa.select(sa.func.count(ExtractionJob.id)).where(ExtractionJob.document_id == ids[1])
    )
    assert runs == 2


def test_retry_a_failed_batch_moves_it_to_queued(api, user):
    batch, _ids = batch_with(user, D.FAILED, D.FAILED)
    assert batch.status == B.FAILED
    body = api.post(f"/api/v1/batches/{batch.id}/retry").get_json()
    assert (body["status"], body["failed_count"]) == ("queued", 0)


def test_retry_while_processing_keeps_the_batch_processing(api, user):
    batch, ids = batch_with(user, D.FAILED, D.PROCESSING)
    assert batch.status == B.PROCESSING
    body = api.post(f"/api/v1/batches/{batch.id}/retry").get_json()
    assert body["status"] == "processing"
    assert body["failed_count"] == 0
    assert doc_statuses(ids) == [D.UPLOADED, D.PROCESSING]


def test_quota_failure_can_be_retried_after_an_upgrade(api, user):
    batch, ids = batch_with(user, D.COMPLETED, D.UPLOADED)
    claim(ids[1])
    finish(ids[1], D.FAILED, error_code=ErrorCode.QUOTA_EXCEEDED, error_message="Out of pages.")
    assert reload(Batch, batch.id).status == B.PARTIALLY_COMPLETED

    body = api.post(f"/api/v1/batches/{batch.id}/retry").get_json()
    retried = next(d for d in body["documents"] if d["id"] == str(ids[1]))
    assert (retried["status"], retried["error"]) == ("uploaded", None)
    assert body["status"] == "queued"


def test_retry_with_nothing_failed_or_in_a_final_state_is_409(api, user):
    cases = [
        batch_with(user, D.COMPLETED, name="completed")[0],
        batch_with(user, D.UPLOADED, D.PROCESSING, name="running")[0],
        batch_with(user, D.FAILED, D.UPLOADED, batch_status=B.CANCELLED, name="cancelled")[0],
    ]
    for batch in cases:
        resp = api.post(f"/api/v1/batches/{batch.id}/retry")
        assert resp.status_code == 409, batch.name
        assert resp.get_json()["error"]["code"] == "invalid_state"


def test_retry_still_commits_when_redis_is_down(app, api, user):
    batch, ids = batch_with(user, D.FAILED)
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    try:
        resp = api.post(f"/api/v1/batches/{batch.id}/retry")
    finally:
        app.extensions.pop("redis", None)
    assert resp.status_code == 200
    assert doc_statuses(ids) == [D.UPLOADED]  # the sweeper re-enqueues it later


# --- delete ---------------------------------------------------------------------------------------


def test_delete_removes_batch_documents_results_and_files(api, user):
    batch, ids = batch_with(user, D.COMPLETED, D.FAILED, D.UPLOADED)
    keys = [reload(Document, i).storage_key for i in ids]
    storage = get_storage()
    assert all(storage.exists(k) for k in keys)

    resp = api.delete(f"/api/v1/batches/{batch.id}")

    assert resp.status_code == 204 and resp.get_data() == b""
    assert api.get(f"/api/v1/batches/{batch.id}").status_code == 404
    assert api.get(f"/api/v1/documents/{ids[0]}").status_code == 404
    for model in (Batch, Document, ExtractionResult, ExtractionJob):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert not any(storage.exists(k) for k in keys)
    assert audit_actions(batch.id)[-1] == "batch.deleted"
    assert api.delete(f"/api/v1/batches/{batch.id}").status_code == 404


def test_delete_while_a_document_is_processing_ends_its_job_quietly(api, user):
    batch, ids = batch_with(user, D.COMPLETED, D.PROCESSING)
    charged = quota.pages_used(user)  # the completed document's pages
    # The running job holds a page reservation, as the pipeline does before extracting.
    usage_id = quota.reserve(user, 5)
    db.session.execute(
        sa.update(Document).where(Document.id == ids[1]).values(reserved_pages=5, usage_id=usage_id)
    )
    db.session.commit()
    assert quota.pages_used(user) == charged + 5

    assert api.delete(f"/api/v1/batches/{batch.id}").status_code == 204

    assert finish(ids[1]) is False  # the job's finishing UPDATE meets no row
    assert db.session.scalar(sa.select(sa.func.count(ExtractionResult.id))) == 0
    assert quota.pages_used(user) == charged  # a document that never completed is not charged


def test_delete_works_in_every_state(api, user):
    for status in (B.QUEUED, B.PROCESSING, B.COMPLETED, B.CANCELLED, B.FAILED):
        batch, _ = batch_with(user, D.UPLOADED, batch_status=status, name=str(status))
        assert api.delete(f"/api/v1/batches/{batch.id}").status_code == 204
    assert db.session.scalar(sa.select(sa.func.count(Batch.id))) == 0


def test_delete_a_single_upload(api, user):
    doc = make_document(user, None, filename="alone.pdf")
    key = doc.storage_key
    resp = api.delete(f"/api/v1/documents/{doc.id}")
    assert resp.status_code == 204
    assert api.get(f"/api/v1/documents/{doc.id}").status_code == 404
    assert not get_storage().exists(key)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.document_id == doc.id)
    ).all()
    assert actions == ["document.deleted"]


def test_a_document_of_a_batch_is_deleted_with_its_batch_only(api, user):
    batch, ids = batch_with(user, D.UPLOADED)
    resp = api.delete(f"/api/v1/documents/{ids[0]}")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "invalid_state"
    assert reload(Document, ids[0]) is not None


# --- the service shared by API, pages and CLI -----------------------------------------------------


def test_service_scopes_every_action_to_the_owner(user):
    from tests.factories import make_user

    stranger = make_user("stranger@example.com")
    batch, _ = batch_with(user, D.UPLOADED)
    for action in (
        batch_actions.cancel_batch,
        batch_actions.retry_batch,
        batch_actions.delete_batch,
    ):
        try:
            action(batch.id, stranger.id)
        except batch_actions.NotFound:
            pass
        else:
            raise AssertionError(f"{action.__name__} acted on another user's batch")
    assert reload(Batch, batch.id).status == B.QUEUED


# --- the page forms -------------------------------------------------------------------------------


def test_page_cancel_with_csrf_redirects_with_a_message(client, auth, user):
    batch, ids = batch_with(user, D.UPLOADED)
    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)

    resp = client.post(
        f"/batches/{batch.id}/cancel", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )

    assert resp.status_code == 200
    assert "Batch cancelled" in resp.get_data(as_text=True)
    assert reload(Batch, batch.id).status == B.CANCELLED


def test_page_action_without_csrf_is_refused_and_changes_nothing(client, auth, user):
    batch, _ = batch_with(user, D.UPLOADED)
    auth.login(user.email)
    resp = client.post(f"/batches/{batch.id}/delete", data={})
    assert resp.status_code == 400
    assert reload(Batch, batch.id) is not None


def test_page_retry_in_a_wrong_state_explains_why(client, auth, user):
    batch, _ = batch_with(user, D.COMPLETED)
    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    resp = client.post(
        f"/batches/{batch.id}/retry", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "Nothing to retry" in resp.get_data(
        as_text=True
    ) or "cannot be retried" in resp.get_data(as_text=True)


def test_api_session_post_needs_csrf(client, auth, user):
    batch, _ = batch_with(user, D.UPLOADED)
    auth.login(user.email)
    assert client.post(f"/api/v1/batches/{batch.id}/cancel").status_code == 400
    token = auth.csrf(f"/batches/{batch.id}")
    ok = client.post(f"/api/v1/batches/{batch.id}/cancel", headers={"X-CSRFToken": token})
    assert ok.status_code == 200


# --- racing the real document job -----------------------------------------------------------------


class UserActsDuringExtraction(LocalBased):
    """The real local extraction, during which the user acts from another connection.

    `action(batch_id)` runs in its own thread and app context (its own database session), and the
    extraction goes on only once it has returned, as when a user clicks while a worker extracts.
    """

    name = "acting"
    action = None
    batch_id = None

    def extract(self, doc, prompt, document_type=None):
        cls = type(self)
        if cls.action is not None:
            action, cls.action = cls.action, None
            app = current_app._get_current_object()
            errors = []

            def run():
                with app.app_context():
                    try:
                        action(cls.batch_id)
                    except Exception as exc:  # noqa: BLE001 - reported to the test below
                        errors.append(exc)
                    finally:
                        db.session.remove()

            thread = threading.Thread(target=run)
            thread.start()
            thread.join(60)
            assert not errors, errors
        return super().extract(doc, prompt, document_type=document_type)


@pytest.fixture
def acting_provider(app):
    old = app.config["EXTRACTION_PROVIDER"]
    app.config["EXTRACTION_PROVIDER"] = "tests.test_actions:UserActsDuringExtraction"
    yield UserActsDuringExtraction
    UserActsDuringExtraction.action = None
    app.config["EXTRACTION_PROVIDER"] = old


def test_real_job_finishes_its_document_after_a_cancel(user, worker, acting_provider, redis_conn):
    batch, docs = pdf_batch(user, count=2, pages=2)
    acting_provider.batch_id = batch.id
    acting_provider.action = lambda batch_id: batch_actions.cancel_batch(batch_id, user.id)
    enqueue(docs)

    worker()

    after = reload(Batch, batch.id)
    assert after.status == B.CANCELLED
    assert (after.completed_count, after.failed_count, after.cancelled_count) == (1, 0, 1)
    assert after.completed_at is not None  # the job that ended the last document finalized it
    assert doc_statuses([d.id for d in docs]) == [D.COMPLETED, D.CANCELLED]
    assert quota.pages_used(user) == 2  # only the completed document is charged
    assert not Queue("documents", connection=redis_conn).failed_job_registry.get_job_ids()


def test_real_job_meeting_a_deleted_document_ends_quietly(
    user, worker, acting_provider, redis_conn
):
    batch, docs = pdf_batch(user, count=1, pages=3)
    key = docs[0].storage_key
    acting_provider.batch_id = batch.id
    acting_provider.action = lambda batch_id: batch_actions.delete_batch(batch_id, user.id)
    enqueue(docs)

    worker()

    db.session.expire_all()
    for model in (Batch, Document, ExtractionResult, ExtractionJob):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert not get_storage().exists(key)
    assert quota.pages_used(user) == 0  # the reservation of the deleted document was given back
    assert not Queue("documents", connection=redis_conn).failed_job_registry.get_job_ids()


def test_quota_failures_run_again_after_an_upgrade(db, worker, redis_conn):
    from app.services import accounts
    from tests.factories import make_user

    starter = make_user("small@example.com", plan="starter")  # 50 pages a month
    batch, docs = pdf_batch(starter, count=2, pages=30)
    enqueue(docs)
    worker()
    first = reload(Batch, batch.id)
    assert first.status == B.PARTIALLY_COMPLETED
    failed = next(d for d in docs if reload(Document, d.id).status == D.FAILED)
    assert reload(Document, failed.id).error_code == ErrorCode.QUOTA_EXCEEDED

    accounts.set_plan(reload(type(starter), starter.id), "plus")
    db.session.commit()
    outcome = batch_actions.retry_batch(batch.id, starter.id)
    assert outcome.enqueued == 1
    worker()

    after = reload(Batch, batch.id)
    assert after.status == B.COMPLETED
    assert (after.completed_count, after.failed_count) == (2, 0)
    assert reload(Document, failed.id).attempts == 2
    assert quota.pages_used(reload(type(starter), starter.id)) == 60


def test_retry_leaves_failures_a_retry_cannot_fix_alone(api, client, auth, user, redis_conn):
    batch, ids = batch_with(user, D.COMPLETED, D.UPLOADED, D.UPLOADED)
    claim(ids[1])
    finish(ids[1], D.FAILED, error_code=ErrorCode.UNREADABLE_PDF, error_message="Unreadable.")
    claim(ids[2])
    finish(ids[2], D.FAILED, error_code=ErrorCode.PROVIDER_ERROR, error_message="Try later.")

    status = api.get(f"/api/v1/batches/{batch.id}").get_json()
    errors = {d["id"]: d["error"] for d in status["documents"]}
    assert errors[str(ids[1])]["retryable"] is False
    assert errors[str(ids[2])]["retryable"] is True

    auth.login(user.email)
    page = client.get(f"/batches/{batch.id}").data.decode()
    resp = client.post(f"/batches/{batch.id}/retry", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    after = client.get(f"/batches/{batch.id}").data.decode()
    assert "1 failed document queued again. 1 stay failed: retrying cannot fix" in after
    assert doc_statuses(ids) == [D.COMPLETED, D.FAILED, D.UPLOADED]
    assert queued_job_ids(redis_conn) == {document_job_id(ids[2])}

    # Once only the unfixable one is left, retrying is refused and says why; no button offers it.
    run_document(ids[2])
    resp = api.post(f"/api/v1/batches/{batch.id}/retry")
    assert resp.status_code == 409
    assert "cannot be fixed by retrying" in resp.get_json()["error"]["message"]
    page = client.get(f"/batches/{batch.id}").data.decode()
    assert re.search(r'data-show-if="retryable"\s+hidden', page)
