"""Status endpoint benchmark: GET /api/v1/batches/<id> for a 200-document batch under gunicorn.

Starts the product's gunicorn settings (gunicorn.conf.py, 2 workers) on PostgreSQL and Redis,
serving bench/status_wsgi.py: the real app plus GET /bench/static, a fixed JSON dict, and
GET /bench/status/<id>, the status query on every request without authentication. Then 50
concurrent keep-alive pollers hit, one after the other for the same time each:

* static:   GET /bench/static (no database, no authentication);
* 304:      the status endpoint with the batch's current ETag in If-None-Match, as the batch
            page polls it (session cookie) and as an API client does (Bearer token);
* 200:      the full status JSON with its 200 documents, same two ways;
* query:    /bench/status/<id> as 304 and 200: the status query on every request (no status
            cache, no authentication), i.e. what a poll costs without the cache.

Prints SQL statements per request, requests per second, p50 and p99 for each, and the ratios to
static against the targets (304 >= 0.6x static, 200 >= 0.25x static). Uses wrk when it is
installed, else a Python load generator (processes x threads, http.client keep-alive), which
itself takes CPU from the server.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_status \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/status.py [--seconds 10]

The database named there is a scratch database: its tables are dropped and created.
"""

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_status")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
SECRET = "bench-status-secret-key-0123456789abcdef"
TARGETS = {"304": 0.6, "200": 0.25}
USER_AGENT = "bench-status"

os.environ.update(
    APP_ENV="production",
    SECRET_KEY=SECRET,
    DATABASE_URL=DB_URL,
    REDIS_URL=REDIS_URL,
    RATELIMIT_STORAGE_URI=REDIS_URL,
    # The limiters stay on (they are part of a request's cost); their limits are out of reach.
    RATELIMIT_API="100000000 per minute",
    RATELIMIT_STATUS="100000000 per minute",
    LOG_LEVEL="WARNING",
)


