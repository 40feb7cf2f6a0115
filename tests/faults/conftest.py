"""Fault injection: real workers, schedulers and a private Redis that a test may kill.

Each test runs the pipeline in real processes (`rq worker` with the Procfile's worker class,
`rqscheduler` with the periodic job registered by `flask schedule register`) against this run's
PostgreSQL database and a redis-server of its own on a free port (never the shared one), breaks
something, lets the system recover, then calls `assert_consistent(app)`.
"""

import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq import Worker

from app.extensions import db, get_redis
from app.models import (
    Batch,
    Document,
    DocumentStatus,
    ExtractionJob,
    ExtractionResult,
    JobStatus,
    Usage,
    states,
)
from app.storage import get_storage
from tests.conftest import worker_env
from tests.processes import Processes, RedisServer, flask_command, wait_until

D = DocumentStatus


def consistency_problems(app) -> list[str]:
    """Everything that breaks the invariants once every process has settled (empty when none)."""
    problems: list[str] = []
    with app.app_context():
        db.session.expire_all()
        docs = db.session.scalars(sa.select(Document)).all()
        batches = db.session.scalars(sa.select(Batch)).all()

        for d in docs:
            if d.status not in states.DOCUMENT_TERMINAL:
                problems.append(f"document {d.original_filename} ({d.id}) is still {d.status}")
            if d.reserved_pages or d.usage_id is not None:
                problems.append(
                    f"document {d.original_filename} still holds {d.reserved_pages} reserved pages"
                )

        by_batch: dict = defaultdict(Counter)
        for d in docs:
            if d.batch_id is not None:
                by_batch[d.batch_id][D(d.status)] += 1
        for b in batches:
            counts = by_batch[b.id]
            seen = (b.document_count, b.completed_count, b.failed_count, b.cancelled_count)
            real = (
                sum(counts.values()),
                counts[D.COMPLETED],
                counts[D.FAILED],
                counts[D.CANCELLED],
            )
            if seen != real:
                problems.append(
                    f"batch {b.name} ({b.id}) counts (documents, completed, failed, cancelled) "
                    f"{seen}, its documents say {real}"
                )
            if b.status not in states.BATCH_FINAL or b.completed_at is None:
                problems.append(
                    f"batch {b.name} ({b.id}) is {b.status}, completed_at {b.completed_at}"
                )

        used: dict = defaultdict(int)
        for user_id, pages in db.session.execute(sa.select(Usage.user_id, Usage.pages_used)):
            used[user_id] += pages
        charged: dict = defaultdict(int)
        for d in docs:
            if d.status == D.COMPLETED:
                charged[d.user_id] += d.page_count
        for user_id in set(used) | set(charged):
            if used[user_id] != charged[user_id]:
                problems.append(
                    f"user {user_id}: usage {used[user_id]} pages, completed documents have "
                    f"{charged[user_id]}"
                )

        results = set(db.session.scalars(sa.select(ExtractionResult.document_id)))
        for d in docs:
            if d.status == D.COMPLETED and d.id not in results:
                problems.append(f"completed document {d.original_filename} has no result")
        running = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ExtractionJob)
            .where(ExtractionJob.status == JobStatus.RUNNING)
        )
        if running:
            problems.append(f"{running} extraction attempt(s) still marked running")

        stored = set(get_storage().keys())
        rows = {d.storage_key for d in docs}
        for key in sorted(stored - rows):
            problems.append(f"stored file {key} has no document row")
        for d in docs:
            if d.storage_key not in stored:
                problems.append(f"document {d.original_filename} has no stored file")
        db.session.rollback()
    return problems


def assert_consistent(app) -> None:
    """Every document terminal, counters equal to the documents, usage equal to the pages of
    completed documents, no page held, a result per completed document, no attempt left
    running, and stored files and document rows in one-to-one correspondence."""
    problems = consistency_problems(app)
    assert not problems, "inconsistent after the fault:\n" + "\n".join(problems)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own (free port, no persistence): the one a test may stop."""
    if shutil.which("redis-server") is None:
        pytest.skip("the fault tests start a private redis-server: install Redis (redis-server)")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory).start()
    yield server
    server.stop()


@pytest.fixture
def fault_app(app, db, private_redis, monkeypatch):
    """The test app with its queues and sweeper on the private Redis."""
    monkeypatch.setitem(app.config, "REDIS_URL", private_redis.url)
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", "1")
    monkeypatch.delitem(app.extensions, "redis", raising=False)
    yield app
    conn = app.extensions.pop("redis", None)
    if conn is not None:
        conn.close()


@pytest.fixture
def env(fault_app) -> dict:
    """Environment of every process of the test: test database, private Redis, 1 s schedule."""
    return worker_env(fault_app) | {
        "FINALIZE_INTERVAL_SECONDS": "1",
        "JOB_RETRY_INTERVALS": "1",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def procs(fault_app, tmp_path):
    """The test's processes, stopped before its Redis and database are cleaned up."""
    running = Processes(tmp_path / "logs")
    yield running
    running.stop_all()


@pytest.fixture
def block_dir(tmp_path) -> Path:
    """The folder of tests.support.providers.BlockingProvider (`release` lets it go on)."""
    folder = tmp_path / "block"
    folder.mkdir()
    return folder


def blocking(env: dict, folder: Path) -> dict:
    """The environment of a worker whose extractions wait for `release` in folder."""
    return env | {
        "EXTRACTION_PROVIDER": "tests.support.providers:BlockingProvider",
        "INGESTIO_TEST_BLOCK_DIR": str(folder),
    }


def register_schedule(env: dict) -> None:
    """`flask schedule register`, as the release step runs it."""
    assert "Registered" in flask_command(env, "schedule", "register")


def wait_for_workers(count: int, procs: Processes) -> None:
    """Wait until `count` RQ workers are registered in the test's Redis."""
    wait_until(
        lambda: len(Worker.all(connection=get_redis())) >= count,
        timeout=60,
        what=f"{count} worker(s) to register",
        procs=procs,
    )


def settled(batch_ids) -> bool:
    """True once every listed batch is final with its completed_at set."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Batch.status, Batch.completed_at).where(Batch.id.in_(list(batch_ids)))
    ).all()
    db.session.rollback()
    return len(rows) == len(batch_ids) and all(
        status in states.BATCH_FINAL and done is not None for status, done in rows
    )
