"""The sweeper finds lost documents (invariant 2 in docs/states.md): nothing stays uploaded or processing."""

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Worker
from rq.job import JobStatus
from rq.registry import FailedJobRegistry
from rq.scheduler import RQScheduler

from app.extensions import db, get_queue
from app.models import Batch, BatchStatus, Document, DocumentStatus
from app.models.types import utcnow
from app.services import queueing, sweeper
from jobs.documents import DocumentPipeline
from tests.support.pipeline import (
    attempts_of,
    counters,
    enqueue,
    fresh,
    pages_used,
    pdf_batch,
    statuses,
)

B, D = BatchStatus, DocumentStatus


def claim_and_reserve(doc_id) -> DocumentPipeline:
    """Run a document's job up to the middle: claimed, its pages reserved."""
    run = DocumentPipeline(doc_id)
    run.claim()
    run.scope.close()  # the run's log context ends with its first transaction here
    return run


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def mark_started(doc_id, worker_name: str) -> None:
    """Make the document's RQ job look as if `worker_name` is running it."""
    job = queueing.document_job(get_queue().connection, doc_id)
    job.worker_name = worker_name
    job.set_status(JobStatus.STARTED)
    job.save()


def register_worker(pid: int | None = None) -> Worker:
    """A worker registered in Redis, alive (this process) unless given a dead pid."""
    queue = get_queue("documents")
    w = Worker([queue], connection=queue.connection, name=f"w-{uuid.uuid4().hex[:8]}")
    w.register_birth()
    if pid is not None:
        queue.connection.hset(w.key, "pid", pid)
    return w


def test_documents_left_uploaded_while_redis_was_down_are_enqueued_and_complete(app, user, worker):
    batch, docs = pdf_batch(user, count=3, pages=2)
    real = app.extensions["redis"] if "redis" in app.extensions else None
    app.extensions["redis"] = Redis(port=1, socket_connect_timeout=0.2)  # nothing listens there
    try:
        assert enqueue(docs) == 0, "Redis is down: nothing enqueued, and no error"
    finally:
        if real is None:
            app.extensions.pop("redis")
        else:
            app.extensions["redis"] = real
    assert worker() is False, "no job reached the queue"
    assert set(statuses(batch.id).values()) == {"uploaded"}

    report = sweeper.sweep()
    assert sorted(report.requeued) == sorted(d.id for d in docs)
    worker()

    b = fresh(Batch, batch.id)
    assert (b.status, b.completed_count) == (B.COMPLETED, 3)
    assert pages_used(user) == 6
    assert sweeper.sweep().requeued == [], "a second sweep finds nothing to do"


def test_a_document_with_a_live_job_is_not_enqueued_again(user, redis_conn):
    _batch, docs = pdf_batch(user, count=1)
    enqueue(docs)

    assert sweeper.sweep().requeued == []
    assert redis_conn.llen("rq:queue:documents") == 1


def test_uploaded_documents_wait_for_the_grace_period(app, user):
    _batch, docs = pdf_batch(user, count=1)
    app.config["SWEEP_GRACE_SECONDS"] = 600
    try:
        assert sweeper.sweep().requeued == []
    finally:
        app.config["SWEEP_GRACE_SECONDS"] = 0
    assert sweeper.sweep().requeued == [docs[0].id]


def test_documents_of_a_batch_still_being_uploaded_are_left_alone(user):
    _batch, _docs = pdf_batch(user, count=2, status=B.PENDING_UPLOAD)

    assert sweeper.sweep().requeued == []


@pytest.mark.parametrize("how", ["failed registry", "job gone", "worker gone"])
def test_a_processing_document_whose_job_died_is_processed_once(user, worker, how):
    batch, docs = pdf_batch(user, count=2, pages=3)
    enqueue(docs[:1])
    claim_and_reserve(docs[0].id)
    assert pages_used(user) == 3
    job = queueing.document_job(get_queue().connection, docs[0].id)
    if how == "failed registry":
        job.set_status(JobStatus.FAILED)
        FailedJobRegistry(queue=get_queue("documents")).add(job, exc_string="killed")
        get_queue("documents").remove(job.id)
    elif how == "job gone":
        job.delete()
    else:
        mark_started(docs[0].id, register_worker(pid=dead_pid()).name)
        get_queue("documents").remove(job.id)
    enqueue(docs[1:])

    report = sweeper.sweep()

    assert report.reset == [docs[0].id]
    assert docs[0].id in report.requeued
    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.reserved_pages, doc.usage_id) == (D.UPLOADED, 0, None)
    assert pages_used(user) == 0, "the reservation of the lost attempt is released"
    worker()
    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.attempts) == (D.COMPLETED, 2)
    assert attempts_of(doc.id) == [(1, "abandoned"), (2, "succeeded")]
    assert pages_used(user) == 6
    assert counters(batch.id) == (2, 0, 0)
    assert fresh(Batch, batch.id).status == B.COMPLETED


def test_a_document_running_on_a_live_worker_is_left_alone(user):
    _batch, docs = pdf_batch(user, count=1)
    enqueue(docs)
    claim_and_reserve(docs[0].id)
    alive = register_worker()
    try:
        mark_started(docs[0].id, alive.name)
        report = sweeper.sweep()
    finally:
        alive.register_death()
    assert report.reset == [] and report.requeued == []
    assert fresh(Document, docs[0].id).status == D.PROCESSING


