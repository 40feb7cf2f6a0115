"""Operator pages and analytics in Chromium, under the app's Content-Security-Policy."""

import uuid

import pytest
from rq import Queue, Worker
from rq.worker import WorkerStatus

from tests.factories import make_user

pytestmark = pytest.mark.e2e

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def admin(db):
    return make_user("ops-browser@example.com", admin=True)


@pytest.fixture
def csp_violations(page):
    """Messages of scripts or styles the browser refused under the policy."""
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else 0)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found


@pytest.fixture
def worker_and_job(redis_conn):
    queue = Queue("documents", connection=redis_conn)
    queue.enqueue("math.sqrt", 16, job_id="browser-job")
    worker = Worker([queue], connection=redis_conn, name=f"browser-{uuid.uuid4().hex[:8]}")
    worker.register_birth()
    worker.set_state(WorkerStatus.IDLE)
    yield worker
    worker.register_death()


def test_rq_dashboard_runs_its_scripts_and_buttons(
    page, login, admin, worker_and_job, csp_violations, redis_conn
):
    login(admin.email)
    page.goto("/admin/rq/0/view/workers")
    expect(page.get_by_text(worker_and_job.name)).to_be_visible()  # drawn by its scripts

    page.goto("/admin/rq/0/view/jobs/documents/queued/8/asc/1")
    row = page.locator("tr", has_text="browser-job")
    expect(row).to_be_visible()
    # The delete button posts with the CSRF token the page was handed, then asks to confirm.
    row.locator("[data-role=delete-job-btn]").click()
    page.locator("#confirmation-modal-yes").click()
    expect(page.locator("tr", has_text="browser-job")).to_have_count(0)
    assert Queue("documents", connection=redis_conn).count == 0
    assert csp_violations == []


def test_overview_and_analytics_render_without_policy_violations(
    page, login, admin, csp_violations
):
    login(admin.email)
    page.get_by_role("link", name="Operators").click()
    expect(page.get_by_role("heading", name="Operators")).to_be_visible()
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    page.goto("/analytics")
    # No documents yet: activity, period and pages per day (the breakdowns need documents).
    expect(page.locator("svg.chart")).to_have_count(3)
    assert csp_violations == []


HOSTILE = '<img src=x onerror="window.__injected=1;alert(1)">'


def test_job_pages_show_markup_from_a_job_as_text_and_run_none_of_it(
    page, login, admin, csp_violations, redis_conn, worker
):
    # A failed job whose description and exception both hold markup with a script in it.
    Queue("default", connection=redis_conn).enqueue("builtins.int", HOSTILE, job_id="hostile-job")
    assert worker(["default"])
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(admin.email)
    page.goto("/admin/rq/0/view/job/hostile-job")
    expect(page.locator("pre.exc_info")).to_contain_text(HOSTILE)  # drawn by its scripts
    expect(page.locator(".description-scroll")).to_contain_text(HOSTILE)
    assert page.locator("#job-data img").count() == 0
    page.goto("/admin/rq/0/view/jobs/default/failed/8/asc/1")
    row = page.locator("tr", has_text="hostile-job")
    expect(row.locator(".description")).to_contain_text(HOSTILE)
    assert row.locator("img").count() == 0
    assert page.evaluate("window.__injected") is None
    page.goto("/admin/rq/")
    expect(page.locator("tr[data-role=queue]", has_text="default")).to_be_visible()
    assert dialogs == [] and csp_violations == []
