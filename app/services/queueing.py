"""Enqueueing document jobs on RQ, always after the commit that created them.

A document has one deterministic job id, `document-<id>`, so it is never queued twice at once
(question threads use the same rules through `enqueue_job`, with ids of their own):

- no job with that id in Redis: enqueue it (RQ's `unique=True` makes check-and-save atomic);
- a live job (queued, scheduled, deferred, or started by a worker that is still alive): leave it;
- a dead one (finished, failed, stopped, canceled, or started by a worker that is gone): delete
  the old hash and enqueue a fresh job. RQ would otherwise overwrite the hash of a job that may
  still be running; deleting first and enqueueing with `unique=True` keeps a live job single.

Many documents are enqueued in one Redis round trip: the jobs of documents without a job are
sent through RQ's own check-and-save script (the one behind `unique=True`) in one pipeline, and
only the documents whose job exists (or appeared in between) take the one-by-one path above.

Even if two processes race past these checks, the job itself is safe to run twice: it claims the
document with a conditional UPDATE, so the second run ends without changing anything.
"""

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Iterable

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from app.extensions import get_queue
from app.services.rq_unique import UniqueEnqueuer

log = logging.getLogger(__name__)

DOCUMENT_JOB = "jobs.documents.process_document"
DOCUMENT_QUEUE = "documents"
# The job's arguments are the document id only and its description is fixed: what operators see
# of a job on the queue pages never holds text a user wrote (file names, prompts).
DOCUMENT_JOB_DESCRIPTION = "document job"
DEFAULT_RETRY_INTERVALS = (5, 30, 120)
WAITING_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})


def document_job_id(document_id: uuid.UUID | str) -> str:
    """The deterministic RQ job id of a document, so it is never queued twice at once."""
    return f"document-{document_id}"


def retry_intervals() -> list[int]:
    """Seconds to wait before each retry of a transient failure (JOB_RETRY_INTERVALS)."""
    raw = current_app.config.get("JOB_RETRY_INTERVALS") or os.environ.get("JOB_RETRY_INTERVALS")
    if raw is None or raw == "":
        return list(DEFAULT_RETRY_INTERVALS)
    if isinstance(raw, str):
        raw = [part for part in raw.replace(" ", "").split(",") if part]
    return [int(x) for x in raw]


def retry_policy() -> Retry | None:
    """RQ's Retry for document jobs: JOB_RETRY_MAX attempts (3) with backoff intervals."""
    configured = current_app.config.get("JOB_RETRY_MAX", os.environ.get("JOB_RETRY_MAX"))
    max_retries = 3 if configured in (None, "") else int(configured)
    if max_retries <= 0:
        return None
    return Retry(max=max_retries, interval=retry_intervals())


def job_options() -> dict:
    """Timeout, retry, TTLs and description of a document job."""
    return {
        "job_timeout": current_app.config["JOB_TIMEOUT_SECONDS"],
        "description": DOCUMENT_JOB_DESCRIPTION,
        "retry": retry_policy(),
        "result_ttl": 3600,
        "failure_ttl": 7 * 24 * 3600,
    }