def test_a_document_running_past_the_job_timeout_is_taken_back(app, user):
    _batch, docs = pdf_batch(user, count=1)
    enqueue(docs)
    claim_and_reserve(docs[0].id)
    alive = register_worker()
    mark_started(docs[0].id, alive.name)
    long_ago = utcnow() - timedelta(seconds=app.config["JOB_TIMEOUT_SECONDS"] + 120)
    db.session.execute(
        sa.update(Document).where(Document.id == docs[0].id).values(started_at=long_ago)
    )
    db.session.commit()
    try:
        report = sweeper.sweep()
    finally:
        alive.register_death()

    assert report.reset == [docs[0].id]
    assert fresh(Document, docs[0].id).status == D.UPLOADED
    assert pages_used(user) == 0


def test_after_max_attempts_a_lost_document_fails_with_worker_lost(app, user):
    batch, docs = pdf_batch(user, count=1, pages=2)
    db.session.execute(
        sa.update(Document)
        .where(Document.id == docs[0].id)
        .values(attempts=app.config["MAX_ATTEMPTS"] - 1)
    )
    db.session.commit()
    claim_and_reserve(docs[0].id)  # the last allowed attempt, then the worker vanishes

    report = sweeper.sweep()

    assert report.failed == [docs[0].id] and report.requeued == []
    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "worker_lost")
    assert "Retry the document" in doc.error_message
    assert (doc.reserved_pages, pages_used(user)) == (0, 0)
    b = fresh(Batch, batch.id)
    assert (b.status, b.failed_count) == (B.FAILED, 1)
    assert b.completed_at is not None


def test_a_job_that_lost_its_claim_to_the_sweeper_writes_nothing(user):
    batch, docs = pdf_batch(user, count=1, pages=2)
    run = claim_and_reserve(docs[0].id)
    sweeper.sweep()  # its worker looks gone: the document is taken back and enqueued again
    assert fresh(Document, docs[0].id).status == D.UPLOADED

    run.open_file()
    run.resolve_prompt()
    run.extract()
    with pytest.raises(Exception, match="claim_lost"):
        run.store()
    db.session.rollback()
    run.scope.close()

    assert fresh(Document, docs[0].id).status == D.UPLOADED
    assert counters(batch.id) == (0, 0, 0)
    assert pages_used(user) == 0


def test_the_last_run_is_recorded_for_the_operators(runner, user, redis_conn):
    _batch, docs = pdf_batch(user, count=2)

    result = runner.invoke(args=["batches", "sweep"])

    assert result.exit_code == 0, result.output
    assert "2 enqueued" in result.output
    assert f"document {docs[0].id}: enqueued" in result.output
    data = json.loads(redis_conn.get(sweeper.LAST_RUN_KEY))
    assert data["requeued"] == 2 and data["reset"] == 0 and data["at"]
    assert sweeper.last_run() == data


def a_due_retry(user):
    """A document whose job waits, already due, in the scheduled registry (as RQ leaves a retry
    with a backoff); its batch."""
    batch, docs = pdf_batch(user, count=1)
    enqueue(docs)
    queue = get_queue("documents")
    job = queueing.document_job(queue.connection, docs[0].id)
    queue.remove(job.id)
    queue.schedule_job(job, datetime.now(UTC) - timedelta(seconds=1))
    return batch


def test_a_retry_waiting_for_its_backoff_is_moved_to_its_queue_when_due(user, worker):
    batch = a_due_retry(user)
    assert worker() is False, "a worker without a scheduler does not see it"

    report = sweeper.sweep()

    assert report.retries_moved == 1 and report.requeued == []
    worker()
    assert fresh(Batch, batch.id).status == B.COMPLETED


def scheduler_holding_the_locks(pid: int | None = None, hostname: str | None = None):
    """A worker's scheduler that holds every queue's lock, alive (this process) unless given the
    pid of a dead one; on this machine unless given another hostname."""
    conn = get_queue().connection
    scheduler = RQScheduler(["documents", "default"], connection=conn)
    assert scheduler.acquire_locks() == {"documents", "default"}
    scheduler.register_birth()
    if pid is not None:
        conn.hset(scheduler.key, "pid", pid)
    if hostname is not None:
        conn.hset(scheduler.key, "hostname", hostname)
    return scheduler


def lock_holder(queue_name: str) -> str | None:
    owner = get_queue().connection.get(RQScheduler.get_locking_key(queue_name))
    return owner.decode() if owner else None


def test_a_retry_held_by_a_dead_worker_s_scheduler_lock_is_moved_at_once(user, worker):
    """The worker that scheduled the retry was killed with its scheduler: its locks would keep
    every other process from moving the queue's retries until they expire."""
    batch = a_due_retry(user)
    dead = scheduler_holding_the_locks(pid=dead_pid())

    report = sweeper.sweep()

    assert report.retries_moved == 1
    assert lock_holder("documents") != dead.name
    worker()
    assert fresh(Batch, batch.id).status == B.COMPLETED


@pytest.mark.parametrize("where", ["alive here", "on another machine"])
def test_a_scheduler_lock_is_left_to_a_holder_not_known_to_be_dead(user, worker, where):
    a_due_retry(user)
    holder = scheduler_holding_the_locks(
        pid=None if where == "alive here" else dead_pid(),
        hostname="another-dyno" if where == "on another machine" else None,
    )

    report = sweeper.sweep()

    assert report.retries_moved == 0, "the holder's own scheduler moves it"
    assert lock_holder("documents") == holder.name
    assert worker() is False, "a worker without a scheduler does not see it"
