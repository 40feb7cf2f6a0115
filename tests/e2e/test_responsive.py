"""Every page at a phone's width and a desktop's, in Chromium: no sideways scrolling, nothing that
axe-core rates serious or critical, no asset the page asks for missing; and the header's menu.

One browser context per width and sign-in state is shared by the whole module (logged in once),
and the data (a processed batch, a question batch, a token, a webhook) is made once per module.
"""

import io
import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from redis import Redis

from tests.conftest import REDIS_URL, csrf_from, truncate_all
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_batch, make_document, make_token, make_user
from tests.pdfgen import make_pdf
from tests.support.pipeline import enqueue, invoice_pdf

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from axe_playwright_python.sync_playwright import Axe  # noqa: E402 - after the skip without Playwright

PHONE, SMALL_PHONE, DESKTOP = 390, 320, 1280
HEIGHT = 800
BLOCKING = ("serious", "critical")

# Long on purpose: an address and file names like these must wrap instead of widening the page.
EMAIL = "accounts-payable.department@responsive-layout-example.com"
LONG_FILENAME = "ACME-Supplies-Ltd_invoice_INV-2024-0042_2024-03-15_scan-final-version.pdf"
PROMPT = "Extract the invoice number, the total and the IBAN"
WEBHOOK_URL = "http://127.0.0.1:9/hooks/ingestio/batch-finished/a-rather-long-path-without-spaces"
QUESTIONS_CSV = (
    "ref,question,chat_id\n"
    "Q1,What is the total of invoice INV-2024-0042 and which supplier sent it?,inv\n"
    "Q2,and its date?,inv\n"
    "Q3,Which documents mention https://example.com/a/very/long/path/that/does/not/break,\n"
)


@dataclass(frozen=True)
class World:
    batch_id: str
    document_id: str
    question_batch_id: str


def _run_worker(app) -> None:
    from rq import SimpleWorker

    from app.extensions import QUEUE_NAMES, get_queue

    with app.app_context():
        queues = [get_queue(name) for name in QUEUE_NAMES]
        SimpleWorker(queues, connection=queues[0].connection).work(burst=True)


@pytest.fixture(scope="module")
def world(app, live_server, tmp_path_factory):
    """An admin on the growth plan with a processed batch, a question batch, a token, a webhook."""
    from app.extensions import db

    storage = f"file://{tmp_path_factory.mktemp('responsive-storage')}"
    app.config["STORAGE_URL"] = storage
    os.environ["TEST_STORAGE_URL"] = storage
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    with app.app_context():
        truncate_all(db)
        owner = make_user(EMAIL, plan="growth", admin=True)
        make_token(owner, "nightly accounting export script")
        batch = make_batch(owner, name="March invoices from ACME Supplies", prompt=PROMPT)
        docs = [
            make_document(owner, batch, content=invoice_pdf(1), filename=LONG_FILENAME),
            make_document(owner, batch, content=invoice_pdf(2), filename="invoice-2.pdf"),
        ]
        ids = (str(batch.id), str(docs[0].id))
        enqueue(docs)

    client = app.test_client()
    client.post(
        "/login",
        data={
            "email": EMAIL,
            "password": PASSWORD,
            "csrf_token": csrf_from(client.get("/login").text),
        },
    )
    token = csrf_from(client.get("/account").text)
    client.post(
        "/account/webhooks",
        data={"url": WEBHOOK_URL, "description": "Accounting", "csrf_token": token},
    )
    _run_worker(app)  # the batch is extracted; its webhook delivery fails (nothing listens)
    created = client.post(
        "/questions/new",
        data={
            "csrf_token": token,
            "name": "Questions about the March invoices",
            "scope": "all",
            "file": (io.BytesIO(QUESTIONS_CSV.encode()), "questions.csv"),
        },
        content_type="multipart/form-data",
    )
    assert created.status_code == 303, created.text
    question_batch_id = created.headers["Location"].rsplit("/", 1)[1]
    _run_worker(app)

    yield World(batch_id=ids[0], document_id=ids[1], question_batch_id=question_batch_id)

    with app.app_context():
        truncate_all(db)
    redis.flushdb()
    redis.close()


class Tab:
    """One page in its own context, with the asset answers it saw since the last visit."""

    def __init__(self, browser, base_url, width):
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": HEIGHT}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.failed: list[str] = []
        self.page.on("response", self._answer)

    def _answer(self, response):
        if response.status == 404 or response.status >= 500:
            self.failed.append(f"{response.status} {response.request.resource_type} {response.url}")

    def login(self, email):
        self.page.goto("/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/dashboard")