def _pid_alive(pid: int) -> bool:
    """True when a process with this pid runs on this machine (zombies count as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return False
    return True


def worker_alive(connection: Redis, worker_name: str | None, cache: dict | None = None) -> bool:
    """True while an RQ worker is registered and, when it runs on this machine, its process lives.

    A worker killed with SIGKILL leaves its key behind until the key's TTL runs out (minutes);
    on the same machine the dead pid tells at once.
    """
    if not worker_name:
        return False
    if cache is not None and worker_name in cache:
        return cache[worker_name]
    hostname, pid = connection.hmget(f"rq:worker:{worker_name}", "hostname", "pid")
    alive = (hostname is not None or pid is not None) and not died_here(hostname, pid)
    if cache is not None:
        cache[worker_name] = alive
    return alive


def died_here(hostname: bytes | None, pid: bytes | None) -> bool:
    """True when a process that Redis says runs on this machine (its hostname and pid, as RQ
    records them for workers and schedulers) is known to be gone. Another machine's processes,
    and records without a pid, are never known to be gone."""
    if not hostname or not pid or hostname.decode() != socket.gethostname():
        return False
    return int(pid) > 0 and not _pid_alive(int(pid))


def job_is_live(job: Job | None, cache: dict | None = None) -> bool:
    """True when the job will still run or is running on a live worker."""
    if job is None:
        return False
    status = job.get_status(refresh=False)
    if status in WAITING_STATUSES:
        return True
    if status == JobStatus.STARTED:
        return worker_alive(job.connection, job.worker_name, cache)
    return False


def fetch_job(connection: Redis, job_id: str) -> Job | None:
    """The RQ job with this id, if Redis still has one."""
    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None


def fetch_jobs(connection: Redis, job_ids: list[str]) -> list[Job | None]:
    """The RQ jobs with these ids in one round trip (None where Redis has none), in order."""
    return Job.fetch_many(job_ids, connection=connection)


def document_job(connection: Redis, document_id: uuid.UUID | str) -> Job | None:
    """The RQ job of a document, if Redis still has one."""
    return fetch_job(connection, document_job_id(document_id))


def fetch_document_jobs(connection: Redis, document_ids: list) -> dict[str, Job | None]:
    """The RQ jobs of many documents in one round trip, by document id."""
    ids = [str(i) for i in document_ids]
    jobs = fetch_jobs(connection, [document_job_id(i) for i in ids])
    return dict(zip(ids, jobs, strict=True))


def enqueue_job(
    queue: Queue,
    func: str,
    args: tuple,
    job_id: str,
    existing: Job | None | bool = True,
    cache: dict | None = None,
    **options,
) -> bool:
    """Enqueue a job under its deterministic id unless a live job has it; True when enqueued.

    `existing` is the job already fetched (None when there is none); True means look it up. A
    dead job's hash is deleted first; `cache` remembers which workers are alive across calls.
    """
    for _ in range(3):
        job = fetch_job(queue.connection, job_id) if existing is True else existing
        existing = True
        if job is not None:
            if job_is_live(job, cache):
                return False
            job.delete()
        try:
            queue.enqueue(func, *args, job_id=job_id, unique=True, **options)
            return True
        except DuplicateJobError:
            continue  # someone enqueued it in between: look again
    return False


def enqueue_document(
    queue: Queue, document_id: uuid.UUID | str, existing: Job | None | bool = True
) -> bool:
    """Enqueue one document unless a live job has it; True when a job was enqueued.

    `existing` is the job already fetched (None when there is none); True means look it up.
    """
    doc_id = str(document_id)
    job_id = document_job_id(doc_id)
    return enqueue_job(queue, DOCUMENT_JOB, (doc_id,), job_id, existing, **job_options())


def enqueue_unique_jobs(queue: Queue, document_ids: list[str]) -> list[bool]:
    """Enqueue a job for each document in one pipeline, each only if its job id is free.

    The same atomic check-and-save script as `queue.enqueue(..., unique=True)` (RQ 3.0), sent for
    all documents at once; returns, per document, whether its job was enqueued.
    """
    enqueuer = UniqueEnqueuer(queue)
    options = job_options()
    with queue.connection.pipeline(transaction=False) as pipe:
        pipe.sadd(queue.redis_queues_keys, queue.key)
        for doc_id in document_ids:
            job = queue.create_job(
                DOCUMENT_JOB,
                args=(doc_id,),
                job_id=document_job_id(doc_id),
                timeout=options["job_timeout"],
                description=options["description"],
                retry=options["retry"],
                result_ttl=options["result_ttl"],
                failure_ttl=options["failure_ttl"],
            )
            enqueuer.add(pipe, job)
        results = pipe.execute()
    return [bool(result) for result in results[1:]]


def enqueue_documents(
    document_ids: Iterable[uuid.UUID | str], *, count_waiting: bool = False
) -> int:
    """Enqueue one job per document; Redis being down is logged, the sweeper catches up later.

    Returns the jobs enqueued; with count_waiting, the documents that have a job waiting or
    running afterwards (a live job left in place counts too), so that 0 means Redis was down.
    """
    ids = list(dict.fromkeys(str(i) for i in document_ids))
    if not ids:
        return 0
    try:
        queue = get_queue(DOCUMENT_QUEUE)
        known = fetch_document_jobs(queue.connection, ids)
        free = [doc_id for doc_id in ids if known[doc_id] is None]
        enqueued = dict(zip(free, enqueue_unique_jobs(queue, free), strict=True)) if free else {}
        return sum(enqueued.values()) + sum(
            enqueue_document(queue, doc_id, True if doc_id in enqueued else known[doc_id])
            or count_waiting
            for doc_id in ids
            if not enqueued.get(doc_id)
        )
    except RedisError as exc:
        log.warning("could not enqueue %d document(s): %s; the sweeper will retry", len(ids), exc)
        return 0
