"""Operator pages: 404 for everyone but admins; the overview, rq-dashboard and the audit log."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue, Worker
from rq.worker import WorkerStatus

from app.extensions import db as _db
from app.models import AuditAction, BatchStatus, DocumentStatus
from app.models.audit import record
from tests.factories import make_batch, make_document, make_token, make_user

ADMIN_EMAIL = "ops@example.com"

ADMIN_URLS = [
    "/admin",
    "/admin/",
    "/admin/audit",
    "/admin/audit?user=owner@example.com&action=batch.created",
    "/admin/does-not-exist",
    "/admin/rq",
    "/admin/rq/",
    "/admin/rq/0/view/queues",
    "/admin/rq/0/view/workers",
    "/admin/rq/0/view/jobs",
    "/admin/rq/0/data/queues.json",
    "/admin/rq/0/data/workers.json",
    "/admin/rq/0/data/jobs/documents/queued/8/asc/1.json",
    "/admin/rq/0/data/jobs/documents/failed/8/asc/1.json",
    "/admin/rq/0/data/job/document-1.json",
    "/admin/rq/1/data/queues.json",
    "/admin/rq/static/js/jquery-3.5.1.min.js",
]

ADMIN_POSTS = [
    "/admin/rq/job/waiting-job/delete",
    "/admin/rq/queue/documents/queued/empty",
    "/admin/rq/requeue/documents",
    "/admin/",
]


@pytest.fixture
def admin(db):
    """A committed admin user."""
    return make_user(ADMIN_EMAIL, plan="growth", admin=True)


@pytest.fixture
def waiting_job(app, redis_conn):
    """A job waiting in the documents queue (nothing runs it)."""
    queue = Queue("documents", connection=redis_conn)
    return queue.enqueue("math.sqrt", 4, job_id="waiting-job")


@pytest.fixture
def registered_worker(redis_conn):
    """A real RQ worker registration in Redis (as `rq worker` makes it), removed afterwards."""
    queues = [Queue(name, connection=redis_conn) for name in ("documents", "default")]
    worker = Worker(queues, connection=redis_conn, name=f"ops-test-{uuid.uuid4().hex[:8]}")
    worker.register_birth()
    worker.set_state(WorkerStatus.IDLE)
    yield worker
    worker.register_death()


def assert_not_found(resp):
    assert resp.status_code == 404, resp.status_code
    assert "Location" not in resp.headers


@pytest.mark.parametrize("path", ADMIN_URLS)
def test_anonymous_gets_404_on_every_admin_url(client, path):
    assert_not_found(client.get(path))


@pytest.mark.parametrize("path", ADMIN_URLS)
def test_ordinary_user_gets_404_on_every_admin_url(client, auth, user, path):
    auth.login(user.email)
    assert_not_found(client.get(path))


@pytest.mark.parametrize("path", ADMIN_URLS)
def test_api_token_of_an_ordinary_user_gets_404(api, path):
    resp = api.get(path)
    assert_not_found(resp)
    assert resp.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_posts_by_non_admins_get_404_and_change_nothing(client, auth, user, waiting_job, path):
    assert_not_found(client.post(path))
    auth.login(user.email)
    assert_not_found(client.post(path, headers={"X-CSRFToken": auth.csrf("/account")}))
    assert Queue("documents", connection=waiting_job.connection).job_ids == ["waiting-job"]


def test_admin_sees_rq_dashboard_with_queues_and_workers(
    client, auth, admin, waiting_job, registered_worker
):
    auth.login(ADMIN_EMAIL)
    page = client.get("/admin/rq/")
    assert page.status_code == 200
    assert "RQ" in page.get_data(as_text=True)

    queues = client.get("/admin/rq/0/data/queues.json")
    assert queues.status_code == 200
    assert queues.headers["Cache-Control"] == "no-store"
    counts = {q["name"]: q["count"] for q in queues.get_json()["queues"]}
    assert counts["documents"] == 1

    workers = client.get("/admin/rq/0/data/workers.json").get_json()["workers"]
    mine = [w for w in workers if w["name"] == registered_worker.name]
    assert mine and mine[0]["queues"] == ["documents", "default"]
    assert mine[0]["state"] == "idle"

    jobs = client.get("/admin/rq/0/data/jobs/documents/queued/8/asc/1.json").get_json()
    assert [j["id"] for j in jobs["jobs"]] == ["waiting-job"]
    job = client.get("/admin/rq/0/data/job/waiting-job.json").get_json()
    assert job["status"] == "queued" and job["origin"] == "documents"

    assert client.get("/admin/rq/0/view/workers").status_code == 200
    assert client.get("/admin/rq/static/js/jquery-3.5.1.min.js").status_code == 200


def test_admin_without_trailing_slash_is_redirected_to_the_dashboard(client, auth, admin):
    auth.login(ADMIN_EMAIL)
    resp = client.get("/admin/rq")
    assert resp.status_code in (301, 308)
    assert resp.headers["Location"].endswith("/admin/rq/")


def test_rq_dashboard_buttons_need_the_csrf_token_it_hands_out(client, auth, admin, waiting_job):
    auth.login(ADMIN_EMAIL)
    client.get("/admin/rq/0/view/jobs")
    cookie = client.get_cookie("_csrf_token", path="/admin/rq")
    assert cookie is not None and cookie.value

    refused = client.post("/admin/rq/job/waiting-job/delete")
    assert refused.status_code == 400
    assert Queue("documents", connection=waiting_job.connection).count == 1

    done = client.post("/admin/rq/job/waiting-job/delete", headers={"X-CSRFToken": cookie.value})
    assert done.status_code == 200 and done.get_json() == {"status": "OK"}
    assert Queue("documents", connection=waiting_job.connection).count == 0


def test_rq_dashboard_requeue_all_is_post_only(client, auth, admin):
    auth.login(ADMIN_EMAIL)
    assert client.get("/admin/rq/requeue/documents").status_code == 404


def test_admin_overview_shows_queues_failures_workers_and_documents(
    app, client, auth, admin, user, worker, redis_conn, registered_worker
):
    failing = Queue("documents", connection=redis_conn)
    failing.enqueue("math.sqrt", "not a number", job_id="broken-job")
    worker()  # a real burst worker runs it and it fails
    Queue("documents", connection=redis_conn).enqueue("math.sqrt", 9, job_id="queued-job")

    batch = make_batch(user, name="Quarterly invoices", status=BatchStatus.PROCESSING)
    waiting = make_document(user, batch, filename="waiting.pdf")
    make_document(user, batch, filename="running.pdf", status=DocumentStatus.PROCESSING)
    done = make_document(user, batch, filename="done.pdf", page_count=3)
    done.status = DocumentStatus.COMPLETED
    done.completed_at = datetime.now(UTC)
    old = make_document(user, None, filename="yesterday.pdf", page_count=7)
    old.status = DocumentStatus.COMPLETED
    old.completed_at = datetime.now(UTC) - timedelta(days=2)
    make_batch(user, name="Old batch", status=BatchStatus.COMPLETED)
    _db.session.commit()

    auth.login(ADMIN_EMAIL)
    resp = client.get("/admin/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)

    queues = section(html, "queues")
    assert row_with(queues, "documents") == ["documents", "1", "0", "1", "0", "0"]
    failed = section(html, "failed-jobs")
    assert "broken-job" in failed and "TypeError" in failed
    assert registered_worker.name in section(html, "workers")
    assert "idle" in section(html, "workers")

    statuses = section(html, "documents-per-status")
    headers = re.findall(r"<th>(\w+)</th>", statuses)
    values = re.findall(r"<td>(\d+)</td>", statuses)
    per_status = dict(zip(headers, map(int, values), strict=True))
    assert per_status == {
        "uploaded": 1,
        "processing": 1,
        "completed": 2,
        "failed": 0,
        "cancelled": 0,
    }
    assert str(waiting.id) in section(html, "oldest-waiting", tag="dd")
    in_flight = section(html, "in-flight")
    assert "Quarterly invoices" in in_flight and "Old batch" not in in_flight
    assert "pages processed today (1 documents)" in html
    assert re.search(r'figure-value">3</span><span class="figure-label">pages processed', html)
    assert "never" in section(html, "sweeper", tag="dd")


def test_admin_overview_shows_the_sweepers_last_run(client, auth, admin, redis_conn):
    at = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
    last_run = {"at": at, "requeued": 2, "failed": 1, "questions": {"requeued": 4, "failed": 0}}
    redis_conn.set("ingestio:sweeper:last_run", json.dumps(last_run))
    auth.login(ADMIN_EMAIL)
    html = client.get("/admin/").get_data(as_text=True)
    assert "3 min ago" in section(html, "sweeper", tag="dd")
    counts = section(html, "sweeper-counts")
    assert "{" not in counts, "no raw dict on the page"
    rows = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", counts, re.S)
    ]
    assert [r for r in rows if r] == [
        ["documents", "requeued", "2"],
        ["documents", "failed", "1"],
        ["questions", "requeued", "4"],
        ["questions", "failed", "0"],
    ]


def test_admin_overview_still_answers_when_redis_is_down(app, client, auth, admin, monkeypatch):
    auth.login(ADMIN_EMAIL)
    from redis import Redis

    monkeypatch.setitem(
        app.extensions, "redis", Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    )
    resp = client.get("/admin/")
    assert resp.status_code == 200
    assert "Redis is not reachable" in resp.get_data(as_text=True)


def test_admins_find_the_overview_in_the_navigation(client, auth, admin, user):
    auth.login(user.email)
    assert "/admin/" not in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.login(ADMIN_EMAIL)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/"' in html


@pytest.fixture
def audit_events(db, user, admin):
    """Audit events of two users on two batches."""
    other = make_user("other@example.com")
    batch_a = make_batch(user, name="A")
    batch_b = make_batch(other, name="B")
    record(AuditAction.BATCH_CREATED, user_id=user.id, batch_id=batch_a.id, files=2)
    record(AuditAction.BATCH_CANCELLED, user_id=user.id, batch_id=batch_a.id)
    record(AuditAction.BATCH_CREATED, user_id=other.id, batch_id=batch_b.id, files=1)
    record(AuditAction.BATCH_EXPORTED, user_id=other.id, batch_id=batch_b.id, format="csv")
    make_token(other)  # writes token.created for `other`
    db.session.commit()
    return {"user": user, "other": other, "a": batch_a, "b": batch_b}


def audit_rows(client, query: str) -> list[tuple[str, str]]:
    resp = client.get("/admin/audit" + query)
    assert resp.status_code == 200
    body = section(resp.get_data(as_text=True), "audit-events") or ""
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    found = []
    for row in rows:
        action = re.search(r"<code>([a-z_.]+)</code>", row).group(1)
        email = re.search(r"([\w.]+@example\.com)", row)
        found.append((email.group(1) if email else "", action))
    return found


def test_audit_log_is_filtered_by_user_batch_and_action(client, auth, audit_events):
    auth.login(ADMIN_EMAIL)
    ev = audit_events
    everything = audit_rows(client, "")
    assert len(everything) == 5

    by_user = audit_rows(client, "?user=OTHER@example.com")
    assert sorted(a for _e, a in by_user) == ["batch.created", "batch.exported", "token.created"]
    assert audit_rows(client, f"?user={ev['other'].id}") == by_user

    by_batch = audit_rows(client, f"?batch={ev['a'].id}")
    assert sorted(by_batch) == [
        ("owner@example.com", "batch.cancelled"),
        ("owner@example.com", "batch.created"),
    ]
    by_action = audit_rows(client, "?action=batch.created")
    assert sorted(e for e, _a in by_action) == ["other@example.com", "owner@example.com"]
    both = audit_rows(client, f"?batch={ev['b'].id}&action=batch.exported")
    assert both == [("other@example.com", "batch.exported")]
    assert audit_rows(client, f"?batch={uuid.uuid4()}") == []


def test_audit_log_explains_a_bad_batch_filter(client, auth, audit_events):
    auth.login(ADMIN_EMAIL)
    resp = client.get("/admin/audit?batch=not-a-uuid")
    assert resp.status_code == 400
    assert "must be a batch id" in resp.get_data(as_text=True)


def section(html: str, element_id: str, tag: str = "table") -> str:
    """The inner HTML of the element with this id."""
    m = re.search(rf'<{tag}[^>]*id="{element_id}"[^>]*>(.*?)</{tag}>', html, re.S)
    return m.group(1) if m else ""


def row_with(table_html: str, first_cell: str) -> list[str]:
    """The cell texts of the first table row whose first cell contains first_cell."""
    for row in re.findall(r"<tr>(.*?)</tr>", table_html, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row)]
        if cells and first_cell in cells[0]:
            return cells
    return []


def test_admin_overview_shows_whether_the_periodic_job_is_registered(
    client, auth, admin, redis_conn
):
    from jobs.schedule import register

    auth.login(ADMIN_EMAIL)
    html = client.get("/admin/").get_data(as_text=True)
    assert "not registered" in section(html, "periodic", tag="dd")
    register(redis_conn, interval=10)
    html = client.get("/admin/").get_data(as_text=True)
    assert "registered, next run" in section(html, "periodic", tag="dd")