@pytest.fixture(scope="module")
def tabs(browser, live_server, world):
    """tabs(width, signed_in): the module's page for that width, made (and logged in) once."""
    made: dict[tuple[int, bool], Tab] = {}

    def get(width: int, signed_in: bool) -> Tab:
        key = (width, signed_in)
        if key not in made:
            made[key] = Tab(browser, live_server, width)
            if signed_in:
                made[key].login(EMAIL)
        tab = made[key]
        tab.failed.clear()
        return tab

    yield get
    for tab in made.values():
        tab.context.close()


# -- how each page is reached ----------------------------------------------------------------


def write(tmp_path_factory, name: str, content: bytes) -> str:
    path = tmp_path_factory.getbasetemp() / "responsive-files" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return str(path)


def wizard_files(page, world, files):
    page.goto("/batches/new")
    page.set_input_files("#file-input", files)
    expect(page.locator("#file-list li")).to_have_count(len(files))
    page.get_by_label("Batch name").fill("March paperwork")


def wizard_prompts(page, world, files):
    wizard_files(page, world, files)
    page.locator("#files-next").click()
    page.get_by_label("A prompt per document").check()
    for n, area in enumerate(page.locator("#per-document-prompts textarea").all()):
        area.fill(f"Extract the invoice number and total of file {n + 1}")
    expect(page.locator("#prompts-next")).to_be_enabled()


def wizard_review(page, world, files):
    wizard_prompts(page, world, files)
    page.locator("#prompts-next").click()
    expect(page.locator("#step-review-title")).to_be_focused()


def questions_file(page, world, files):
    page.goto("/questions/new")
    page.set_input_files("#file", files[-1])
    page.fill("#name", "Invoice questions")


def questions_scope(page, world, files):
    questions_file(page, world, files)
    page.locator("#file-next").click()
    expect(page.locator("#scope")).to_be_visible()


def questions_review(page, world, files):
    questions_scope(page, world, files)
    page.locator("#scope-next").click()
    expect(page.locator("#review-rows tr")).to_have_count(3)


def url(path):
    def visit(page, world, files):
        page.goto(path(world) if callable(path) else path)

    return visit


