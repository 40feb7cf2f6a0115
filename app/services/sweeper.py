"""The sweeper: finds documents whose job was lost and puts them back on track (invariant 2 in docs/states.md).

- `uploaded` for longer than SWEEP_GRACE_SECONDS with no live RQ job (Redis was down when the batch
  was created, the job expired, a retry was never moved to its queue): enqueued again.
- `processing` whose job is not running on a live worker (the worker was killed, the job sits in
  the failed registry, the job hash is gone), or that started longer ago than
  JOB_TIMEOUT_SECONDS: back to `uploaded` with its page reservation released, then enqueued again;
  after MAX_ATTEMPTS attempts it fails with `worker_lost` instead.
- retries whose backoff has passed: moved to their queue when no worker's scheduler does it; the
  scheduler lock of a worker that died on this machine is released first, so its retries do not
  wait for the lock to expire.

Every change is a conditional UPDATE guarded by the status and the attempt number seen, so a job
that finishes while the sweeper looks wins, and two sweepers never both act on a document. The
last run's time and counts are kept in Redis under `ingestio:sweeper:last_run` (JSON).
"""

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from rq.job import JobStatus as RQStatus
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock

from app.extensions import QUEUE_NAMES, db, get_queue, get_redis
from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ErrorCode,
    JobStatus,
)
from app.models.types import utcnow
from app.notifications import outbox
from app.services import finalize, lifecycle, queueing

log = logging.getLogger(__name__)

B, D = BatchStatus, DocumentStatus
LAST_RUN_KEY = "ingestio:sweeper:last_run"
# A job past its timeout gets this long for RQ to stop it and report before the sweeper steps in.
TIMEOUT_MARGIN_SECONDS = 60

WORKER_LOST_MESSAGE = (
    "Processing was interrupted {attempts} times (the worker stopped or timed out). "
    "Retry the document; if it keeps failing, split the file or contact support."
)


@dataclass
class SweepReport:
    """What one sweep did."""

    requeued: list[uuid.UUID] = field(default_factory=list)
    reset: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    retries_moved: int = 0
    notifications_requeued: int = 0
    finalized: dict = field(default_factory=dict)
    duration_ms: int = 0

    def counts(self) -> dict:
        """The figures kept for the operators page."""
        return {
            "requeued": len(self.requeued),
            "reset": len(self.reset),
            "failed": len(self.failed),
            "retries_moved": self.retries_moved,
            "notifications_requeued": self.notifications_requeued,
            "finalized": len(self.finalized),
            "duration_ms": self.duration_ms,
        }


def release_locks_of_dead_schedulers(connection) -> list[str]:
    """Free the scheduler lock of a queue whose holder died on this machine; the queues freed.

    A worker runs RQ's scheduler, which holds one lock per queue for about a minute at a time. A
    worker killed with SIGKILL leaves its locks behind, and until they expire no one moves that
    queue's retries: a document whose retry was scheduled just before its worker died would wait
    that long. The holder's record gives its machine and pid; when it ran here and the pid is
    gone, the lock is released (only if that holder still has it).
    """
    freed = []
    for name in QUEUE_NAMES:
        key = RQScheduler.get_locking_key(name)
        owner = connection.get(key)
        if owner is None:
            continue
        record = SCHEDULER_KEY_TEMPLATE % owner.decode()
        if queueing.died_here(*connection.hmget(record, "hostname", "pid")):
            if release_lock(connection, key, owner.decode()):
                log.warning("queue %s: released the scheduler lock of a dead process", name)
                freed.append(name)
    return freed


def move_due_retries() -> int:
    """Move retries whose backoff has passed to their queue, unless a worker's scheduler does it."""
    connection = get_redis()
    release_locks_of_dead_schedulers(connection)
    # Taking and releasing the locks on every run is routine: only warnings are worth a line.
    scheduler = RQScheduler(list(QUEUE_NAMES), connection=connection, logging_level=logging.WARNING)
    try:
        if not scheduler.acquire_locks():
            return 0
        moved = sum(
            len(get_queue(name).scheduled_job_registry.get_jobs_to_schedule(int(time.time())))
            for name in scheduler.acquired_locks
        )
        scheduler.enqueue_scheduled_jobs()
        return moved
    finally:
        scheduler.release_locks()


