"""Load: N users submit a batch of 5 small PDFs each at the same moment, then poll it until final.

Starts the processes of the Procfile on a fresh PostgreSQL database and a Redis database of its
own: gunicorn (gunicorn.conf.py, 2 workers) serving wsgi:app in production mode, K `rq worker`
processes with the Procfile's worker class, and `rqscheduler` with the periodic finalizer and
sweeper registered by `flask schedule register`. Users (growth plan) and their API tokens are
created through the app factory. Then one thread per user:

1. waits at a barrier, so that every create is sent at the same moment;
2. POST /api/v1/batches (multipart, 5 one-page invoice PDFs, a global prompt, Bearer token);
3. polls GET /api/v1/batches/<id> with If-None-Match every --poll seconds (keep-alive), honouring
   Retry-After on a 429, until the batch is final.

Prints the answers by status code, requests rejected (anything but 2xx/304; 429s are counted apart,
as the limits intend them), create latency p50/p95/p99, time from the first create to the last
batch final, documents per second, peak memory (RSS from /proc, and PSS, which shares the pages
that forked processes have in common) of the web processes and of the worker processes, and the
end state read from the database: documents lost (created but not terminal, or missing), failed
documents and batches not final. Asserts nothing.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_load \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/load.py [--users 100] [--workers 2]

The database named there is dropped and created again; the Redis database is flushed.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_load")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
SECRET = "bench-load-secret-key-0123456789abcdef"
PROMPT = "Extract the invoice number, invoice date, total and line items"
FINAL = {"completed", "partially_completed", "failed", "cancelled"}


# -- set-up ------------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Drop and create the bench database."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def process_env(storage: str) -> dict:
    """Environment of the app built here and of every process started."""
    os.environ.update(
        APP_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        STORAGE_URL=f"file://{storage}",
        FLASK_APP="wsgi",
        LOG_LEVEL="WARNING",
    )
    return dict(os.environ, PYTHONPATH=str(ROOT))


def seed(users: int) -> list[str]:
    """Fresh tables and `users` growth users with an API token each; the tokens."""
    from redis import Redis

    from app import create_app
    from app.extensions import db
    from app.services import accounts

    Redis.from_url(REDIS_URL).flushdb()
    app = create_app()
    tokens = []
    with app.app_context():
        db.create_all()
        for n in range(users):
            user = accounts.create_user(
                f"load{n:04d}@example.com", "correct-horse-42", plan="growth"
            )
            db.session.flush()
            tokens.append(accounts.issue_token(user, "load")[1])
        db.session.commit()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def start_processes(env: dict, workers: int, logs: Path) -> tuple[dict, int]:
    """gunicorn, the rq workers and rqscheduler; ({group: [Popen]}, web port)."""
    from redis import Redis
    from rq import Worker

    subprocess.run(
        [str(BIN / "flask"), "schedule", "register"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    procs = {
        "web": [
            spawn(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "wsgi:app",
                ],
                env,
                logs / "web.log",
            )
        ],
        "workers": [
            spawn(
                [
                    str(BIN / "rq"),
                    "worker",
                    "--url",
                    REDIS_URL,
                    "--worker-class",
                    "jobs.worker.DocumentWorker",
                    "documents",
                    "default",
                ],
                env,
                logs / f"worker-{n}.log",
            )
            for n in range(workers)
        ],
        "scheduler": [
            spawn(
                [str(BIN / "rqscheduler"), "--url", REDIS_URL, "--interval", "1"],
                env,
                logs / "scheduler.log",
            )
        ],
    }
    redis = Redis.from_url(REDIS_URL)
    wait_until(lambda: healthy(port), 60, "gunicorn to answer /healthz")
    wait_until(lambda: len(Worker.all(connection=redis)) >= workers, 120, "the workers")
    return procs, port


def stop_processes(procs: dict) -> None:
    for group in ("web", "workers", "scheduler"):
        for proc in procs[group]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
    for group in procs.values():
        for proc in group:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# -- memory ------------------------------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """root and every process below it (RQ's work horses run in process groups of their own)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, pending = [root], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB, (0, 0) once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class MemorySampler(threading.Thread):
    """Samples RSS and PSS of each group's process trees every 0.2 s; keeps the peaks."""

    def __init__(self, groups: dict[str, list[int]]):
        super().__init__(daemon=True)
        self.groups = groups
        self.peak = {g: {"rss": 0, "pss": 0, "largest": 0, "processes": 0} for g in groups}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for group, roots in self.groups.items():
                pids = [p for root in roots for p in process_tree(root)]
                sizes = [memory_kb(p) for p in pids]
                peak = self.peak[group]
                peak["rss"] = max(peak["rss"], sum(s[0] for s in sizes))
                peak["pss"] = max(peak["pss"], sum(s[1] for s in sizes))
                peak["largest"] = max(peak["largest"], max((s[0] for s in sizes), default=0))
                peak["processes"] = max(peak["processes"], len(pids))
            self.done.wait(0.2)


# -- the users ---------------------------------------------------------------------------------


def multipart(files: list[tuple[str, bytes]], fields: dict) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def invoice(user: int, n: int) -> bytes:
    from tests.pdfgen import make_pdf

    return make_pdf(
        1,
        lines=(
            "ACME Supplies Ltd",
            "INVOICE",
            f"Invoice number: INV-{user:04d}-{n}",
            "Invoice date: 2024-03-15",
            "Description Qty Unit price Amount",
            f"Paper A4 {n + 1} 5.00 {5 * (n + 1):.2f}",
            f"Total: EUR {5 * (n + 1):.2f}",
        ),
    )


class User(threading.Thread):
    """One user: create a batch, then poll its status until it is final."""

    def __init__(self, n, token, port, files, barrier, poll, stats):
        super().__init__(daemon=True)
        self.n, self.token, self.port = n, token, port
        self.body, self.content_type = multipart(
            [(f"invoice-{n:04d}-{i}.pdf", invoice(n, i)) for i in range(files)],
            {"prompt_strategy": "global", "global_prompt": PROMPT, "name": f"Load {n}"},
        )
        self.barrier, self.poll, self.stats = barrier, poll, stats
        self.batch_id: str | None = None
        self.documents = 0
        self.final: str | None = None
        self.create_ms: float | None = None
        self.finished_at: float | None = None
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method, path, body=None, headers=None):
        """One request on the keep-alive connection (reconnecting once if it was closed)."""
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                self.stats.count(method, resp.status)
                return resp, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    self.stats.count(method, "connection error")
                    raise
        raise AssertionError("unreachable")

    def run(self):
        try:
            self.barrier.wait()
            started = time.perf_counter()
            resp, data = self.request(
                "POST", "/api/v1/batches", self.body, {"Content-Type": self.content_type}
            )
            self.create_ms = (time.perf_counter() - started) * 1000
            if resp.status != 202:
                self.stats.note(f"create answered {resp.status}: {data[:200]!r}")
                return
            batch = json.loads(data)
            self.batch_id, self.documents = batch["id"], len(batch["documents"])
            etag = resp.getheader("ETag")
            while True:
                time.sleep(self.poll)
                headers = {"If-None-Match": etag} if etag else {}
                resp, data = self.request("GET", f"/api/v1/batches/{self.batch_id}", None, headers)
                if resp.status == 429:
                    time.sleep(float(resp.getheader("Retry-After") or 1))
                    continue
                if resp.status == 304:
                    continue
                if resp.status != 200:
                    self.stats.note(f"status answered {resp.status}")
                    continue
                etag = resp.getheader("ETag")
                status = json.loads(data)["status"]
                if status in FINAL:
                    self.final, self.finished_at = status, time.perf_counter()
                    return
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            self.stats.note(f"user {self.n}: {exc!r}")
        finally:
            if self.conn is not None:
                self.conn.close()


