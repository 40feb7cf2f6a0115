"""A job's database connection is terminated (pg_terminate_backend) in the middle of its work.

PostgreSQL is shared with the rest of the run, so only the job's own backend is terminated:

- in its claim statement: the test holds the batch row locked, the job's `queued -> processing`
  UPDATE of the batch waits for it, and the test terminates the waiting backend;
- in its store statement (the batch is already processing): the counter UPDATE waits and is
  terminated after the document row was marked completed by the same statement;
- between statements: while extraction runs, the work horse's idle pooled connection is found by
  its client port and terminated.
"""

import os

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Batch, BatchStatus, Document, DocumentStatus
from tests.faults.conftest import assert_consistent, blocking, settled
from tests.processes import wait_until
from tests.support.pipeline import attempts_of, enqueue, fresh, pages_used, pdf_batch

pytestmark = pytest.mark.faults

B, D = BatchStatus, DocumentStatus


def waiting_on(locker_pid: int) -> int | None:
    """The backend blocked by the locker's row lock, if one is waiting."""
    pid = db.session.scalar(
        sa.text(
            "SELECT pid FROM pg_stat_activity WHERE :locker = ANY(pg_blocking_pids(pid)) LIMIT 1"
        ),
        {"locker": locker_pid},
    )
    db.session.rollback()
    return pid


def terminate(pid: int) -> None:
    assert db.session.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.session.rollback()


def local_ports(pid: int) -> set[int]:
    """Local TCP ports of the sockets a process holds open (from /proc)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as fh:
            next(fh)
            for line in fh:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.parametrize("where", ["claim", "store"])
def test_a_job_s_connection_terminated_inside_its_transaction(where, fault_app, env, procs, user):
    status = B.QUEUED if where == "claim" else B.PROCESSING
    batch, docs = pdf_batch(user, count=3, pages=2, status=status)

    # FOR NO KEY UPDATE: the job's UPDATE of the batch row waits, its foreign key checks do not.
    locker = db.engine.connect()
    locker.execute(
        sa.text("SELECT id FROM batches WHERE id = :id FOR NO KEY UPDATE"), {"id": batch.id}
    )
    locker_pid = locker.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    try:
        enqueue(docs)
        procs.worker("worker", env)
        victim = wait_until(
            lambda: waiting_on(locker_pid),
            timeout=60,
            what=f"the job's {where} transaction to wait for the batch row",
            procs=procs,
        )
        terminate(victim)
    finally:
        locker.rollback()
        locker.close()

    wait_until(lambda: settled([batch.id]), timeout=90, what="the batch to finish", procs=procs)
    b = fresh(Batch, batch.id)
    assert (b.status, b.completed_count, b.failed_count) == (B.COMPLETED, 3, 0)
    # Nothing of the terminated statement was kept (for store: the completed status, the result
    # and the attempt's end), and it ran once more on a new connection within the same attempt.
    assert sorted(attempts_of(d.id) for d in docs) == [[(1, "succeeded")]] * 3
    assert pages_used(user) == 6
    assert_consistent(fault_app)


def test_a_job_s_idle_connection_terminated_during_extraction(
    fault_app, env, procs, block_dir, user
):
    batch, docs = pdf_batch(user, count=2, pages=1)
    enqueue(docs)
    procs.worker("worker", blocking(env, block_dir))
    marker = wait_until(
        lambda: next(block_dir.glob("started-*"), None),
        timeout=60,
        what="a job in the middle of a document",
        procs=procs,
    )
    horse = int(marker.name.split("-")[1])
    middle = next(d for d in docs if marker.name.endswith(d.original_filename))

    ports = local_ports(horse)
    backends = db.session.scalars(
        sa.text("SELECT pid FROM pg_stat_activity WHERE client_port = ANY(:ports)"),
        {"ports": list(ports)},
    ).all()
    db.session.rollback()
    assert backends, "the work horse keeps its pooled connection while it extracts"
    for pid in backends:
        terminate(pid)
    (block_dir / "release").touch()

    wait_until(lambda: settled([batch.id]), timeout=90, what="the batch to finish", procs=procs)
    assert fresh(Batch, batch.id).status == B.COMPLETED
    assert attempts_of(middle.id) == [(1, "succeeded")]
    assert fresh(Document, middle.id).status == D.COMPLETED
    assert pages_used(user) == 2
    assert_consistent(fault_app)