def recover_processing(doc_id: uuid.UUID, attempt: int, batch_id, reason: str) -> str | None:
    """Put a lost `processing` document back to `uploaded`, or fail it after MAX_ATTEMPTS.

    Returns "reset", "failed", or None when the document moved on meanwhile. The lost attempt's
    row is closed as abandoned. Commits.
    """
    run = lifecycle.Run(doc_id, attempt, batch_id)
    lost = f"The worker was lost ({reason})."
    why = {"reason": reason.replace(" ", "_")}
    if attempt >= current_app.config["MAX_ATTEMPTS"]:
        failed = lifecycle.fail(
            run,
            ErrorCode.WORKER_LOST,
            WORKER_LOST_MESSAGE.format(attempts=attempt),
            detail=lost,
            attempt_status=JobStatus.ABANDONED,
            attempt=attempt,
            **why,
        )
        return "failed" if failed else None
    reset = lifecycle.requeue(
        run,
        ErrorCode.WORKER_LOST,
        lost,
        attempt_status=JobStatus.ABANDONED,
        event="document.reset",
        **why,
    )
    return "reset" if reset else None


def _lost_reason(row, job, workers: dict, now) -> str | None:
    """Why a processing document is lost, or None while its job still runs."""
    timeout = current_app.config["JOB_TIMEOUT_SECONDS"] + TIMEOUT_MARGIN_SECONDS
    if row.started_at is not None and row.started_at < now - timedelta(seconds=timeout):
        return "timed out"
    if job is None:
        return "job gone"
    status = job.get_status(refresh=False)
    if status == RQStatus.STARTED:
        if queueing.worker_alive(job.connection, job.worker_name, workers):
            return None
        return "worker gone"
    return f"job {getattr(status, 'value', status)}"


def sweep() -> SweepReport:
    """Re-enqueue lost `uploaded` documents and recover lost `processing` ones; commits."""
    started = time.perf_counter()
    report = SweepReport()
    now = utcnow()
    connection = get_redis()
    queue = get_queue(queueing.DOCUMENT_QUEUE)
    workers: dict = {}
    report.retries_moved = move_due_retries()

    processing = db.session.execute(
        sa.select(Document.id, Document.batch_id, Document.attempts, Document.started_at).where(
            Document.status == D.PROCESSING
        )
    ).all()
    db.session.commit()
    jobs = queueing.fetch_document_jobs(connection, [r.id for r in processing])
    for row in processing:
        job = jobs[str(row.id)]
        reason = _lost_reason(row, job, workers, now)
        if reason is None:
            continue
        outcome = recover_processing(row.id, row.attempts, row.batch_id, reason)
        if outcome == "failed":
            report.failed.append(row.id)
        elif outcome == "reset":
            report.reset.append(row.id)
            # enqueue_document replaces the dead job; one still running past its timeout stays,
            # and the document is enqueued by a later sweep once that job has ended.
            if queueing.enqueue_document(queue, row.id):
                report.requeued.append(row.id)

    grace = timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    waiting = db.session.execute(
        sa.select(Document.id, Document.batch_id)
        .outerjoin(Batch, Batch.id == Document.batch_id)
        .where(
            Document.status == D.UPLOADED,
            Document.updated_at <= now - grace,
            sa.or_(Document.batch_id.is_(None), Batch.status != B.PENDING_UPLOAD),
        )
        .order_by(Document.created_at)
    ).all()
    db.session.commit()
    jobs = queueing.fetch_document_jobs(connection, [r.id for r in waiting])
    for row in waiting:
        job = jobs[str(row.id)]
        if queueing.job_is_live(job, workers):
            continue
        if queueing.enqueue_document(queue, row.id, job):
            report.requeued.append(row.id)
            finalize.log_event("document.requeued", batch=row.batch_id, document=row.id)

    report.notifications_requeued = sweep_notifications()
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    return report


def sweep_notifications() -> int:
    """Enqueue notifications whose delivery job was lost; a failure here never stops the sweep."""
    try:
        return outbox.sweep()
    except Exception:  # noqa: BLE001 - logged; documents are swept already
        db.session.rollback()
        log.exception("sweeping notifications failed")
        return 0


def record_last_run(report: SweepReport, **more) -> dict:
    """Keep the time and counts of this run in Redis (JSON) for the operators page."""
    data = {"at": utcnow().isoformat(), **report.counts()}
    data.update({k: v for k, v in more.items() if v is not None})
    get_redis().set(LAST_RUN_KEY, json.dumps(data, default=str))
    return data


def last_run() -> dict | None:
    """The last sweep's time and counts, or None when it never ran."""
    raw = get_redis().get(LAST_RUN_KEY)
    return json.loads(raw) if raw else None
