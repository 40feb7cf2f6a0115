"""What the queues, workers and scheduler in Redis are doing (admin overview and /readyz)."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis import Redis
from rq import Queue, Worker
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)

from app.extensions import QUEUE_NAMES

SWEEPER_LAST_RUN_KEY = "ingestio:sweeper:last_run"
# rq-scheduler keeps one hash per running `rqscheduler` process, expiring interval + 10 s after
# its last heartbeat; a hash with a `death` field belongs to a scheduler that shut down.
SCHEDULER_INSTANCE_PATTERN = "rq:scheduler_instance:*"
SCHEDULER_LOCK_KEY = "rq:scheduler_lock"


@dataclass
class QueueStats:
    """Job counts of one queue and its registries."""

    name: str
    queued: int
    started: int
    failed: int
    scheduled: int
    deferred: int


@dataclass
class WorkerInfo:
    """One RQ worker as registered in Redis."""

    name: str
    state: str
    queues: list[str]
    current_job: str | None
    last_heartbeat: datetime | None
    birth_date: datetime | None
    successful: int
    failed: int
    pid: int | None

    def heartbeat_age(self, now: datetime) -> float | None:
        """Seconds since the last heartbeat."""
        if self.last_heartbeat is None:
            return None
        return (now - self.last_heartbeat).total_seconds()


@dataclass
class FailedJob:
    """A job in a failed registry."""

    id: str
    queue: str
    description: str
    ended_at: datetime | None
    error: str


@dataclass
class Readiness:
    """The outcome of one readiness check."""

    ok: bool
    detail: str
    extra: dict = field(default_factory=dict)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def queue_stats(conn: Redis, names=QUEUE_NAMES) -> list[QueueStats]:
    """Counts for the app's queues plus any other queue RQ knows."""
    known = list(names) + sorted(q.name for q in Queue.all(connection=conn) if q.name not in names)
    stats = []
    for name in known:
        queue = Queue(name, connection=conn)
        stats.append(
            QueueStats(
                name=name,
                queued=queue.count,
                started=StartedJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                failed=FailedJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                scheduled=ScheduledJobRegistry(name, connection=conn).get_job_count(cleanup=False),
                deferred=DeferredJobRegistry(name, connection=conn).get_job_count(cleanup=False),
            )
        )
    return stats


def recent_failed_jobs(conn: Redis, names=QUEUE_NAMES, limit: int = 10) -> list[FailedJob]:
    """The newest failed jobs of the app's queues, with the last line of their error."""
    jobs = []
    for name in names:
        registry = FailedJobRegistry(name, connection=conn)
        ids = registry.get_job_ids(-limit, -1, cleanup=False)
        queue = Queue(name, connection=conn)
        for job_id in ids:
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            result = job.latest_result()
            error = (result.exc_string or "").strip().splitlines() if result else []
            jobs.append(
                FailedJob(
                    id=job.id,
                    queue=name,
                    description=job.description or job.func_name or "",
                    ended_at=_aware(job.ended_at),
                    error=error[-1] if error else "",
                )
            )
    jobs.sort(key=lambda j: j.ended_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return jobs[:limit]


def workers(conn: Redis) -> list[WorkerInfo]:
    """Every worker registered in Redis."""
    found = []
    for worker in Worker.all(connection=conn):
        job_id = worker.get_current_job_id()
        found.append(
            WorkerInfo(
                name=worker.name,
                state=str(getattr(worker.get_state(), "value", worker.get_state())),
                queues=worker.queue_names(),
                current_job=job_id,
                last_heartbeat=_aware(worker.last_heartbeat),
                birth_date=_aware(worker.birth_date),
                successful=worker.successful_job_count,
                failed=worker.failed_job_count,
                pid=worker.pid,
            )
        )
    return sorted(found, key=lambda w: w.name)


def scheduler_instances(conn: Redis) -> list[str]:
    """Names of running rq-scheduler processes (their hash has no `death` field)."""
    alive = []
    for key in conn.scan_iter(match=SCHEDULER_INSTANCE_PATTERN, count=100):
        if not conn.hexists(key, "death"):
            name = key.decode() if isinstance(key, bytes) else key
            alive.append(name.rsplit(":", 1)[-1])
    return sorted(alive)


def sweeper_last_run(conn: Redis) -> dict | None:
    """The sweeper's last run as it recorded it ({"at": iso, ...counts}), or None."""
    raw = conn.get(SWEEPER_LAST_RUN_KEY)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def check_workers(conn: Redis, max_age_seconds: int, now: datetime | None = None) -> Readiness:
    """Ready when at least one worker has sent a heartbeat within max_age_seconds."""
    now = now or datetime.now(UTC)
    found = workers(conn)
    fresh = [
        w
        for w in found
        if w.heartbeat_age(now) is not None and w.heartbeat_age(now) <= max_age_seconds
    ]
    if fresh:
        return Readiness(True, f"{len(fresh)} alive", {"workers": [w.name for w in fresh]})
    if found:
        return Readiness(False, f"no worker sent a heartbeat in the last {max_age_seconds} s")
    return Readiness(False, "no worker is registered")


def check_scheduler(conn: Redis) -> Readiness:
    """Ready when an rqscheduler process is alive (its instance key) or holds the lock."""
    alive = scheduler_instances(conn)
    if alive:
        return Readiness(True, f"{len(alive)} alive", {"schedulers": alive})
    if conn.exists(SCHEDULER_LOCK_KEY):
        return Readiness(True, "lock held")
    return Readiness(False, "no rqscheduler process is running")


def periodic_job(conn: Redis) -> datetime | None:
    """Next run of the registered finalize/sweep job (`flask schedule register`), or None."""
    try:
        from jobs.schedule import registered
    except ImportError:
        return None
    found = registered(conn)
    return found[1] if found else None
