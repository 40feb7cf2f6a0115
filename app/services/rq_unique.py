"""The one place that uses RQ's private API: enqueueing many jobs in one Redis pipeline, each only
if its job id is free.

`queue.enqueue(..., unique=True)` does this for one job with RQ's check-and-save Lua script; for
hundreds of documents at once the same script is sent in one pipeline. Preparing the job for its
queue and building the script's arguments are private in RQ (`Queue._prepare_for_queue`,
`rq.scripts._build_hset_args`): `tests/test_rq_unique.py` pins what this relies on, so an RQ
upgrade that changes them fails there first.
"""

from __future__ import annotations

from redis.client import Pipeline
from rq import Queue
from rq.job import Job
from rq.scripts import _build_hset_args, get_unique_enqueue_script


class UniqueEnqueuer:
    """Adds jobs to a pipeline with RQ's unique-enqueue script; each result is 1 when saved."""

    def __init__(self, queue: Queue):
        self.queue = queue
        self.script = get_unique_enqueue_script(queue.connection)

    def add(self, pipe: Pipeline, job: Job) -> None:
        """Queue the script call that saves and enqueues `job` unless its id is taken."""
        self.queue._prepare_for_queue(job)
        ttl = job.ttl if job.ttl is not None else -1
        args = [job.id, "R", ttl, *_build_hset_args(job)]
        self.script(keys=[job.key, self.queue.key], args=args, client=pipe)
