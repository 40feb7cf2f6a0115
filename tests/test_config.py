"""Configuration: production refuses unsafe settings; PaaS URLs and deployment files work."""

import json
import os
import pathlib
import runpy
import subprocess
import sys

import pytest

from config import ProductionConfig, TestConfig, normalize_database_url

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://u:p@db.example.com:5432/app",
            "postgresql+psycopg://u:p@db.example.com:5432/app",
        ),
        ("postgresql://u@localhost/app", "postgresql+psycopg://u@localhost/app"),
        ("postgresql+psycopg://u@localhost/app", "postgresql+psycopg://u@localhost/app"),
        ("sqlite:////tmp/app.db", "sqlite:////tmp/app.db"),
    ],
)
def test_database_urls_of_a_paas_are_accepted(given, expected):
    assert normalize_database_url(given) == expected


def production(**overrides):
    """A production configuration on the test database and Redis, with overrides."""
    attrs = {
        "SECRET_KEY": "production-secret-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": TestConfig.SQLALCHEMY_DATABASE_URI,
        "REDIS_URL": TestConfig.REDIS_URL,
        "RATELIMIT_STORAGE_URI": TestConfig.REDIS_URL,
        "STORAGE_URL": "file:///tmp/ingestio-config-test",
        "LOG_JSON": False,
    }
    attrs.update(overrides)
    return type("Production", (ProductionConfig,), attrs)


def test_production_refuses_to_start_without_a_secret_key():
    from app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(production(SECRET_KEY=""))


def test_production_refuses_sqlite_unless_allowed(tmp_path):
    from app import create_app

    sqlite = f"sqlite:///{tmp_path}/app.db"
    with pytest.raises(RuntimeError, match="ALLOW_SQLITE=1"):
        create_app(production(SQLALCHEMY_DATABASE_URI=sqlite))
    app = create_app(production(SQLALCHEMY_DATABASE_URI=sqlite, ALLOW_SQLITE=True))
    assert app.config["ENV_NAME"] == "production"


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter with only the given app settings in the environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "ALLOW_SQLITE", "APP_ENV", "LOG_JSON")
        and not k.startswith("TEST_")
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_production_process_exits_with_a_clear_message(tmp_path):
    no_key = run_python(
        "import wsgi",
        APP_ENV="production",
        DATABASE_URL=TestConfig.SQLALCHEMY_DATABASE_URI,
    )
    assert no_key.returncode != 0
    assert "SECRET_KEY is not set" in no_key.stderr

    on_sqlite = run_python(
        "import wsgi",
        APP_ENV="production",
        SECRET_KEY="s" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path}/app.db",
    )
    assert on_sqlite.returncode != 0
    assert "DATABASE_URL points to SQLite" in on_sqlite.stderr


def test_a_production_process_takes_a_postgres_url():
    url = TestConfig.SQLALCHEMY_DATABASE_URI.replace("postgresql+psycopg://", "postgres://")
    ok = run_python(
        "from wsgi import app; from app.extensions import db\n"
        "with app.app_context():\n"
        "    print(db.engine.url.drivername, db.session.execute(db.text('select 1')).scalar())\n"
        "print(app.config['SESSION_COOKIE_SECURE'], app.config['LOG_JSON'])",
        APP_ENV="production",
        SECRET_KEY="s" * 40,
        DATABASE_URL=url,
        REDIS_URL=TestConfig.REDIS_URL,
    )
    assert ok.returncode == 0, ok.stderr[-1500:]
    assert ok.stdout.split() == ["postgresql+psycopg", "1", "True", "True"]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_app_json_describes_the_procfile_processes_and_add_ons():
    manifest = json.loads((ROOT / "app.json").read_text())
    processes = procfile()
    assert {"web", "worker", "scheduler"} <= set(manifest["formation"])
    assert set(manifest["formation"]) <= set(processes)
    assert "flask db upgrade" in processes["release"]
    plans = {addon["plan"].split(":")[0] for addon in manifest["addons"]}
    assert plans == {"heroku-postgresql", "heroku-redis"}
    env = manifest["env"]
    assert env["SECRET_KEY"]["generator"] == "secret"
    assert env["APP_ENV"]["value"] == "production"
    assert env["STORAGE_URL"]["value"].startswith("s3://")
    assert all(spec.get("description") for spec in env.values())


def test_python_version_is_pinned():
    assert (ROOT / ".python-version").read_text().strip() == "3.11"


def test_gunicorn_takes_its_sizes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "5123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:5123"
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 8, "gthread")
    # A 50 MB upload at 4 Mbit/s takes 100 s: the default leaves room for it.
    assert conf["timeout"] >= 120
    assert conf["accesslog"] is None  # the app logs each request itself
