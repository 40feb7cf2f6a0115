"""Logs: one line per event with request, user, batch, document and job ids."""

import io
import json
import logging
import re
import subprocess
import sys
import uuid

import pytest
from rq import Queue

from app.logging import configure_logging, log_context
from tests.conftest import worker_env

log = logging.getLogger("tests.logging")


@pytest.fixture
def lines():
    """Route every log line into a buffer (JSON); returns a reader of the parsed lines."""
    buf = io.StringIO()
    configure_logging(json_lines=True, level="INFO", stream=buf)

    def read(json_lines: bool = True) -> list:
        text = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
        return [json.loads(ln) for ln in text] if json_lines else text

    yield read
    configure_logging(json_lines=False, level="INFO")


@pytest.fixture
def kv_lines():
    """Route every log line into a buffer in the development key=value format."""
    buf = io.StringIO()
    configure_logging(json_lines=False, level="INFO", stream=buf)
    yield lambda: [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    configure_logging(json_lines=False, level="INFO")


def access_lines(records: list[dict]) -> list[dict]:
    return [r for r in records if r["logger"] == "ingestio.access"]


def test_request_id_is_taken_from_the_header_and_returned(client, lines):
    resp = client.get("/healthz", headers={"X-Request-ID": "req-4711.a"})
    assert resp.headers["X-Request-ID"] == "req-4711.a"
    [line] = access_lines(lines())
    assert line["request_id"] == "req-4711.a"


@pytest.mark.parametrize("given", [None, "", "has spaces", "x" * 300, 'quote"d'])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, lines, given):
    headers = {"X-Request-ID": given} if given is not None else {}
    resp = client.get("/healthz", headers=headers)
    rid = resp.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert access_lines(lines())[0]["request_id"] == rid


def test_one_access_line_per_request_with_user_status_and_time(client, auth, user, lines):
    auth.login(user.email)
    client.get("/dashboard")
    client.get("/no/such/page")
    records = access_lines(lines())
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("GET", "/login", 200),
        ("POST", "/login", 302),
        ("GET", "/dashboard", 200),
        ("GET", "/no/such/page", 404),
    ]
    assert "user_id" not in records[0]
    assert {r["user_id"] for r in records[1:]} == {str(user.id)}
    assert all(isinstance(r["ms"], (int, float)) and r["ms"] >= 0 for r in records)
    assert len({r["request_id"] for r in records}) == 4


def test_api_token_requests_log_the_token_owner(api, user, lines):
    api.get("/api/v1/usage")
    [line] = access_lines(lines())
    assert line["user_id"] == str(user.id) and line["status"] == 200


def test_log_context_adds_batch_and_document_ids_to_every_line(app, lines):
    batch_id, doc_id = uuid.uuid4(), uuid.uuid4()
    with log_context(batch_id=batch_id):
        log.info("batch started")
        with log_context(document_id=doc_id):
            log.warning("document %s slow", "a.pdf")
        log.info("batch finished")
    log.info("outside")
    records = [r for r in lines() if r["logger"] == "tests.logging"]
    assert [(r["message"], r.get("batch_id"), r.get("document_id")) for r in records] == [
        ("batch started", str(batch_id), None),
        ("document a.pdf slow", str(batch_id), str(doc_id)),
        ("batch finished", str(batch_id), None),
        ("outside", None, None),
    ]
    assert records[1]["level"] == "WARNING"


def test_an_exception_stays_on_one_json_line(lines):
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        log.exception("it broke")
    raw = lines(json_lines=False)
    assert len(raw) == 1
    record = json.loads(raw[0])
    assert "ValueError: bad" in record["exc_info"] and record["message"] == "it broke"


def test_development_lines_are_key_value(client, kv_lines):
    client.get("/healthz", headers={"X-Request-ID": "kv-1"})
    [line] = [ln for ln in kv_lines() if "ingestio.access" in ln]
    assert re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 INFO ingestio.access GET /healthz 200 ", line)
    assert " request_id=kv-1 " in line and " status=200" in line and " path=/healthz" in line


def job_that_logs(batch_id: str, document_id: str) -> str:
    """A job that logs inside a log_context, as the document job does."""
    with log_context(batch_id=batch_id, document_id=document_id):
        logging.getLogger("jobs.test").info("working on it")
    return "ok"


def test_job_lines_carry_the_job_batch_and_document_ids(app, worker, redis_conn, lines):
    batch_id, doc_id = str(uuid.uuid4()), str(uuid.uuid4())
    Queue("default", connection=redis_conn).enqueue(
        "tests.test_logging.job_that_logs", batch_id, doc_id, job_id="log-job"
    )
    worker()
    records = lines()
    [mine] = [r for r in records if r["message"] == "working on it"]
    assert (mine["job_id"], mine["batch_id"], mine["document_id"]) == ("log-job", batch_id, doc_id)
    # RQ's own lines go through the same handler, as JSON.
    assert any(r["logger"].startswith("rq.") and "log-job" in r["message"] for r in records)


def test_configure_logging_takes_over_rq_handlers():
    from rq.logutils import setup_loghandlers

    root = logging.getLogger()
    saved = root.handlers[:]
    for h in saved:
        root.removeHandler(h)
    try:
        setup_loghandlers("INFO", name="rq.worker")  # what `rq worker` does before the app loads
        assert logging.getLogger("rq.worker").handlers
        buf = io.StringIO()
        configure_logging(json_lines=True, stream=buf)
        logging.getLogger("rq.worker").info("Worker started")
        assert not logging.getLogger("rq.worker").handlers
        [line] = [json.loads(ln) for ln in buf.getvalue().splitlines()]
        assert line["logger"] == "rq.worker" and line["message"] == "Worker started"
    finally:
        for h in saved:
            root.addHandler(h)
        configure_logging(json_lines=False)


def test_a_worker_process_logs_json_lines(app, db, redis_conn):
    """`rq worker` from the Procfile, in production format: every line is one JSON object."""
    Queue("default", connection=redis_conn).enqueue(
        "tests.test_logging.job_that_logs", "b-1", "d-1", job_id="proc-job"
    )
    env = worker_env(app)
    env["LOG_JSON"] = "1"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rq.cli",
            "worker",
            "--url",
            app.config["REDIS_URL"],
            "--worker-class",
            "jobs.worker.DocumentWorker",
            "--burst",
            "default",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=app.root_path + "/..",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    records = [json.loads(ln) for ln in out]
    [mine] = [r for r in records if r["message"] == "working on it"]
    assert (mine["job_id"], mine["batch_id"], mine["document_id"]) == ("proc-job", "b-1", "d-1")
