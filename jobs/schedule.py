"""Registering the periodic job with rq-scheduler, idempotently by a fixed id."""

from datetime import UTC, datetime

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq_scheduler import Scheduler

PERIODIC_JOB_ID = "ingestio-finalize-sweep"
PERIODIC_FUNC = "jobs.batches.periodic"
PERIODIC_QUEUE = "default"


def register(connection: Redis, interval: int, timeout: int = 300) -> Job:
    """Schedule `jobs.batches.periodic` every `interval` seconds, replacing an earlier entry.

    The fixed id makes it one entry however often this runs (every deploy's release step);
    replacing it rather than keeping it lets a new interval take effect.
    """
    scheduler = Scheduler(queue_name=PERIODIC_QUEUE, connection=connection)
    scheduler.cancel(PERIODIC_JOB_ID)
    return scheduler.schedule(
        scheduled_time=datetime.now(UTC),
        func=PERIODIC_FUNC,
        interval=interval,
        repeat=None,
        id=PERIODIC_JOB_ID,
        queue_name=PERIODIC_QUEUE,
        timeout=timeout,
        # result_ttl stays -1 (rq-scheduler's default for periodic jobs): an expired job hash
        # would drop the entry from the schedule.
        description="Finalize batches and sweep lost documents",
    )


def registered(connection: Redis) -> tuple[Job, datetime] | None:
    """The registered periodic job and its next run time, or None."""
    scheduler = Scheduler(queue_name=PERIODIC_QUEUE, connection=connection)
    score = connection.zscore(scheduler.scheduled_jobs_key, PERIODIC_JOB_ID)
    if score is None:
        return None
    try:
        job = Job.fetch(PERIODIC_JOB_ID, connection=connection)
    except NoSuchJobError:
        return None
    return job, datetime.fromtimestamp(score, UTC)


def ensure_registered(connection: Redis, interval: int) -> bool:
    """Register the periodic job when Redis has lost it (e.g. restarted empty); True if it did."""
    if registered(connection) is not None:
        return False
    register(connection, interval)
    return True
