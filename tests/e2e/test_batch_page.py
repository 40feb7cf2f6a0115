"""The batch page in Chromium: live progress without a reload, reconnecting, cancel with a dialog,
resume."""

import pytest

from app.models import Batch, BatchStatus, DocumentStatus
from app.services import batch_actions
from tests.batch_rows import claim, finish, reload
from tests.factories import make_batch, make_document, make_user

pytestmark = pytest.mark.e2e

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def fast_polling(app, monkeypatch):
    """Poll every 200 ms so the page follows the test's state changes quickly."""
    monkeypatch.setitem(app.config, "POLL_INTERVAL_MS", 200)


@pytest.fixture
def owner(db):
    return make_user("browser@example.com", plan="growth")


def status_badge(page):
    return page.locator('[data-field="status-badge"] .badge')


def doc_badge(page, doc_id):
    return page.locator(f'tr[data-doc-id="{doc_id}"] [data-field="status"] .badge')


def test_batch_page_follows_the_batch_to_completed_without_reloading(
    page, login, owner, fast_polling
):
    batch = make_batch(owner, name="Live batch")
    docs = [make_document(owner, batch, filename=f"live-{i}.pdf") for i in range(3)]
    login(owner.email)
    page.goto(f"/batches/{batch.id}")
    expect(status_badge(page)).to_have_text("queued")
    page.evaluate("window.__sameDocument = true")

    # Nothing changes: the poller revalidates with If-None-Match and gets 304s.
    with page.expect_response(lambda r: "/api/v1/batches/" in r.url and r.status == 304):
        pass

    assert claim(docs[0].id)
    expect(doc_badge(page, docs[0].id)).to_have_text("processing")
    expect(status_badge(page)).to_have_text("processing")

    assert finish(docs[0].id)
    expect(doc_badge(page, docs[0].id)).to_have_text("completed")
    expect(page.locator('[data-field="completed_count"]')).to_have_text("1")

    assert claim(docs[1].id)
    assert finish(docs[1].id, DocumentStatus.FAILED, error_message="The scan could not be read.")
    expect(page.locator(f'tr[data-doc-id="{docs[1].id}"] [data-field="error"]')).to_have_text(
        "The scan could not be read."
    )
    assert claim(docs[2].id) and finish(docs[2].id)

    expect(status_badge(page)).to_have_text("partially completed")
    expect(page.locator('[data-field="progress"]')).to_have_text("100")
    expect(page.locator("#batch")).to_have_attribute("data-final", "true")
    expect(page.locator('form[data-show-if="cancellable"]')).to_be_hidden()
    expect(page.locator('form[data-show-if="retryable"]')).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # updated in place, never reloaded


def test_poller_shows_reconnecting_and_recovers(page, login, owner, fast_polling):
    batch = make_batch(owner, name="Flaky network")
    doc = make_document(owner, batch, filename="flaky.pdf")
    login(owner.email)
    page.goto(f"/batches/{batch.id}")
    hint = page.locator("[data-poll-hint]")
    expect(hint).to_be_hidden()

    page.route("**/api/v1/batches/**", lambda route: route.abort("connectionrefused"))
    expect(hint).to_have_text("Reconnecting…")
    assert claim(doc.id) and finish(doc.id)

    page.unroute("**/api/v1/batches/**")
    expect(status_badge(page)).to_have_text("completed", timeout=30_000)
    expect(hint).to_be_hidden()


def test_cancel_asks_first_and_then_cancels(page, login, owner):
    batch = make_batch(owner, name="Cancel me")
    for i in range(2):
        make_document(owner, batch, filename=f"c-{i}.pdf")
    login(owner.email)
    page.goto(f"/batches/{batch.id}")

    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Cancel batch").click()
    assert questions and "Cancel this batch?" in questions[0]
    assert reload(Batch, batch.id).status == BatchStatus.QUEUED  # dismissed: nothing was sent

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel batch").click()

    expect(page.locator(".flash-success")).to_contain_text("Batch cancelled")
    expect(status_badge(page)).to_have_text("cancelled")
    expect(page.locator('[data-field="cancelled_count"]')).to_have_text("2")
    cancelled = reload(Batch, batch.id)
    assert (cancelled.status, cancelled.cancelled_count) == (BatchStatus.CANCELLED, 2)


def test_resume_shows_up_once_the_batch_is_cancelled_and_queues_it_again(
    page, login, owner, fast_polling
):
    batch = make_batch(owner, name="Resume me")
    for i in range(2):
        make_document(owner, batch, filename=f"r-{i}.pdf")
    login(owner.email)
    page.goto(f"/batches/{batch.id}")
    resume = page.locator('form[data-show-if="resumable"]')
    expect(resume).to_be_hidden()

    # Cancelled elsewhere (another tab, the API): the poller shows Resume instead of Cancel.
    batch_actions.cancel_batch(batch.id, owner.id)
    expect(status_badge(page)).to_have_text("cancelled")
    expect(resume).to_be_visible()
    expect(page.locator('form[data-show-if="cancellable"]')).to_be_hidden()

    page.get_by_role("button", name="Resume").click()

    expect(page.locator(".flash-success")).to_contain_text("Resumed 2 cancelled documents.")
    expect(status_badge(page)).to_have_text("queued")
    expect(page.locator('[data-field="cancelled_count"]')).to_have_text("0")
    expect(resume).to_be_hidden()
    expect(page.locator('form[data-show-if="cancellable"]')).to_be_visible()
    resumed = reload(Batch, batch.id)
    assert (resumed.status, resumed.cancelled_count) == (BatchStatus.QUEUED, 0)


def test_delete_from_the_list_after_confirming(page, login, owner):
    make_batch(owner, name="Keep this one")
    doomed = make_batch(owner, name="Delete this one")
    login(owner.email)
    page.goto("/batches")

    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator(f'tr[data-batch-id="{doomed.id}"]')
    row.get_by_role("button", name="Delete").click()

    expect(page.locator(".flash-success")).to_contain_text("Batch deleted.")
    expect(page.locator(f'tr[data-batch-id="{doomed.id}"]')).to_have_count(0)
    expect(page.get_by_text("Keep this one")).to_be_visible()
    assert reload(Batch, doomed.id) is None


def test_the_header_s_pages_left_follows_a_batch_as_it_completes(
    page, login, owner, fast_polling, worker
):
    from tests.support.pipeline import enqueue, pdf_batch

    batch, docs = pdf_batch(owner, count=2, pages=2)
    login(owner.email)
    page.goto(f"/batches/{batch.id}")
    left = page.locator(".usage-pill .usage-text")
    expect(left).to_have_text("5,000 pages left")
    page.evaluate("window.__sameDocument = true")

    enqueue(docs)
    assert worker()
    expect(status_badge(page)).to_have_text("completed")
    expect(left).to_have_text("4,996 pages left")
    assert page.evaluate("window.__sameDocument") is True
