"""kill -9 of a worker in the middle of a document: the sweeper recovers it, nothing is lost."""

import pytest

from app.models import Batch, BatchStatus, Document, DocumentStatus
from tests.faults.conftest import (
    assert_consistent,
    blocking,
    register_schedule,
    settled,
    wait_for_workers,
)
from tests.processes import wait_until
from tests.support.pipeline import attempts_of, enqueue, fresh, pages_used, pdf_batch

pytestmark = pytest.mark.faults


def test_a_worker_killed_mid_batch_loses_nothing(fault_app, env, procs, block_dir, user):
    batch, docs = pdf_batch(user, count=6, pages=2)
    enqueue(docs)
    register_schedule(env)
    procs.scheduler("scheduler", env)
    procs.worker("worker-1", blocking(env, block_dir))

    marker = wait_until(
        lambda: next(block_dir.glob("started-*"), None),
        timeout=60,
        what="a job in the middle of a document",
        procs=procs,
    )
    middle = next(d for d in docs if marker.name.endswith(d.original_filename))
    assert fresh(Document, middle.id).status == DocumentStatus.PROCESSING
    assert pages_used(user) == 2, "its pages are reserved"

    procs.kill("worker-1")  # SIGKILL to the worker and its work horse
    (block_dir / "release").touch()
    procs.worker("worker-2", blocking(env, block_dir))

    wait_until(lambda: settled([batch.id]), timeout=90, what="the batch to finish", procs=procs)
    b = fresh(Batch, batch.id)
    assert (b.status, b.completed_count, b.failed_count) == (BatchStatus.COMPLETED, 6, 0)
    assert attempts_of(middle.id) == [(1, "abandoned"), (2, "succeeded")]
    assert pages_used(user) == 12
    assert_consistent(fault_app)


def test_both_workers_killed_while_each_holds_a_document(fault_app, env, procs, block_dir, user):
    batch, docs = pdf_batch(user, count=8, pages=1)
    enqueue(docs)
    register_schedule(env)
    procs.scheduler("scheduler", env)
    for name in ("worker-1", "worker-2"):
        procs.worker(name, blocking(env, block_dir))
    wait_for_workers(2, procs)

    held = wait_until(
        lambda: (found := sorted(block_dir.glob("started-*"))) and len(found) == 2 and found,
        timeout=60,
        what="two documents in the middle of extraction",
        procs=procs,
    )
    procs.kill("worker-1")
    procs.kill("worker-2")
    (block_dir / "release").touch()
    procs.worker("worker-3", blocking(env, block_dir))

    wait_until(lambda: settled([batch.id]), timeout=90, what="the batch to finish", procs=procs)
    assert fresh(Batch, batch.id).status == BatchStatus.COMPLETED
    for marker in held:
        doc = next(d for d in docs if marker.name.endswith(d.original_filename))
        assert attempts_of(doc.id) == [(1, "abandoned"), (2, "succeeded")]
    assert pages_used(user) == 8
    assert_consistent(fault_app)
