"""A user's cancel or delete meets a document in the middle of extraction, and then a fault."""

import pytest
import sqlalchemy as sa

from app.extensions import db, get_redis
from app.models import Batch, BatchStatus, Document, DocumentStatus, ExtractionJob
from app.services import batch_actions, queueing
from app.storage import get_storage
from tests.faults.conftest import assert_consistent, blocking, register_schedule, settled
from tests.processes import wait_until
from tests.support.pipeline import enqueue, fresh, pages_used, pdf_batch, statuses

pytestmark = pytest.mark.faults

B, D = BatchStatus, DocumentStatus


def held_document(block_dir, docs, procs):
    marker = wait_until(
        lambda: next(block_dir.glob("started-*"), None),
        timeout=60,
        what="a job in the middle of a document",
        procs=procs,
    )
    return next(d for d in docs if marker.name.endswith(d.original_filename))


def test_a_batch_deleted_while_a_document_is_extracted(fault_app, env, procs, block_dir, user):
    batch, docs = pdf_batch(user, count=3, pages=2)
    keys, doc_ids, batch_id = [d.storage_key for d in docs], [d.id for d in docs], batch.id
    enqueue(docs)
    procs.worker("worker", blocking(env, block_dir))
    held_document(block_dir, docs, procs)
    assert pages_used(user) == 2

    assert batch_actions.delete_batch(batch_id, user.id) == 3
    (block_dir / "release").touch()
    # The job finishes its extraction, finds no row to complete and stores nothing; the other
    # two find nothing to claim.
    connection = get_redis()
    wait_until(
        lambda: all(
            (job := queueing.document_job(connection, doc_id)) is not None
            and job.get_status() == "finished"
            for doc_id in doc_ids
        ),
        timeout=60,
        what="the three jobs to end",
        procs=procs,
    )
    assert fresh(Batch, batch_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtractionJob)) == 0
    assert not any(get_storage().exists(k) for k in keys)
    assert pages_used(user) == 0
    assert_consistent(fault_app)


def test_a_cancelled_batch_s_worker_killed_mid_document(fault_app, env, procs, block_dir, user):
    batch, docs = pdf_batch(user, count=4, pages=1)
    enqueue(docs)
    register_schedule(env)
    procs.scheduler("scheduler", env)
    procs.worker("worker-1", blocking(env, block_dir))
    middle = held_document(block_dir, docs, procs)

    batch_actions.cancel_batch(batch.id, user.id)
    assert statuses(batch.id)[middle.original_filename] == "processing"
    procs.kill("worker-1")
    (block_dir / "release").touch()
    procs.worker("worker-2", blocking(env, block_dir))

    wait_until(lambda: settled([batch.id]), timeout=90, what="the batch to close", procs=procs)
    b = fresh(Batch, batch.id)
    assert (b.status, b.cancelled_count, b.completed_count) == (B.CANCELLED, 4, 0)
    assert fresh(Document, middle.id).status == D.CANCELLED, "never resurrected"
    assert pages_used(user) == 0
    assert_consistent(fault_app)
