"""The scheduler stopped and started again, killed, and two schedulers at once.

Each batch here is "lost": its documents were committed but their jobs never reached Redis, so
only the periodic sweeper (registered with `flask schedule register`, run by `rqscheduler`) can
get them processed and the batch finalized.
"""

import pytest
from rq_scheduler import Scheduler

from app.extensions import db, get_redis
from app.models import Batch, BatchStatus
from app.services import sweeper
from jobs import schedule
from tests.faults.conftest import assert_consistent, register_schedule, settled
from tests.processes import wait_until
from tests.support.pipeline import fresh, pdf_batch

pytestmark = pytest.mark.faults


def lost_batch(user, name: str):
    """A committed batch of three PDFs whose jobs were never enqueued."""
    batch, _docs = pdf_batch(user, count=3, pages=1)
    batch.name = name
    db.session.commit()
    return batch


def recovered(batch, procs) -> None:
    # The first wait includes starting a worker and the schedulers, slow on a busy machine.
    wait_until(
        lambda: settled([batch.id]),
        timeout=120,
        what=f"the periodic sweeper to finish {batch.name}",
        procs=procs,
    )
    assert fresh(Batch, batch.id).status == BatchStatus.COMPLETED


def periodic_entries() -> list[str]:
    """Ids of the jobs rq-scheduler holds (the periodic one must be there exactly once)."""
    return [job.id for job in Scheduler(connection=get_redis()).get_jobs()]


def assert_one_periodic_entry(procs) -> None:
    """The periodic job is scheduled, once. A scheduler that runs it takes it out of its set and
    puts it back with its next time, so for an instant the set can be empty: read until it holds
    something, then compare."""
    entries = wait_until(
        periodic_entries, timeout=10, what="the periodic job to be scheduled", procs=procs
    )
    assert entries == [schedule.PERIODIC_JOB_ID]


def test_scheduler_stopped_killed_and_started_again(fault_app, env, procs, user):
    register_schedule(env)
    procs.worker("worker", env)
    procs.scheduler("scheduler-1", env)
    first = lost_batch(user, "before the stop")
    recovered(first, procs)

    procs.stop("scheduler-1")  # SIGTERM: a clean stop, as on a deploy
    second = lost_batch(user, "while stopped")
    procs.scheduler("scheduler-2", env)
    recovered(second, procs)

    procs.kill("scheduler-2")  # SIGKILL: its birth key and maybe its lock stay behind
    third = lost_batch(user, "after a kill")
    procs.scheduler("scheduler-3", env)
    recovered(third, procs)

    assert_one_periodic_entry(procs)
    assert sweeper.last_run() is not None
    assert_consistent(fault_app)


def test_two_schedulers_at_once(fault_app, env, procs, user):
    register_schedule(env)
    register_schedule(env)  # a second release step: still one entry
    procs.worker("worker", env)
    procs.scheduler("scheduler-a", env)
    procs.scheduler("scheduler-b", env)

    batches = [lost_batch(user, f"lost {n}") for n in range(3)]
    for batch in batches:
        recovered(batch, procs)
    assert_one_periodic_entry(procs)

    procs.kill("scheduler-a")  # the other one carries on alone
    late = lost_batch(user, "after one scheduler died")
    recovered(late, procs)

    assert_one_periodic_entry(procs)
    assert_consistent(fault_app)
