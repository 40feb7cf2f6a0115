"""/healthz (database and Redis) and /readyz (plus a live worker and rqscheduler)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue, Worker
from rq.utils import utcformat
from rq.worker import WorkerStatus
from rq_scheduler import Scheduler


@pytest.fixture
def live_worker(redis_conn):
    """An RQ worker registered in Redis with a fresh heartbeat, as `rq worker` keeps it."""
    worker = Worker(
        [Queue("documents", connection=redis_conn)],
        connection=redis_conn,
        name=f"ready-{uuid.uuid4().hex[:8]}",
    )
    worker.register_birth()
    worker.set_state(WorkerStatus.IDLE)
    yield worker
    worker.register_death()


@pytest.fixture
def live_scheduler(redis_conn):
    """An rq-scheduler instance registered as the `rqscheduler` process does on start."""
    scheduler = Scheduler(connection=redis_conn, interval=10)
    scheduler.register_birth()
    yield scheduler
    scheduler.register_death()


READYZ_TOKEN = "ready-" + "x" * 32


@pytest.fixture
def ops(app, client, monkeypatch):
    """The client of a monitoring system holding READYZ_TOKEN, which sees /readyz's checks."""
    monkeypatch.setitem(app.config, "READYZ_TOKEN", READYZ_TOKEN)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {READYZ_TOKEN}"
    yield client
    client.environ_base.pop("HTTP_AUTHORIZATION", None)


@pytest.fixture
def redis_down(app, monkeypatch):
    """The app's Redis points at a port where nothing listens."""
    monkeypatch.setitem(
        app.extensions, "redis", Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    )


def test_healthz_answers_ok_when_database_and_redis_answer(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
    }
    assert resp.headers["Cache-Control"] == "no-store"


def test_readyz_names_the_missing_worker_and_scheduler(ops):
    resp = ops.get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "unavailable"
    assert body["missing"] == ["workers", "scheduler"]
    assert body["checks"]["workers"] == "error: no worker is registered"
    assert body["checks"]["scheduler"] == "error: no rqscheduler process is running"
    assert body["checks"]["database"] == body["checks"]["redis"] == "ok"


def test_readyz_is_ok_with_a_live_worker_and_scheduler(ops, live_worker, live_scheduler):
    resp = ops.get("/readyz")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "ok" and body["missing"] == []
    assert body["checks"]["workers"] == "ok"


def test_readyz_wants_a_recent_worker_heartbeat(ops, live_worker, live_scheduler, redis_conn):
    stale = datetime.now(UTC) - timedelta(minutes=30)
    redis_conn.hset(live_worker.key, "last_heartbeat", utcformat(stale))
    resp = ops.get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["missing"] == ["workers"]
    assert body["checks"]["workers"] == "error: no worker sent a heartbeat in the last 480 s"


def test_readyz_notices_a_scheduler_that_shut_down(ops, live_worker, redis_conn):
    scheduler = Scheduler(connection=redis_conn, interval=10)
    scheduler.register_birth()
    assert ops.get("/readyz").status_code == 200
    scheduler.register_death()
    resp = ops.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["missing"] == ["scheduler"]


def test_readyz_accepts_a_scheduler_holding_its_lock(ops, live_worker, redis_conn):
    scheduler = Scheduler(connection=redis_conn, interval=10)
    assert scheduler.acquire_lock()
    try:
        assert ops.get("/readyz").status_code == 200
    finally:
        scheduler.remove_lock()


def test_both_answer_503_when_redis_is_down(ops, redis_down):
    health = ops.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["checks"]["redis"].startswith("error: ")
    ready = ops.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["missing"] == ["redis", "workers", "scheduler"]
    assert "Redis unreachable" in ready.get_json()["checks"]["workers"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_need_no_login(client, path):
    resp = client.get(path)
    assert resp.status_code in (200, 503)
    assert resp.is_json


def test_readyz_tells_anonymous_callers_the_status_alone(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "READYZ_TOKEN", READYZ_TOKEN)
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        resp = client.get("/readyz", headers=headers)
        assert resp.status_code == 503
        assert resp.get_json() == {"status": "unavailable"}
        assert "scheduler" not in resp.get_data(as_text=True)


def test_readyz_shows_no_details_to_any_bearer_when_no_token_is_set(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "READYZ_TOKEN", "")
    resp = client.get("/readyz", headers={"Authorization": "Bearer "})
    assert resp.get_json() == {"status": "unavailable"}


def test_readyz_shows_its_checks_to_a_logged_in_admin_only(client, auth, db):
    from tests.factories import make_user

    make_user("plain@example.com")
    make_user("ops@example.com", admin=True)
    assert auth.login("plain@example.com").status_code == 302
    assert client.get("/readyz").get_json() == {"status": "unavailable"}
    auth.logout()
    assert auth.login("ops@example.com").status_code == 302
    body = client.get("/readyz").get_json()
    assert body["missing"] == ["workers", "scheduler"]
    assert body["checks"]["workers"] == "error: no worker is registered"
