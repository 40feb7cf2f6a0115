"""Finalizing batches: once, truthfully, by the last document job or by the periodic finalizer."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Batch, BatchStatus, Document, DocumentStatus, states
from app.services import finalize
from jobs.documents import DocumentPipeline
from tests.support.pipeline import counters, enqueue, fresh, pages_used, pdf_batch

B, D = BatchStatus, DocumentStatus


def set_status(doc_id, status: DocumentStatus) -> None:
    """Move a document with a conditional UPDATE, as the jobs do (counters untouched)."""
    sources = states.document_sources(status, list(D))
    db.session.execute(
        sa.update(Document)
        .where(Document.id == doc_id, Document.status.in_(sources))
        .values(status=status)
    )
    db.session.commit()


def test_the_last_document_job_finalizes_its_batch_at_once(user, worker):
    batch, docs = pdf_batch(user, count=2)
    enqueue(docs)

    worker(queues=("documents",))  # the periodic job on `default` plays no part

    b = fresh(Batch, batch.id)
    assert b.status == B.COMPLETED
    last_done = max(fresh(Document, d.id).completed_at for d in docs)
    assert b.completed_at >= last_done


def test_a_batch_is_finalized_only_once(user):
    batch, docs = pdf_batch(user, count=2)
    for d in docs:
        set_status(d.id, D.PROCESSING)
        set_status(d.id, D.COMPLETED)

    assert finalize.finalize_batch(batch.id) == B.COMPLETED
    first = fresh(Batch, batch.id).completed_at
    assert finalize.finalize_batch(batch.id) is None
    assert fresh(Batch, batch.id).completed_at == first


def test_the_finalizer_catches_a_batch_its_jobs_left_unfinalized(runner, user):
    batch, docs = pdf_batch(user, count=3)
    set_status(docs[0].id, D.PROCESSING)
    set_status(docs[0].id, D.COMPLETED)
    set_status(docs[1].id, D.FAILED)
    set_status(docs[2].id, D.PROCESSING)
    set_status(docs[2].id, D.COMPLETED)

    result = runner.invoke(args=["batches", "finalize"])

    assert result.exit_code == 0, result.output
    assert f"batch {batch.id}: partially_completed" in result.output
    assert "Finalized 1 batch." in result.output
    b = fresh(Batch, batch.id)
    assert b.status == B.PARTIALLY_COMPLETED and b.completed_at is not None
    assert counters(batch.id) == (2, 1, 0), "counters agree with the documents"
    assert "Finalized 0 batches." in runner.invoke(args=["batches", "finalize"]).output


def test_a_batch_with_a_waiting_document_is_not_finalized(user):
    batch, docs = pdf_batch(user, count=2)
    set_status(docs[0].id, D.FAILED)

    assert finalize.finalize_batch(batch.id) is None
    assert finalize.finalize_pending() == {}
    assert fresh(Batch, batch.id).status == B.QUEUED


def test_a_cancelled_batch_keeps_its_status_and_completes_when_its_running_document_ends(user):
    batch, docs = pdf_batch(user, count=2, pages=2)
    run = DocumentPipeline(docs[0].id)
    run.claim()
    run.scope.close()
    # The user cancels while the first document runs: the waiting one is cancelled at once.
    set_status(docs[1].id, D.CANCELLED)
    db.session.execute(
        sa.update(Batch)
        .where(Batch.id == batch.id)
        .values(status=B.CANCELLED, cancelled_count=Batch.cancelled_count + 1)
    )
    db.session.commit()
    assert finalize.finalize_pending() == {}, "a document still runs"

    run.open_file()
    run.resolve_prompt()
    run.extract()
    run.store()
    run.scope.close()

    b = fresh(Batch, batch.id)
    assert b.status == B.CANCELLED
    assert b.completed_at is not None
    assert counters(batch.id) == (1, 0, 1)
    assert pages_used(user) == 2, "the document that ran to the end is charged"
