"""Real processes for the end-to-end and fault suites: gunicorn, rqscheduler, redis-server, `flask`.

Every process starts in a session of its own, so that a test can stop it (or SIGKILL it) with the
children it forked; `Processes` stops whatever a test left running and shows the tail of each
process's log when something goes wrong. RQ workers come from tests.support.pipeline.start_worker.
"""

import contextlib
import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.pipeline import ROOT, VENV_BIN, start_worker, stop_process, wait_for

__all__ = [
    "Processes",
    "RedisServer",
    "descendants",
    "flask_command",
    "free_port",
    "kill_tree",
    "start_gunicorn",
    "start_scheduler",
    "start_worker",
    "stop_process",
    "wait_for",
    "wait_until",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file (empty when there is none)."""
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def flask_command(env: dict, *args: str, timeout: float = 120) -> str:
    """Run `flask <args>` like an operator would; its output, or a failed assertion."""
    done = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _spawn(cmd: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    out = open(log_path, "ab")  # noqa: SIM115 - the child keeps it; closed when it ends
    try:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        out.close()


def start_gunicorn(env: dict, port: int, log_path: Path, workers: int = 2) -> subprocess.Popen:
    """`gunicorn wsgi:app` with the product's settings, `workers` processes, on 127.0.0.1:port."""
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "-c",
        "gunicorn.conf.py",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]
    return _spawn(cmd, env, log_path)


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until GET /healthz answers 200 (database and Redis reachable)."""

    def healthy():
        assert proc.poll() is None, f"the server exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    wait_for(healthy, timeout=timeout, what=f"{base_url}/healthz to answer 200")


def start_scheduler(env: dict, log_path: Path, interval: int = 1) -> subprocess.Popen:
    """`rqscheduler` on the environment's Redis, moving due jobs every `interval` seconds."""
    cmd = [
        str(VENV_BIN / "rqscheduler"),
        "--url",
        env["TEST_REDIS_URL"],
        "--interval",
        str(interval),
    ]
    return _spawn(cmd, env, log_path)


def descendants(pid: int) -> list[int]:
    """Every living process below pid (children, grandchildren...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def kill_tree(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal a process and everything it forked (RQ's work horses run in groups of their own)."""
    for pid in [*descendants(proc.pid), proc.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(30)


class RedisServer:
    """A private redis-server on a free port, without persistence, that a test may stop."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        """Start the server and wait until it answers PING."""
        from redis import Redis
        from redis.exceptions import RedisError

        self.proc = _spawn(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            dict(os.environ),
            self.directory / "redis.log",
        )
        conn = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

        def answers():
            assert self.proc.poll() is None, tail(self.directory / "redis.log")
            try:
                return conn.ping()
            except RedisError:
                return False

        wait_for(answers, timeout=20, what="redis-server to answer PING")
        conn.close()
        return self

    def stop(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server (SIGKILL: everything in it is lost, as in a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)

    def shutdown_saving(self) -> None:
        """SHUTDOWN SAVE: write the data to <dir>/dump.rdb and stop; start() loads it again."""
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError

        conn = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        with contextlib.suppress(RedisConnectionError):
            conn.shutdown(save=True)
        conn.close()
        self.proc.wait(30)


class Processes:
    """The processes a test started, by name; all of them are stopped when the test ends."""

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def worker(self, name: str, env: dict, queues=("documents", "default")) -> subprocess.Popen:
        """A real `rq worker` with the Procfile's worker class."""
        proc = start_worker(env, queues=queues, log_path=self.log(name))
        self.running[name] = proc
        return proc

    def scheduler(self, name: str, env: dict, interval: int = 1) -> subprocess.Popen:
        """A real `rqscheduler`."""
        proc = start_scheduler(env, self.log(name), interval)
        self.running[name] = proc
        return proc

    def gunicorn(self, name: str, env: dict, workers: int = 2) -> str:
        """gunicorn on a free port, healthy when this returns; its base URL."""
        port = free_port()
        proc = start_gunicorn(env, port, self.log(name), workers)
        self.running[name] = proc
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc)
        return url

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop one process (and its process group) and forget it."""
        proc = self.running.pop(name)
        stop_process(proc, sig)
        for pid in descendants(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def kill(self, name: str) -> None:
        """SIGKILL a process and everything it forked, and forget it."""
        kill_tree(self.running.pop(name))

    def stop_all(self) -> None:
        """Stop everything still running: workers first, then the rest."""
        for name in sorted(self.running, key=lambda n: not n.startswith("worker")):
            proc = self.running[name]
            for pid in descendants(proc.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            stop_process(proc)
        self.running.clear()

    def logs(self) -> str:
        """The tail of every log, for a failure report."""
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {path.name}\n{tail(path)}")
        return "\n".join(parts)


def wait_until(predicate, timeout: float, what: str, procs: Processes | None = None):
    """wait_for, with the processes' logs in the message when it times out."""
    try:
        return wait_for(predicate, timeout=timeout, what=what)
    except AssertionError as exc:
        if procs is None:
            raise
        raise AssertionError(f"{exc}\n{procs.logs()}") from None