# name: (signed in, how to get there)
PAGES = {
    "landing": (False, url("/")),
    "login": (False, url("/login")),
    "register": (False, url("/register")),
    "dashboard": (True, url("/dashboard")),
    "batch-wizard-files": (True, wizard_files),
    "batch-wizard-prompts": (True, wizard_prompts),
    "batch-wizard-review": (True, wizard_review),
    "batches": (True, url("/batches")),
    "batch": (True, url(lambda w: f"/batches/{w.batch_id}")),
    "document": (True, url(lambda w: f"/documents/{w.document_id}")),
    "single-upload": (True, url("/documents/new")),
    "single-documents": (True, url("/documents")),
    "questions": (True, url("/questions")),
    "questions-wizard-file": (True, questions_file),
    "questions-wizard-scope": (True, questions_scope),
    "questions-wizard-review": (True, questions_review),
    "question-batch": (True, url(lambda w: f"/questions/{w.question_batch_id}")),
    "analytics": (True, url("/analytics")),
    "billing": (True, url("/billing")),
    "account": (True, url("/account")),
    "admin-overview": (True, url("/admin/")),
    "admin-audit": (True, url("/admin/audit")),
    "api-reference": (True, url("/api/docs")),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return [
        write(tmp_path_factory, LONG_FILENAME, make_pdf(1)),
        write(tmp_path_factory, "receipt.pdf", make_pdf(1)),
        write(tmp_path_factory, "questions.csv", QUESTIONS_CSV.encode()),
    ]


def open_page(tabs, world, files, name, width):
    signed_in, visit = PAGES[name]
    tab = tabs(width, signed_in)
    visit(tab.page, world, files[:2] if "batch-wizard" in name else files)
    tab.page.wait_for_load_state("load")
    return tab


# Elements that stick out to the right of the window, not clipped by a scrolling box, while their
# parent does not: what makes a page wider than the window.
OVERFLOWING = """() => {
  const limit = window.innerWidth + 0.5, found = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map(c => '.' + c).join('');
  // A scrolling box clips its descendants, except absolutely placed ones whose containing block
  // (offsetParent) lies outside it.
  const clipped = el => {
    const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    const holder = el.offsetParent;
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement)
      if (getComputedStyle(e).overflowX !== 'visible' && (!absolute || (holder && e.contains(holder))))
        return true;
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || box.right <= limit || clipped(el) || !el.checkVisibility()) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && parent.getBoundingClientRect().right > limit) continue;
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement) path.unshift(name(e));
    found.push(`${path.join(' > ')} (right edge ${Math.round(box.right)} px)`);
  }
  return found.slice(0, 8);
}"""


def assert_fits(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert inner == width
    assert scroll_width <= inner, (
        f"{page.url} is {scroll_width} px wide in a {inner} px window; sticking out:\n  "
        + "\n  ".join(page.evaluate(OVERFLOWING))
    )


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") not in BLOCKING:
            continue
        nodes = "; ".join(
            f"{' '.join(map(str, n['target']))}: {n.get('failureSummary', '').splitlines()[-1].strip()}"
            for n in v["nodes"][:4]
        )
        found.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) {nodes}")
    return found


@contextmanager
def screenshot_on_failure(page, name):
    """Keep a full-page screenshot in test-artifacts/ when the checks fail (always with
    RESPONSIVE_SCREENSHOTS=1 in the environment)."""
    try:
        yield
    except AssertionError:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"responsive-{name}.png"), full_page=True)
        raise
    if os.environ.get("RESPONSIVE_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"responsive-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_and_passes_axe(name, width, tabs, world, files):
    tab = open_page(tabs, world, files, name, width)
    with screenshot_on_failure(tab.page, f"{name}-{width}"):
        assert_fits(tab.page, width)
        violations = blocking_violations(tab.page)
        assert not violations, f"axe on {name} at {width} px:\n" + "\n".join(violations)
        assert not tab.failed, f"{name} asked for missing or failing assets: {tab.failed}"


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_smallest_phone(name, tabs, world, files):
    tab = open_page(tabs, world, files, name, SMALL_PHONE)
    with screenshot_on_failure(tab.page, f"{name}-{SMALL_PHONE}"):
        assert_fits(tab.page, SMALL_PHONE)


# -- the header ------------------------------------------------------------------------------


def header_height(page) -> float:
    return page.locator("header.topbar").bounding_box()["height"]


def test_phone_header_is_a_menu_button_that_opens_every_link(tabs, world):
    page = tabs(PHONE, True).page
    page.goto("/dashboard")
    menu = page.locator("summary", has_text="Menu")
    main_nav = page.get_by_role("navigation", name="Main")
    log_out = page.get_by_role("button", name="Log out")
    expect(menu).to_be_visible()
    expect(main_nav).to_be_hidden()
    expect(log_out).to_be_hidden()
    assert header_height(page) <= 72

    menu.click()
    for name in ("Dashboard", "Batches", "New batch", "Single documents", "Questions", "Analytics", "Billing", "Operators"):  # fmt: skip
        expect(main_nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=EMAIL)).to_be_visible()
    expect(log_out).to_be_visible()
    box = log_out.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    assert_fits(page, PHONE)
    violations = blocking_violations(page)
    assert not violations, "axe with the menu open:\n" + "\n".join(violations)

    # The keyboard closes and opens it again (a <summary> is a button).
    menu.focus()
    page.keyboard.press("Enter")
    expect(main_nav).to_be_hidden()
    page.keyboard.press("Space")
    expect(main_nav).to_be_visible()
    main_nav.get_by_role("link", name="Batches", exact=True).click()
    page.wait_for_url("**/batches")


def test_phone_menu_works_without_javascript(browser, live_server, world):
    context = browser.new_context(
        base_url=live_server, viewport={"width": PHONE, "height": HEIGHT}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/dashboard")
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        page.locator("summary", has_text="Menu").click()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
        page.wait_for_url("**/analytics")
        assert_fits(page, PHONE)
    finally:
        context.close()


def test_desktop_header_is_one_row_without_a_menu_button(tabs, world):
    page = tabs(DESKTOP, True).page
    page.goto("/dashboard")
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links).to_have_count(8)
    tops = {round(link.bounding_box()["y"]) for link in links.all()}
    assert len(tops) == 1, f"the links are on {len(tops)} rows"
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    expect(page.get_by_role("link", name=EMAIL)).to_be_visible()
    assert log_out.bounding_box()["x"] + log_out.bounding_box()["width"] <= DESKTOP
    assert header_height(page) <= 72


@pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_keyboard_focus_is_outlined(width, tabs, world):
    page = tabs(width, True).page
    page.goto("/account")
    seen = []
    for _ in range(24):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
              return [e.tagName.toLowerCase() + (e.type ? '[' + e.type + ']' : ''),
                      s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
        )
        tag, style, outline = focused
        if tag == "body":  # past the last control
            break
        seen.append(tag)
        assert style != "none" and outline >= 2, f"{tag} has no visible focus outline ({seen})"
    assert {"a", "button", "input"} <= {tag.split("[")[0] for tag in seen}, seen
