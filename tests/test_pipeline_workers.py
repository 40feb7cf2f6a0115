"""The pipeline under real `rq worker` and `rqscheduler` processes: races, kills, the schedule."""

import os
import signal
import subprocess

import sqlalchemy as sa
from rq import Worker
from rq_scheduler import Scheduler

from app.extensions import db, get_redis
from app.models import Batch, BatchStatus, Document, DocumentStatus, states
from app.services import sweeper
from jobs import schedule
from tests.conftest import worker_env
from tests.factories import make_user
from tests.support.pipeline import (
    VENV_BIN,
    attempts_of,
    counters,
    enqueue,
    fresh,
    pages_used,
    pdf_batch,
    start_worker,
    statuses,
    wait_for,
)

B, D = BatchStatus, DocumentStatus


def all_terminal(batch_id) -> bool:
    """True once every document of the batch is terminal."""
    return set(statuses(batch_id).values()) <= {str(s) for s in states.DOCUMENT_TERMINAL}


def test_two_workers_in_parallel_never_exceed_the_quota(app, db, procs, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config["PLANS"]["plus"], "pages_per_month", 10)
    env = worker_env(app) | {"PLAN_PLUS_PAGES_PER_MONTH": "10"}
    for i in range(2):
        procs.append(start_worker(env, queues=("documents",), log_path=tmp_path / f"w{i}.log"))
    connection = get_redis()
    wait_for(lambda: len(Worker.all(connection=connection)) == 2, what="two workers ready")

    for _round in range(5):
        user = make_user(plan="plus")
        batch, docs = pdf_batch(user, count=5, pages=3)
        enqueue(docs)
        wait_for(lambda b=batch.id: all_terminal(b), what="every document terminal")

        rows = [fresh(Document, d.id) for d in docs]
        done = [d for d in rows if d.status == D.COMPLETED]
        refused = [d for d in rows if d.status == D.FAILED]
        assert (len(done), len(refused)) == (3, 2)
        assert {d.error_code for d in refused} == {"quota_exceeded"}
        assert pages_used(user) == 9, "three documents of 3 pages; the limit is 10"
        assert all((d.reserved_pages, d.usage_id) == (0, None) for d in rows)
        b = wait_for(
            lambda b=batch.id: (row := fresh(Batch, b)).completed_at and row,
            what="the batch finalized",
        )
        assert (b.status, b.completed_count, b.failed_count) == (B.PARTIALLY_COMPLETED, 3, 2)


def test_a_killed_worker_s_document_is_processed_once_after_the_sweeper(
    app, user, procs, worker, tmp_path
):
    env = worker_env(app) | {
        "EXTRACTION_PROVIDER": "tests.support.providers:BlockingProvider",
        "INGESTIO_TEST_BLOCK_DIR": str(tmp_path),
    }
    batch, docs = pdf_batch(user, count=2, pages=3)
    enqueue(docs)
    proc = start_worker(env, queues=("documents",), log_path=tmp_path / "worker.log")
    procs.append(proc)

    marker = wait_for(
        lambda: next(tmp_path.glob("started-*"), None), what="a job in the middle of a document"
    )
    horse_pid = int(marker.name.split("-")[1])
    middle = next(d for d in docs if marker.name.endswith(d.original_filename))
    assert fresh(Document, middle.id).status == D.PROCESSING
    assert pages_used(user) == 3, "its pages are reserved"

    os.killpg(proc.pid, signal.SIGKILL)  # the worker (and its scheduler) die at once...
    proc.wait(30)
    os.kill(horse_pid, signal.SIGKILL)  # ...and so does the job it was running

    report = sweeper.sweep()
    assert report.reset == [middle.id]
    assert pages_used(user) == 0
    worker()  # a healthy worker drains the queue with the real local provider

    b = fresh(Batch, batch.id)
    assert (b.status, counters(batch.id)) == (B.COMPLETED, (2, 0, 0))
    assert pages_used(user) == 6
    doc = fresh(Document, middle.id)
    assert (doc.status, doc.attempts) == (D.COMPLETED, 2)
    assert attempts_of(doc.id) == [(1, "abandoned"), (2, "succeeded")]


def test_schedule_register_is_idempotent_and_takes_the_new_interval(app, runner, redis_conn):
    for _ in range(3):
        result = runner.invoke(args=["schedule", "register"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["schedule", "register", "--interval", "3"])
    assert "every 3 s" in result.output

    scheduled = list(Scheduler(connection=redis_conn).get_jobs())
    assert [job.id for job in scheduled] == [schedule.PERIODIC_JOB_ID]
    assert scheduled[0].meta["interval"] == 3
    assert scheduled[0].func_name == "jobs.batches.periodic"
    assert "every 3 s" in runner.invoke(args=["schedule", "show"]).output


def test_the_periodic_job_runs_under_rqscheduler(app, user, procs, tmp_path):
    # A batch whose documents all ended but which nobody finalized...
    stale, stale_docs = pdf_batch(user, count=2)
    for d in stale_docs:
        db.session.execute(sa.update(Document).where(Document.id == d.id).values(status=D.FAILED))
    db.session.commit()
    # ...and one whose jobs never reached Redis.
    lost, _lost_docs = pdf_batch(user, count=2)

    env = worker_env(app)
    register = subprocess.run(
        [str(VENV_BIN / "flask"), "schedule", "register", "--interval", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert register.returncode == 0, register.stderr
    procs.append(
        subprocess.Popen(
            [str(VENV_BIN / "rqscheduler"), "--url", env["TEST_REDIS_URL"], "--interval", "1"],
            env=env,
            stdout=open(tmp_path / "scheduler.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    )
    procs.append(start_worker(env, log_path=tmp_path / "worker.log"))

    wait_for(lambda: fresh(Batch, stale.id).completed_at, what="the stale batch finalized")
    assert fresh(Batch, stale.id).status == B.FAILED
    wait_for(lambda: fresh(Batch, lost.id).completed_at, what="the lost batch completed")
    assert fresh(Batch, lost.id).status == B.COMPLETED
    assert sweeper.last_run()["at"]


def test_forked_job_processes_never_reuse_the_worker_s_database_connections(app, monkeypatch):
    import jobs
    import jobs.worker

    monkeypatch.setattr(jobs, "_app", app)
    monkeypatch.setattr(jobs.worker, "_preloaded", False)
    monkeypatch.setitem(app.config, "EXTRACTION_PROVIDER", "tests.support.providers:LocalBased")
    jobs.worker.preload()
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        assert db.engine.pool.checkedin() == 1, "the worker holds a pooled connection"

        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a work horse
            os.write(write, str(db.engine.pool.checkedin()).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        inherited = int(os.read(read, 16))
        os.close(read)
        os.close(write)

        assert inherited == 0, "the child starts with an empty pool"
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1, "the parent's still works"
        db.session.commit()
