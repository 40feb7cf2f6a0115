"""Registering the periodic job with rq-scheduler, idempotently by a fixed id."""

from datetime import UTC, datetime

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq_scheduler import Scheduler

PERIODIC_JOB_ID = "ingestio-finalize-sweep"
PERIODIC_FUNC = "jobs.batches.periodic"
PERIODIC_QUEUE = "default"
PERIODIC_DESCRIPTION = "Finalize batches and sweep lost documents"
# How long a finished run's job hash lives. Each run sets it again, so it lapses only when no
# worker ran the job for this long; the workers then register the job again (see jobs.worker).
MIN_RESULT_TTL = 3600


def result_ttl(interval: int) -> int:
    """The periodic job's result TTL: well beyond its interval, at least an hour."""
    return max(int(interval) * 60, MIN_RESULT_TTL)


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
        result_ttl=result_ttl(interval),
        description=PERIODIC_DESCRIPTION,
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