def ensure_database(url: str) -> None:
    """Create the scratch database when it does not exist yet."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(documents: int, storage: str) -> tuple[str, str]:
    """Fresh tables, a growth user with a token, one batch of `documents`; (batch id, token)."""
    import hashlib
    import uuid

    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import Batch, BatchStatus, Document, DocumentStatus, ErrorCode
    from app.services import accounts

    os.environ["STORAGE_URL"] = f"file://{storage}"
    app = create_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        user = accounts.create_user("bench@example.com", "correct-horse-42", plan="growth")
        _row, token = accounts.issue_token(user, "bench")
        db.session.flush()
        batch = Batch(
            user_id=user.id,
            name="Status benchmark",
            extraction_prompt="Extract the invoice number, date, total and line items",
            status=BatchStatus.PROCESSING,
        )
        db.session.add(batch)
        db.session.flush()
        rows, counts = [], {"completed": 0, "failed": 0}
        for i in range(documents):
            status = (
                DocumentStatus.COMPLETED
                if i < documents * 0.6
                else DocumentStatus.FAILED
                if i % 50 == 0
                else DocumentStatus.PROCESSING
                if i % 7 == 0
                else DocumentStatus.UPLOADED
            )
            failed = status == DocumentStatus.FAILED
            counts["completed"] += status == DocumentStatus.COMPLETED
            counts["failed"] += failed
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "user_id": user.id,
                    "batch_id": batch.id,
                    "original_filename": f"invoice-{i:04d}.pdf",
                    "storage_key": f"{uuid.uuid4().hex}.pdf",
                    "mime_type": "application/pdf",
                    "size_bytes": 48_000,
                    "sha256": hashlib.sha256(str(i).encode()).hexdigest(),
                    "page_count": 1 + i % 4,
                    "document_type": "invoice" if status == DocumentStatus.COMPLETED else None,
                    "status": status,
                    "error_code": ErrorCode.UNREADABLE_PDF if failed else None,
                    "error_message": "The PDF could not be read." if failed else None,
                }
            )
        db.session.execute(sa.insert(Document), rows)
        batch.document_count = documents
        batch.completed_count = counts["completed"]
        batch.failed_count = counts["failed"]
        batch.total_pages = sum(r["page_count"] for r in rows)
        db.session.commit()
        return str(batch.id), token


def statements_per_request(path: str, headers: dict) -> int:
    """SQL statements a warm request sends, counted in this process with the test client."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.services import reads
    from bench.status_wsgi import app

    seen = []
    with app.app_context():
        engines = {db.engine, reads.read_engine()}

    def listener(*_args):
        seen.append(1)

    # Without its own cookie jar the client sends the Cookie header as given. The first request
    # warms the process (as the load run's warm-up does); the second one is counted.
    client = app.test_client(use_cookies=False)
    client.get(path, headers=headers)
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(path, headers=headers)
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, storage: str, log_path: str) -> subprocess.Popen:
    """gunicorn with the product's settings, serving bench/status_wsgi.py."""
    env = dict(os.environ, STORAGE_URL=f"file://{storage}", PORT=str(port))
    gunicorn = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) or "gunicorn"
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [
            gunicorn,
            "-c",
            "gunicorn.conf.py",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "bench.status_wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    proc.terminate()
    sys.exit(f"gunicorn did not come up; see {log_path}")


# --- load generators ------------------------------------------------------------------------------


def wrk_run(url: str, headers: dict, connections: int, seconds: int) -> dict:
    """Run wrk and read its requests/s and latency percentiles."""
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {m[0]: to_ms(m[1]) for m in re.findall(r"\s(50|99)%\s+([\d.]+\w+)", out)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": pct.get("50"),
        "p99": pct.get("99"),
        "errors": int(bad.group(1)) if bad else 0,
        "note": errors.group(0) if errors else "",
    }


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _poller(args) -> tuple[list[float], int, int]:
    """One process of pollers: threads with a keep-alive connection each, until the deadline."""
    import threading

    host, port, path, headers, threads, start_at, end_at, expect = args
    latencies: list[float] = []
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()

    def run():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine, ok, bad = [], 0, 0
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < end_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            mine.append((time.perf_counter() - t0) * 1000)
            if resp.status == expect:
                ok += 1
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["ok"] += ok
            counts["bad"] += bad

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, counts["ok"], counts["bad"]


def python_run(port: int, path: str, headers: dict, connections: int, seconds: int, expect: int):
    """The Python load generator: 2 processes of connections/2 threads each."""
    procs = 2
    start_at = time.time() + 1.0
    end_at = start_at + seconds
    jobs = [
        ("127.0.0.1", port, path, headers, connections // procs, start_at, end_at, expect)
        for _ in range(procs)
    ]
    with multiprocessing.Pool(procs) as pool:
        parts = pool.map(_poller, jobs)
    latencies = sorted(x for lat, _ok, _bad in parts for x in lat)
    ok = sum(p[1] for p in parts)
    bad = sum(p[2] for p in parts)
    return {
        "rps": (ok + bad) / seconds,
        "p50": statistics.median(latencies) if latencies else None,
        "p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
        "errors": bad,
        "note": "",
    }


def session_cookie(port: int) -> str:
    """Log in through the real form; the session cookie as a Cookie header value.

    Production cookies are Secure, which a cookie jar would not send back over plain HTTP, so the
    cookie is carried by hand.
    """

    def call(method, path, body=None, cookie=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode()
        set_cookie = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
        conn.close()
        found = next((c.split(";", 1)[0] for c in set_cookie if c.startswith("session=")), None)
        return resp.status, text, found or cookie

    _status, page, cookie = call("GET", "/login")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"email": "bench@example.com", "password": "correct-horse-42", "csrf_token": csrf}
    )
    status, _text, cookie = call("POST", "/login", form, cookie)
    if status != 302 or not cookie:
        sys.exit(f"could not log in to get a session cookie (answer {status})")
    return cookie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument(
        "--rounds", type=int, default=4, help="runs of every scenario; the best one is reported"
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")

    ensure_database(DB_URL)
    storage = tempfile.mkdtemp(prefix="bench-status-")
    batch_id, token = seed(args.documents, storage)
    port = free_port()
    log_path = os.path.join(storage, "gunicorn.log")
    server = start_server(port, args.workers, storage, log_path)
    try:
        base = f"http://127.0.0.1:{port}"
        path = f"/api/v1/batches/{batch_id}"
        core = f"/bench/status/{batch_id}"
        # One User-Agent everywhere: the login session is bound to the client's address and agent.
        bearer = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"}
        cookie = {"User-Agent": USER_AGENT, "Cookie": session_cookie(port)}
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=bearer)) as r:
            etag = r.headers["ETag"]
            size = len(r.read())
        tag = {"If-None-Match": etag}
        n = args.documents
        scenarios = [
            ("static", "static JSON", "/bench/static", {"User-Agent": USER_AGENT}, 200, None),
            ("304", "304, session (page)", path, {**cookie, **tag}, 304, "304"),
            ("304", "304, Bearer token", path, {**bearer, **tag}, 304, "304"),
            ("200", f"200 {n} docs, session", path, cookie, 200, "200"),
            ("200", f"200 {n} docs, token", path, bearer, 200, "200"),
            ("core", "304, query, no cache", core, {"User-Agent": USER_AGENT, **tag}, 304, None),
            ("core", f"200 {n} docs, query, no cache", core, {"User-Agent": USER_AGENT}, 200, None),
        ]
        print(
            f"status endpoint benchmark: {n}-document batch ({size:,} bytes of JSON), "
            f"gunicorn -w {args.workers} (gunicorn.conf.py), PostgreSQL, "
            f"{args.connections} keep-alive pollers, {args.rounds} rounds of {args.seconds} s each, "
            f"load by {tool}, "
            f"{os.cpu_count()} CPU(s)"
        )
        statements = [statements_per_request(s[2], s[3]) for s in scenarios]
        # Every scenario runs once per round, in turn. gunicorn's workers accept connections as
        # they come: in some runs one worker takes all 50 keep-alive connections and the run
        # measures one worker (about a third of the throughput, seen here for the static JSON as
        # often as for the others). So each scenario's best round stands for the server's
        # capacity, the ratios are taken between best rounds, and every round is printed.
        runs = [[] for _ in scenarios]
        for _round in range(args.rounds):
            for i, (_kind, _label, url_path, headers, expect, _t) in enumerate(scenarios):
                # A short warm-up fills the connection pools first.
                if tool == "wrk":
                    wrk_run(base + url_path, headers, args.connections, 1)
                    result = wrk_run(base + url_path, headers, args.connections, args.seconds)
                else:
                    python_run(port, url_path, headers, args.connections, 1, expect)
                    result = python_run(
                        port, url_path, headers, args.connections, args.seconds, expect
                    )
                runs[i].append(result)
        rows = []
        for i, (_kind, label, _path, _headers, _expect, target_key) in enumerate(scenarios):
            best = max(runs[i], key=lambda r: r["rps"])
            static_best = max(r["rps"] for r in runs[0])
            result = {
                "rps": best["rps"],
                "p50": best["p50"],
                "p99": best["p99"],
                "errors": sum(r["errors"] for r in runs[i]),
                "note": "; ".join(r["note"] for r in runs[i] if r["note"]),
                "ratio": best["rps"] / static_best if static_best else 0.0,
                "all": [r["rps"] for r in runs[i]],
            }
            rows.append((label, statements[i], result, TARGETS.get(target_key)))
        print(
            f"{'request':<30}{'SQL':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'vs static':>11}  target"
        )
        for label, count, r, target in rows:
            ratio = r["ratio"]
            verdict = ""
            if target is not None:
                verdict = f">= {target:.2f}x {'met' if ratio >= target else 'missed'}"
            extra = f"  ({r['errors']} unexpected answers)" if r["errors"] else ""
            extra += f"  {r['note']}" if r["note"] else ""
            extra += "  rounds: " + "/".join(f"{x:.0f}" for x in r["all"])
            print(
                f"{label:<30}{count:>5}{r['rps']:>9.0f}{r['p50'] or 0:>9.1f}"
                f"{r['p99'] or 0:>9.1f}{ratio:>10.2f}x  {verdict}{extra}"
            )
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
