"""Shared fixtures: app, db (real PostgreSQL), client, auth, a clean Redis database, a burst worker."""

import os
import re
import socket
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from redis import Redis

from config import TestConfig

PG_URL = TestConfig.SQLALCHEMY_DATABASE_URI
REDIS_URL = TestConfig.REDIS_URL


def reachable(url: str, default_port: int) -> bool:
    """True when something listens at the URL's host and port."""
    parsed = urlparse(url.replace("+psycopg", ""))
    try:
        with socket.create_connection(
            (parsed.hostname or "localhost", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on TestConfig, its schema created once per run."""
    if PG_URL.startswith("postgresql") and not reachable(PG_URL, 5432):
        pytest.exit(
            f"PostgreSQL is not reachable at {PG_URL}: start it or set TEST_DATABASE_URL.", 2
        )
    if not reachable(REDIS_URL, 6379):
        pytest.exit(f"Redis is not reachable at {REDIS_URL}: start it or set TEST_REDIS_URL.", 2)
    from app import create_app
    from app.extensions import db

    storage = tmp_path_factory.mktemp("storage")
    os.environ["TEST_STORAGE_URL"] = f"file://{storage}"

    class Config(TestConfig):
        STORAGE_URL = f"file://{storage}"

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return app


def truncate_all(db) -> None:
    """Empty every table between tests (workers in other processes commit for real)."""
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def redis_conn():
    """The test Redis database, flushed before and after the test."""
    conn = Redis.from_url(REDIS_URL)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture
def db(app, redis_conn, tmp_path):
    """An app context with empty tables, a fresh storage directory and a flushed Redis."""
    from app.extensions import db as _db

    storage_url = f"file://{tmp_path / 'uploads'}"
    app.config["STORAGE_URL"] = storage_url
    os.environ["TEST_STORAGE_URL"] = storage_url
    with app.app_context():
        truncate_all(_db)
        yield _db
        _db.session.rollback()
        _db.session.remove()
        truncate_all(_db)


@pytest.fixture
def client(app, db):
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def runner(app, db):
    """A CLI runner for `flask` commands."""
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    """The csrf_token value of the first form in a page."""
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert m, "no csrf_token in the page"
    return m.group(1)


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def login(self, email: str, password: str = "correct-horse-42"):
        token = self.csrf("/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = self.csrf("/account")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    """The auth helper bound to the test client."""
    return AuthActions(client)


@pytest.fixture
def user(db):
    """A committed user on the growth plan."""
    from tests.factories import make_user

    return make_user("owner@example.com", plan="growth")


@pytest.fixture
def token(user):
    """An API token for `user`."""
    from tests.factories import make_token

    return make_token(user)


@pytest.fixture
def api(client, token):
    """Call the JSON API as `user` with a Bearer token: api.get('/api/v1/usage')."""

    class Api:
        def __getattr__(self, method):
            def call(path, headers=None, **kw):
                headers = {"Authorization": f"Bearer {token}", **(headers or {})}
                return getattr(client, method)(path, headers=headers, **kw)

            return call

    return Api()


@pytest.fixture(params=["token", "session"])
def sender(request, client, auth, db):
    """sender(user): a Sender posting create requests for that user over the API token or the
    browser session path (tests/support/intake.py)."""
    from tests.factories import make_token
    from tests.support.intake import Sender

    def make(user):
        if request.param == "token":
            return Sender(client, {"Authorization": f"Bearer {make_token(user)}"})
        auth.login(user.email)
        csrf = auth.csrf("/dashboard")
        return Sender(client, {"X-CSRFToken": csrf, "Accept": "application/json"})

    return make


@pytest.fixture
def api_as(client, db):
    """api_as(user): a Sender posting create requests with an API token of that user."""
    from tests.factories import make_token
    from tests.support.intake import Sender

    return lambda user: Sender(client, {"Authorization": f"Bearer {make_token(user)}"})


@pytest.fixture
def worker(app, redis_conn):
    """Drain the queues with a real RQ SimpleWorker in burst mode (jobs use this app context)."""
    from rq import SimpleWorker

    from app.extensions import QUEUE_NAMES, get_queue

    def run(queues=QUEUE_NAMES) -> bool:
        with app.app_context():
            qs = [get_queue(name) for name in queues]
            w = SimpleWorker(qs, connection=qs[0].connection)
            return w.work(burst=True)

    return run


@pytest.fixture
def procs():
    """Processes started by a test, stopped and reaped at its end whatever happens."""
    from tests.support.pipeline import stop_process

    started = []
    yield started
    for proc in started:
        stop_process(proc)


def worker_env(app) -> dict:
    """Environment for a worker or command in another process, on the test database and Redis."""
    env = dict(os.environ)
    env.update(
        APP_ENV="test",
        FLASK_APP="wsgi",
        TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        TEST_REDIS_URL=app.config["REDIS_URL"],
        TEST_STORAGE_URL=app.config["STORAGE_URL"],
    )
    return env
