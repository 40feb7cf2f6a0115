"""The document pipeline end to end with a real RQ worker, PostgreSQL, Redis and real PDFs."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ExtractionJob,
    PromptStrategy,
)
from app.services import queueing
from engine import DEFAULT_PROMPTS
from jobs.documents import process_document
from tests.factories import make_document, make_user
from tests.pdfgen import make_pdf
from tests.support.pipeline import (
    RESUME_LINES,
    attempts_of,
    corrupt_pdf,
    counters,
    enqueue,
    fresh,
    invoice_pdf,
    pages_used,
    pdf_batch,
    result_of,
    statuses,
)

B, D = BatchStatus, DocumentStatus


@pytest.fixture
def provider(app):
    """Select an extraction provider for in-process jobs by name for one test."""
    old = app.config["EXTRACTION_PROVIDER"]

    def use(name: str):
        app.config["EXTRACTION_PROVIDER"] = name

    yield use
    app.config["EXTRACTION_PROVIDER"] = old


@pytest.fixture
def no_backoff(app):
    """Retries come back at once, so a burst worker runs them in the same run."""
    app.config["JOB_RETRY_INTERVALS"] = "0"
    yield
    app.config.pop("JOB_RETRY_INTERVALS", None)


def test_global_batch_runs_to_completed(user, worker):
    batch, docs = pdf_batch(user, count=3, pages=2)
    assert enqueue(docs) == 3

    worker()

    b = fresh(Batch, batch.id)
    assert b.status == B.COMPLETED
    assert b.completed_at is not None
    assert (b.completed_count, b.failed_count, b.progress) == (3, 0, 100)
    assert set(statuses(batch.id).values()) == {"completed"}
    assert pages_used(user) == 6
    result = result_of(docs[0].id)
    assert result["data"], "the result has extracted data"
    assert set(result) >= {"document_type", "data", "fields", "line_items", "meta"}
    job = db.session.scalar(sa.select(ExtractionJob).where(ExtractionJob.document_id == docs[0].id))
    assert job.prompt == "Extract the invoice number, date and total"
    assert job.provider == "local" and job.model and job.duration_ms is not None
    assert str(job.status) == "succeeded"


def test_per_document_batch_uses_each_documents_prompt(user, worker):
    prompts = ["Extract the invoice number", "Extract the total"]
    batch, docs = pdf_batch(
        user, count=2, strategy=PromptStrategy.PER_DOCUMENT, prompt=None, doc_prompts=prompts
    )
    enqueue(docs)

    worker()

    assert fresh(Batch, batch.id).status == B.COMPLETED
    used = db.session.execute(sa.select(ExtractionJob.document_id, ExtractionJob.prompt)).all()
    assert dict(used) == {docs[0].id: prompts[0], docs[1].id: prompts[1]}


def test_auto_batch_classifies_and_stores_type_and_default_prompt(user, worker):
    batch, docs = pdf_batch(
        user,
        strategy=PromptStrategy.AUTO,
        prompt=None,
        contents=[invoice_pdf(), make_pdf(1, lines=RESUME_LINES)],
    )
    enqueue(docs)

    worker()

    assert fresh(Batch, batch.id).status == B.COMPLETED
    invoice, resume = fresh(Document, docs[0].id), fresh(Document, docs[1].id)
    assert invoice.document_type == "invoice"
    assert invoice.extraction_prompt == DEFAULT_PROMPTS["invoice"]
    assert 0 < invoice.type_confidence <= 1
    assert resume.document_type == "resume"
    assert resume.extraction_prompt == DEFAULT_PROMPTS["resume"]


def test_single_document_without_prompt_is_auto_detected(user, worker):
    doc = make_document(user, None, content=invoice_pdf(), page_count=1)
    enqueue([doc])

    worker()

    doc = fresh(Document, doc.id)
    assert doc.status == D.COMPLETED
    assert doc.document_type == "invoice"
    assert doc.extraction_prompt == DEFAULT_PROMPTS["invoice"]
    assert pages_used(user) == 1


def test_corrupt_file_ends_partially_completed_and_is_not_charged(user, worker):
    batch, docs = pdf_batch(user, pages=2, contents=[invoice_pdf(2), corrupt_pdf()])
    enqueue(docs)

    worker()

    b = fresh(Batch, batch.id)
    assert b.status == B.PARTIALLY_COMPLETED and b.completed_at is not None
    assert (b.completed_count, b.failed_count) == (1, 1)
    broken = fresh(Document, docs[1].id)
    assert broken.status == D.FAILED
    assert broken.error_code == "unreadable_pdf"
    assert broken.error_message
    assert (broken.reserved_pages, broken.usage_id) == (0, None)
    assert pages_used(user) == 2, "only the completed document stays charged"


def test_all_failing_batch_ends_failed(user, worker):
    batch, docs = pdf_batch(user, contents=[corrupt_pdf(), corrupt_pdf()])
    enqueue(docs)

    worker()

    b = fresh(Batch, batch.id)
    assert b.status == B.FAILED and b.completed_at is not None
    assert (b.completed_count, b.failed_count, b.progress) == (0, 2, 100)
    assert pages_used(user) == 0


def test_missing_file_fails_with_file_missing(user, worker):
    from app.storage import get_storage

    batch, docs = pdf_batch(user, count=1)
    get_storage().delete(docs[0].storage_key)
    enqueue(docs)

    worker()

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "file_missing")
    assert "Upload the document again" in doc.error_message
    assert fresh(Batch, batch.id).status == B.FAILED
    assert pages_used(user) == 0


def test_quota_exceeded_fails_the_document_and_charges_nothing(app, db, worker):
    user = make_user(plan="starter")  # 50 pages a month
    batch, docs = pdf_batch(user, count=2, pages=30)
    enqueue(docs)

    worker()

    docs = sorted((fresh(Document, d.id) for d in docs), key=lambda d: str(d.status))
    assert [str(d.status) for d in docs] == ["completed", "failed"]
    assert docs[1].error_code == "quota_exceeded"
    assert "30 pages" in docs[1].error_message and "20 of 50" in docs[1].error_message
    assert pages_used(user) == 30
    assert fresh(Batch, batch.id).status == B.PARTIALLY_COMPLETED


# -- idempotency (invariant 3, docs/states.md) ------------------------------------------------------------


def test_the_same_job_run_twice_changes_nothing_the_second_time(user, worker):
    batch, docs = pdf_batch(user, count=2, pages=3)
    enqueue(docs)
    worker()
    before = (counters(batch.id), pages_used(user), fresh(Batch, batch.id).completed_at)

    assert process_document(str(docs[0].id)) == "stopped"
    enqueue(docs)  # the old finished jobs are replaced and run again
    worker()

    assert (counters(batch.id), pages_used(user), fresh(Batch, batch.id).completed_at) == before
    assert fresh(Document, docs[0].id).attempts == 1
    assert attempts_of(docs[0].id) == [(1, "succeeded")]


def test_a_live_job_is_never_queued_twice(user, redis_conn):
    batch, docs = pdf_batch(user, count=1)
    assert enqueue(docs) == 1
    assert enqueue(docs) == 0
    assert queueing.enqueue_documents([docs[0].id, docs[0].id]) == 0
    assert redis_conn.llen("rq:queue:documents") == 1


def test_enqueueing_many_documents_leaves_a_job_that_appeared_meanwhile_alone(user, redis_conn):
    from app.extensions import get_queue

    batch, docs = pdf_batch(user, count=3)
    queue = get_queue(queueing.DOCUMENT_QUEUE)
    ids = [str(d.id) for d in docs]
    # another process enqueued the middle document after this one looked for jobs
    other = queue.enqueue(
        queueing.DOCUMENT_JOB,
        ids[1],
        job_id=queueing.document_job_id(ids[1]),
        description="enqueued elsewhere",
    )

    assert queueing.enqueue_unique_jobs(queue, ids) == [True, False, True]
    assert redis_conn.llen("rq:queue:documents") == 3  # one entry per document, none twice
    assert queue.fetch_job(other.id).description == "enqueued elsewhere"
    job = queue.fetch_job(f"document-{ids[0]}")
    assert (list(job.args), job.timeout, job.retries_left) == ([ids[0]], 600, 3)


def test_a_retried_job_charges_and_counts_once(user, worker, provider, no_backoff):
    from tests.support.providers import FlakyProvider

    FlakyProvider.calls, FlakyProvider.failures = 0, 2
    provider("tests.support.providers:FlakyProvider")
    batch, docs = pdf_batch(user, count=1, pages=3)
    enqueue(docs)

    worker()

    doc = fresh(Document, docs[0].id)
    assert doc.status == D.COMPLETED
    assert doc.attempts == 3
    assert attempts_of(doc.id) == [(1, "failed"), (2, "failed"), (3, "succeeded")]
    assert counters(batch.id) == (1, 0, 0)
    assert pages_used(user) == 3
    assert fresh(Batch, batch.id).status == B.COMPLETED


def test_transient_errors_fail_with_provider_error_after_the_last_retry(
    user, worker, provider, no_backoff
):
    provider("tests.support.providers:DownProvider")
    batch, docs = pdf_batch(user, count=1, pages=2)
    enqueue(docs)

    worker()

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "provider_error")
    assert "did not answer after 4 attempts" in doc.error_message
    assert doc.attempts == 4, "one run and three retries"
    assert (doc.reserved_pages, doc.usage_id) == (0, None)
    assert pages_used(user) == 0
    assert counters(batch.id) == (0, 1, 0)
    assert fresh(Batch, batch.id).status == B.FAILED


def test_a_programming_error_is_retried_then_fails_with_extraction_failed(
    user, worker, provider, no_backoff, redis_conn
):
    from rq.registry import FailedJobRegistry

    from app.extensions import get_queue

    provider("tests.support.providers:CrashingProvider")
    batch, docs = pdf_batch(user, count=1)
    enqueue(docs)

    worker()

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "extraction_failed")
    assert pages_used(user) == 0
    failed = FailedJobRegistry(queue=get_queue("documents"))
    assert queueing.document_job_id(doc.id) in failed.get_job_ids(), "kept for the operators"


def test_a_job_after_cancel_changes_nothing(user, worker):
    batch, docs = pdf_batch(user, count=2)
    b = fresh(Batch, batch.id)
    for d in docs:
        fresh(Document, d.id).transition(D.CANCELLED)
    b.transition(B.CANCELLED)
    b.cancelled_count = 2
    db.session.commit()
    enqueue(docs)

    worker()

    assert set(statuses(batch.id).values()) == {"cancelled"}
    assert counters(batch.id) == (0, 0, 2)
    assert pages_used(user) == 0
    assert attempts_of(docs[0].id) == []


def test_a_document_left_waiting_in_a_cancelled_batch_ends_cancelled(user, worker):
    batch, docs = pdf_batch(user, count=1)
    fresh(Batch, batch.id).transition(B.CANCELLED)
    db.session.commit()
    enqueue(docs)

    worker()

    assert fresh(Document, docs[0].id).status == D.CANCELLED
    b = fresh(Batch, batch.id)
    assert (b.status, b.cancelled_count) == (B.CANCELLED, 1)
    assert b.completed_at is not None, "the cancelled batch is complete once nothing runs"
    assert pages_used(user) == 0


def test_a_job_after_delete_changes_nothing(user, worker):
    batch, docs = pdf_batch(user, count=2)
    enqueue(docs)
    db.session.execute(sa.delete(Document).where(Document.id == docs[0].id))
    db.session.commit()

    worker()

    assert pages_used(user) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtractionJob)) == 1


def test_the_first_claim_moves_the_batch_to_processing(user, app):
    from tests.support.providers import FlakyProvider

    batch, docs = pdf_batch(user, count=2)
    app.config["EXTRACTION_PROVIDER"] = "tests.support.providers:FlakyProvider"
    FlakyProvider.calls, FlakyProvider.failures = 0, 0
    try:
        assert process_document(str(docs[0].id)) == "completed"
    finally:
        app.config["EXTRACTION_PROVIDER"] = "local"
    b = fresh(Batch, batch.id)
    assert (b.status, b.completed_count, b.completed_at) == (B.PROCESSING, 1, None)


def test_an_extraction_past_the_job_timeout_fails_with_a_clear_message(user, worker, provider, app):
    provider("tests.support.providers:HangingProvider")
    timeout, app.config["JOB_TIMEOUT_SECONDS"] = app.config["JOB_TIMEOUT_SECONDS"], 1
    app.config["JOB_RETRY_MAX"] = 0
    try:
        batch, docs = pdf_batch(user, count=1, pages=2)
        enqueue(docs)
        worker()
    finally:
        app.config["JOB_TIMEOUT_SECONDS"] = timeout
        app.config.pop("JOB_RETRY_MAX")

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "extraction_failed")
    assert "longer than the 1-second limit" in doc.error_message
    assert pages_used(user) == 0
    assert fresh(Batch, batch.id).status == B.FAILED


def test_a_failed_document_put_back_is_enqueued_over_its_old_failed_job(
    user, worker, provider, app
):
    from rq.registry import FailedJobRegistry

    from app.extensions import get_queue

    provider("tests.support.providers:CrashingProvider")
    app.config["JOB_RETRY_MAX"] = 0
    try:
        batch, docs = pdf_batch(user, count=1, pages=2)
        enqueue(docs)
        worker()
    finally:
        app.config.pop("JOB_RETRY_MAX")
    job_id = queueing.document_job_id(docs[0].id)
    assert job_id in FailedJobRegistry(queue=get_queue("documents")).get_job_ids()
    assert fresh(Batch, batch.id).status == B.FAILED

    # The user retries: failed → uploaded and the batch reopens, as the retry action does.
    provider("local")
    db.session.execute(
        sa.update(Document).where(Document.id == docs[0].id).values(status=D.UPLOADED)
    )
    db.session.execute(
        sa.update(Batch)
        .where(Batch.id == batch.id)
        .values(status=B.QUEUED, failed_count=0, completed_at=None)
    )
    db.session.commit()
    assert enqueue(docs) == 1, "the old failed job does not block the new one"
    assert enqueue(docs) == 0, "but the new one, queued, does"
    worker()

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.attempts, doc.error_code) == (D.COMPLETED, 2, None)
    assert job_id not in FailedJobRegistry(queue=get_queue("documents")).get_job_ids()
    assert counters(batch.id) == (1, 0, 0)
    assert fresh(Batch, batch.id).status == B.COMPLETED
    assert pages_used(user) == 2


def test_each_event_is_one_log_line_with_batch_and_document(user, worker, caplog, monkeypatch):
    import logging

    # An alembic run earlier in the session (logging.config.fileConfig) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("ingestio.pipeline"), "disabled", False)
    batch, docs = pdf_batch(user, count=1, pages=3)
    enqueue(docs)

    with caplog.at_level("INFO", logger="ingestio.pipeline"):
        worker()

    lines = [r.getMessage() for r in caplog.records if r.name == "ingestio.pipeline"]
    prefix = f"document.completed batch={batch.id} document={docs[0].id} pages=3 ms="
    assert any(line.startswith(prefix) for line in lines), lines
    assert f"batch.finalized batch={batch.id} status=completed" in " | ".join(lines)
    done = next(r for r in caplog.records if r.getMessage().startswith("document.completed"))
    assert (done.batch_id, done.document_id) == (str(batch.id), str(docs[0].id))
