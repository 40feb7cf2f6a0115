"""Redis over TLS with a self-signed certificate (as Heroku Redis serves it), for every process.

A real redis-server with TLS on a free port and a certificate made here: a verifying client is
refused, and with REDIS_TLS_VERIFY=false the app, the rate limits and the Procfile's worker line
all connect over TLS.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config import redis_url
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not (shutil.which("redis-server") and shutil.which("openssl")),
    reason="needs redis-server and openssl",
)


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    """A TLS-only redis-server with a self-signed certificate; its rediss:// URL."""
    folder = tmp_path_factory.mktemp("tls-redis")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
        + ["-subj", "/CN=redis.example.internal"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--tls-port", str(port)]
        + ["--tls-cert-file", str(folder / "cert.pem"), "--tls-key-file", str(folder / "key.pem")]
        + ["--tls-ca-cert-file", str(folder / "cert.pem"), "--tls-auth-clients", "no"]
        + ["--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"rediss://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                Redis.from_url(redis_url(url, verify=False), socket_timeout=1).ping()
                break
            except RedisConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the TLS redis-server did not start")
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def test_a_self_signed_certificate_is_refused_unless_verification_is_off(tls_redis):
    with pytest.raises(RedisConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        Redis.from_url(redis_url(tls_redis, verify=True), socket_timeout=2).ping()
    client = Redis.from_url(redis_url(tls_redis, verify=False), socket_timeout=2)
    assert client.ping() is True
    assert client.connection_pool.connection_kwargs["ssl_cert_reqs"] == "none"


def test_only_tls_urls_change():
    assert redis_url("redis://cache:6379/0", verify=False) == "redis://cache:6379/0"
    assert redis_url("rediss://h:1/0", verify=True) == "rediss://h:1/0"
    assert redis_url("rediss://h:1/0?ssl_cert_reqs=required", verify=False).endswith("=required")
    assert (
        redis_url("rediss://h:1/0?db=2", verify=False) == "rediss://h:1/0?db=2&ssl_cert_reqs=none"
    )


def env_for(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "RATELIMIT"))}
    return env | {
        "REDIS_URL": url,
        "REDIS_TLS_VERIFY": "false",
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    }


def test_the_app_and_its_rate_limits_connect_over_tls(tls_redis, tmp_path):
    script = (
        "from app import create_app\n"
        "from app.extensions import get_redis, limiter\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    print(get_redis().ping(), limiter.storage.check())\n"
    )
    env = env_for(tls_redis) | {
        "APP_ENV": "development",
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tls.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert done.stdout.split() == ["True", "True"]


def test_the_procfile_worker_line_connects_over_tls(tls_redis):
    """The worker's connection options as the Procfile writes them, run by a shell."""
    line = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("worker:")
    )
    assert line.startswith("rq worker --url $REDIS_URL --connection-class jobs.redis_url.Redis")
    command = line.replace("rq worker", "rq info", 1).split(" --worker-class")[0]
    done = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env_for(tls_redis), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert "0 workers" in done.stdout


def test_the_procfile_scheduler_line_connects_over_tls(tls_redis):
    line = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("scheduler:")
    )
    url = subprocess.run(
        ["bash", "-c", 'echo "$(python -m jobs.redis_url)"'],
        cwd=ROOT,
        env=env_for(tls_redis),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert line == 'rqscheduler --url "$(python -m jobs.redis_url)"'
    assert Redis.from_url(url, socket_timeout=2).ping() is True