class Stats:
    """Answers by method and status, and notes about anything unexpected (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers: Counter = Counter()
        self.notes: list[str] = []

    def count(self, method, status):
        with self.lock:
            self.answers[(method, status)] += 1

    def note(self, text):
        with self.lock:
            self.notes.append(text)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def end_state(batch_ids: list[str]) -> dict:
    """What the database says once the run is over."""
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import Batch, Document

    app = create_app()
    with app.app_context():
        docs = Counter(
            str(s)
            for s in db.session.scalars(
                sa.select(Document.status).where(Document.batch_id.in_(batch_ids))
            )
        )
        batches = Counter(
            str(s)
            for s in db.session.scalars(sa.select(Batch.status).where(Batch.id.in_(batch_ids)))
        )
        window = db.session.execute(
            sa.select(sa.func.min(Document.started_at), sa.func.max(Document.completed_at)).where(
                Document.batch_id.in_(batch_ids)
            )
        ).one()
    return {"documents": docs, "batches": batches, "window": window}


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="concurrent users, one batch each")
    parser.add_argument("--workers", type=int, default=2, help="rq worker processes")
    parser.add_argument("--files", type=int, default=5, help="PDFs per batch (one page each)")
    parser.add_argument("--poll", type=float, default=1.5, help="seconds between status polls")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this long")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    (tmp / "logs").mkdir()
    fresh_database(DB_URL)
    env = process_env(str(tmp / "uploads"))
    print(f"seeding {args.users} users on {DB_URL} ...", flush=True)
    tokens = seed(args.users)
    procs, port = start_processes(env, args.workers, tmp / "logs")
    sampler = MemorySampler(
        {"web": [p.pid for p in procs["web"]], "workers": [p.pid for p in procs["workers"]]}
    )
    sampler.start()
    stats = Stats()
    barrier = threading.Barrier(args.users + 1)
    users = [
        User(n, token, port, args.files, barrier, args.poll, stats)
        for n, token in enumerate(tokens)
    ]
    try:
        for user in users:
            user.start()
        print(f"{args.users} users x {args.files} PDFs, {args.workers} workers ...", flush=True)
        barrier.wait()
        started = time.perf_counter()
        deadline = time.monotonic() + args.timeout
        for user in users:
            user.join(max(deadline - time.monotonic(), 0.1))
    finally:
        sampler.done.set()
        sampler.join()
        stop_processes(procs)
        shutil.rmtree(tmp / "uploads", ignore_errors=True)

    created = [u for u in users if u.batch_id]
    batch_ids = [u.batch_id for u in created]
    state = end_state(batch_ids) if batch_ids else {"documents": Counter(), "batches": Counter()}
    expected_docs = sum(u.documents for u in created)
    terminal = sum(state["documents"][s] for s in ("completed", "failed", "cancelled"))
    last_final = max((u.finished_at for u in users if u.finished_at), default=None)
    to_final = (last_final - started) if last_final else None
    answers = stats.answers
    server_errors = sum(n for (_m, s), n in answers.items() if isinstance(s, int) and s >= 500)
    limited = sum(n for (_m, s), n in answers.items() if s == 429)
    rejected = sum(
        n
        for (_m, s), n in answers.items()
        if not (isinstance(s, int) and (200 <= s < 300 or s in (304, 429)))
    )
    latencies = [u.create_ms for u in users if u.create_ms is not None]

    print()
    print(f"users (concurrent batches)        {args.users}")
    print(f"documents per batch               {args.files} (1 page each)")
    print(f"rq workers                        {args.workers}; gunicorn 2 workers (gthread)")
    print(
        "answers                           "
        + ", ".join(f"{m} {s}: {n}" for (m, s), n in sorted(answers.items(), key=str))
    )
    print(f"requests rejected                 {rejected} (429 rate_limited apart: {limited})")
    print(f"5xx answers                       {server_errors}")
    if latencies:
        print(
            "create latency p50 / p95 / p99    "
            f"{percentile(latencies, 50):.0f} / {percentile(latencies, 95):.0f} / "
            f"{percentile(latencies, 99):.0f} ms (max {max(latencies):.0f} ms, "
            f"mean {statistics.mean(latencies):.0f} ms)"
        )
    if to_final is not None:
        print(f"time to all batches final         {to_final:.1f} s (from the first create)")
        print(f"documents per second              {expected_docs / to_final:.1f} (end to end)")
    window = state.get("window")
    if window and window[0] and window[1]:
        busy = (window[1] - window[0]).total_seconds()
        print(
            f"documents per second (workers)    {expected_docs / busy:.1f} "
            f"(first claim to last completion: {busy:.1f} s)"
        )
    for group, peak in sampler.peak.items():
        print(
            f"peak memory, {group:<8}             RSS {peak['rss'] / 1024:.0f} MiB, "
            f"PSS {peak['pss'] / 1024:.0f} MiB, largest process {peak['largest'] / 1024:.0f} MiB "
            f"({peak['processes']} processes at most)"
        )
    print(
        f"batches created                   {len(created)} of {args.users}; final: "
        f"{dict(state['batches'])}"
    )
    print(
        f"documents created                 {expected_docs}; in the database: "
        f"{dict(state['documents'])}"
    )
    print(f"documents lost                    {expected_docs - terminal}")
    print(f"batches not final in time         {sum(1 for u in created if u.final is None)}")
    for note in stats.notes[:20]:
        print(f"note: {note}")
    print(f"logs: {tmp / 'logs'}")


if __name__ == "__main__":
    main()
