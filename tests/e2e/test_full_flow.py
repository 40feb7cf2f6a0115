"""The whole product in headless Chromium, against the processes the Procfile runs.

gunicorn (2 workers) serves wsgi:app, one `rq worker` with the Procfile's worker class processes the
documents with the real local extraction (behind a gate that a test may close, tests/e2e/gate.py),
and `rqscheduler` runs the periodic finalizer and sweeper registered with `flask schedule register`.
A user registers through the form, is upgraded with `flask set-plan`, submits 10 mixed files with
each prompt strategy and watches the batch page finish without reloading; then results, exports,
cancel, retry after an upgrade and delete. Screenshots go to test-artifacts/flow-*.png.
"""

import csv
import io
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont
from redis import Redis
from rq import Worker

from app.extensions import db
from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ExtractionJob,
    ExtractionResult,
    User,
)
from app.services import quota
from app.storage import get_storage
from tests.conftest import REDIS_URL, truncate_all, worker_env
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, make_batch, make_document, make_user
from tests.pdfgen import make_pdf
from tests.processes import Processes, flask_command, wait_until

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

BATCH_URL = re.compile(r"/batches/([0-9a-f-]{36})$")
FINAL_TIMEOUT_MS = 120_000

INVOICE_PROMPT = "Extract the invoice number, invoice date, total and line items"
RECEIPT_PROMPT = "Extract the receipt number, date, merchant and total"


# -- the files -----------------------------------------------------------------------------------


def invoice_lines(number: int) -> tuple[str, ...]:
    return (
        "ACME Supplies Ltd",
        "INVOICE",
        f"Invoice number: INV-2024-{number:04d}",
        "Invoice date: 2024-03-15",
        "Bill to: Example Corp",
        "Description Qty Unit price Amount",
        f"Paper A4 {number} 5.00 {5 * number:.2f}",
        f"Total: EUR {5 * number:.2f}",
        "Page {page}",
    )


def receipt_image(number: int, fmt: str) -> bytes:
    """A small receipt rendered at low resolution, so that OCR takes well under a second."""
    lines = [
        "CORNER CAFE",
        f"Receipt no: R-{number:04d}",
        "Date: 2024-03-15",
        f"Coffee {number} x 3.50 {3.5 * number:.2f}",
        f"Total: EUR {3.5 * number:.2f}",
    ]
    font = ImageFont.load_default(size=14)
    image = Image.new("L", (320, 12 + 20 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((8, 6 + 20 * i), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    pages: int
    kind: str  # invoice | receipt
    number: int


def mixed_files() -> list[Upload]:
    """10 files: 6 invoice PDFs of 1 or 2 pages, 2 PNG and 2 JPEG receipts."""
    files = [
        Upload(
            f"invoice-{n}.pdf", make_pdf(1 + n % 2, lines=invoice_lines(n)), 1 + n % 2, "invoice", n
        )
        for n in range(1, 7)
    ]
    files += [Upload(f"receipt-{n}.png", receipt_image(n, "PNG"), 1, "receipt", n) for n in (7, 8)]
    files += [
        Upload(f"receipt-{n}.jpg", receipt_image(n, "JPEG"), 1, "receipt", n) for n in (9, 10)
    ]
    return files


def write_files(directory: Path, uploads) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for upload in uploads:
        path = directory / upload.name
        path.write_bytes(upload.content)
        paths.append(str(path))
    return paths


# -- the running product -------------------------------------------------------------------------


@dataclass
class Stack:
    url: str
    env: dict
    gate: Path
    procs: Processes

    def close_gate(self) -> None:
        (self.gate / "closed").touch()

    def open_gate(self) -> None:
        (self.gate / "closed").unlink(missing_ok=True)

    def held(self) -> list[Path]:
        """Markers of extractions waiting at the closed gate."""
        return sorted(self.gate.glob("started-*"))


@pytest.fixture(scope="module")
def stack(app, browser, tmp_path_factory):
    """gunicorn -w 2, one rq worker and rqscheduler on this run's database and Redis."""
    base = tmp_path_factory.mktemp("full-flow")
    gate = base / "gate"
    gate.mkdir()
    saved = app.config["STORAGE_URL"], os.environ.get("TEST_STORAGE_URL")
    storage_url = f"file://{base / 'uploads'}"
    app.config["STORAGE_URL"] = os.environ["TEST_STORAGE_URL"] = storage_url
    with app.app_context():
        truncate_all(db)
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()

    env = worker_env(app) | {
        "FLASK_APP": "wsgi",
        "POLL_INTERVAL_MS": "300",
        "FINALIZE_INTERVAL_SECONDS": "1",
    }
    gated_env = env | {
        "EXTRACTION_PROVIDER": "tests.e2e.gate:GatedProvider",
        "INGESTIO_TEST_GATE_DIR": str(gate),
    }
    procs = Processes(base / "logs")
    try:
        flask_command(env, "schedule", "register")
        procs.scheduler("scheduler", env)
        procs.worker("worker", gated_env)
        url = procs.gunicorn("web", env, workers=2)
        wait_until(
            lambda: Worker.all(connection=redis),
            timeout=60,
            what="the rq worker to register",
            procs=procs,
        )
        yield Stack(url, env, gate, procs)
    finally:
        (gate / "closed").unlink(missing_ok=True)
        procs.stop_all()
        app.config["STORAGE_URL"] = saved[0]
        if saved[1] is None:
            os.environ.pop("TEST_STORAGE_URL", None)
        else:
            os.environ["TEST_STORAGE_URL"] = saved[1]
        with app.app_context():
            truncate_all(db)
        redis.flushdb()
        redis.close()


@pytest.fixture
def ctx(app, stack):
    """An app context on the stack's database and storage."""
    with app.app_context():
        yield db
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def page(browser, stack):
    """A fresh browser page on the gunicorn server (overrides the thread server's page)."""
    context = browser.new_context(
        base_url=stack.url, viewport={"width": 1200, "height": 900}, accept_downloads=True
    )
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


@pytest.fixture
def gate(stack):
    """The extraction gate, open again (and emptied) whatever the test does."""
    for marker in stack.held():
        marker.unlink()
    yield stack
    stack.open_gate()


def fresh(model, obj_id):
    db.session.expire_all()
    return db.session.get(model, obj_id)


def docs_of(batch_id) -> dict[str, Document]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Document).where(Document.batch_id == batch_id))
    return {d.original_filename: d for d in rows}


def pages_used(user_id) -> int:
    db.session.expire_all()
    return quota.pages_used(db.session.get(User, user_id))


def status_badge(page):
    return page.locator('[data-field="status-badge"] .badge')


def doc_row(page, filename):
    return page.locator("tr[data-doc-id]", has=page.get_by_role("link", name=filename, exact=True))


def submit_wizard(page, shot, paths, strategy, name, prompts=None) -> uuid.UUID:
    """Go through Files -> Prompts -> Review and submit; the new batch's id."""
    page.goto("/batches/new")
    expect(page.get_by_role("heading", name="1. Choose files")).to_be_visible()
    page.set_input_files("#file-input", paths)
    expect(page.locator("#file-list li")).to_have_count(len(paths))
    page.get_by_label("Batch name").fill(name)
    shot("1-files")

    page.locator("#files-next").click()
    expect(page.locator("#step-prompts-title")).to_be_focused()
    if strategy == "global":
        page.get_by_label("Prompt for every document").fill(prompts)
    elif strategy == "per_document":
        page.get_by_label("A prompt per document").check()
        areas = page.locator("#per-document-prompts textarea")
        expect(areas).to_have_count(len(paths))
        for n, (filename, prompt) in enumerate(prompts.items(), start=1):
            page.get_by_label(f"Prompt {n} of {len(paths)} for {filename}").fill(prompt)
    else:
        page.get_by_label("Auto-detect").check()
        expect(page.locator(".auto-note")).to_be_visible()
    expect(page.locator("#prompts-next")).to_be_enabled()
    shot("2-prompts")

    page.locator("#prompts-next").click()
    expect(page.locator("#step-review-title")).to_be_focused()
    expect(page.locator("#review-facts")).to_contain_text(f"{len(paths)} files")
    expect(page.locator("#review-facts")).to_contain_text(name)
    shot("3-review")

    page.get_by_role("button", name="Submit batch").click()
    page.wait_for_url(BATCH_URL, timeout=60_000)
    return uuid.UUID(BATCH_URL.search(page.url).group(1))


def screenshots(page, prefix: str):
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{prefix}-{step}.png"), full_page=True)

    return shot


def register(page, email: str) -> None:
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/dashboard")
    expect(page.locator(".flash-success")).to_contain_text("starter plan")


def download(page, tmp_path: Path, link_name: str) -> Path:
    """Click a download link of the page and keep the file."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


# -- the flow ------------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["global", "per_document", "auto"])
def test_register_upgrade_submit_watch_open_and_export(strategy, stack, ctx, page, tmp_path):
    shot = screenshots(page, f"flow-{strategy}")
    email = f"flow-{strategy.replace('_', '-')}@example.com"
    register(page, email)

    page.goto("/batches/new")
    expect(page.get_by_role("heading", name="Upgrade required")).to_be_visible()
    assert "plus" in flask_command(stack.env, "set-plan", email, "plus").lower()

    uploads = mixed_files()
    paths = write_files(tmp_path / "files", uploads)
    prompts = {
        "global": INVOICE_PROMPT,
        "per_document": {
            u.name: INVOICE_PROMPT if u.kind == "invoice" else RECEIPT_PROMPT for u in uploads
        },
        "auto": None,
    }[strategy]
    batch_id = submit_wizard(page, shot, paths, strategy, f"March {strategy}", prompts)

    # The page follows the batch to its end by polling, never reloading.
    page.evaluate("window.__sameDocument = true")
    expect(status_badge(page)).to_have_text("completed", timeout=FINAL_TIMEOUT_MS)
    expect(page.locator('[data-field="progress"]')).to_have_text("100")
    expect(page.locator('[data-field="completed_count"]')).to_have_text("10")
    expect(page.locator('[data-field="failed_count"]')).to_have_text("0")
    expect(page.locator("#batch")).to_have_attribute("data-final", "true")
    assert page.evaluate("window.__sameDocument") is True
    if strategy == "auto":
        expect(doc_row(page, "receipt-7.png").locator('[data-field="document_type"]')).to_have_text(
            "receipt"
        )
        expect(doc_row(page, "invoice-1.pdf").locator('[data-field="document_type"]')).to_have_text(
            "invoice"
        )
    shot("4-batch")

    batch = fresh(Batch, batch_id)
    assert batch.user.email == email
    assert (batch.status, batch.prompt_strategy) == (BatchStatus.COMPLETED, strategy)
    assert (batch.document_count, batch.completed_count, batch.total_pages) == (10, 10, 13)
    docs = docs_of(batch_id)
    assert set(docs) == {u.name for u in uploads}
    assert {d.status for d in docs.values()} == {DocumentStatus.COMPLETED}
    by_name = {u.name: u for u in uploads}
    if strategy == "per_document":
        assert {n: d.extraction_prompt for n, d in docs.items()} == prompts
    if strategy == "auto":
        assert {n: d.document_type for n, d in docs.items()} == {
            n: u.kind for n, u in by_name.items()
        }
    assert pages_used(batch.user_id) == 13

    # A document's result page shows what was extracted from it.
    doc_row(page, "invoice-3.pdf").get_by_role("link", name="invoice-3.pdf").click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="Review")).to_be_visible()
    expect(page.get_by_role("textbox", name="invoice number")).to_have_value("INV-2024-0003")
    shot("5-document")
    receipt = db.session.scalar(
        sa.select(ExtractionResult).where(ExtractionResult.document_id == docs["receipt-9.jpg"].id)
    )
    assert "R-0009" in str(receipt.data["data"])

    # Exports, downloaded through the page's links.
    page.goto(f"/batches/{batch_id}")
    rows = list(csv.DictReader(io.StringIO(download(page, tmp_path, "CSV").read_text("utf-8-sig"))))
    assert sorted(r["filename"] for r in rows) == sorted(by_name)
    assert {r["status"] for r in rows} == {"completed"}
    number_column = next(c for c in rows[0] if "invoice_number" in c)
    invoice_rows = {r["filename"]: r[number_column] for r in rows if r["filename"].endswith(".pdf")}
    assert invoice_rows == {f"invoice-{n}.pdf": f"INV-2024-{n:04d}" for n in range(1, 7)}

    xlsx = download(page, tmp_path, "XLSX")
    assert xlsx.suffix == ".xlsx"
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx, read_only=True).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = table[0], table[1:]
    assert len(body) == 10
    names = [r[header.index("filename")] for r in body]
    assert sorted(names) == sorted(by_name)


def test_cancel_a_running_batch(stack, ctx, page, login, gate, tmp_path):
    shot = screenshots(page, "flow-cancel")
    user = make_user("cancel@example.com", plan="plus")
    login(user.email)
    uploads = [
        Upload(f"part-{n}.pdf", make_pdf(1, lines=invoice_lines(n)), 1, "invoice", n)
        for n in range(1, 11)
    ]
    gate.close_gate()
    batch_id = submit_wizard(
        page, shot, write_files(tmp_path / "files", uploads), "global", "Cancel me", INVOICE_PROMPT
    )

    held = wait_until(gate.held, timeout=60, what="a document at the gate", procs=stack.procs)
    expect(status_badge(page)).to_have_text("processing")
    running = held[0].name.split("-", 2)[2]
    assert docs_of(batch_id)[running].status == DocumentStatus.PROCESSING
    shot("4-processing")

    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Cancel batch").click()
    assert questions and questions[0].startswith("Cancel this batch?")
    expect(page.locator(".flash-success")).to_contain_text("Batch cancelled")
    expect(status_badge(page)).to_have_text("cancelled")
    expect(page.locator('[data-field="cancelled_count"]')).to_have_text("9")
    expect(page.get_by_role("button", name="Cancel batch")).to_be_hidden()

    # The document already running finishes; nothing else is extracted.
    gate.open_gate()
    wait_until(
        lambda: fresh(Batch, batch_id).completed_at,
        timeout=60,
        what="the cancelled batch to be closed",
        procs=stack.procs,
    )
    page.reload()
    expect(status_badge(page)).to_have_text("cancelled")
    expect(page.locator('[data-field="completed_count"]')).to_have_text("1")
    expect(page.locator('[data-field="cancelled_count"]')).to_have_text("9")
    shot("5-cancelled")
    docs = docs_of(batch_id)
    assert docs[running].status == DocumentStatus.COMPLETED
    assert {d.status for n, d in docs.items() if n != running} == {DocumentStatus.CANCELLED}
    attempted = db.session.scalars(
        sa.select(ExtractionJob.document_id).where(
            ExtractionJob.document_id.in_([d.id for d in docs.values()])
        )
    ).all()
    assert attempted == [docs[running].id]
    assert pages_used(user.id) == 1


def test_a_cancelled_batch_page_shows_its_running_document_finish(
    stack, ctx, page, login, gate, tmp_path
):
    # "Documents already being processed will finish", says the page: it should show them do so.
    user = make_user("cancel-live@example.com", plan="plus")
    login(user.email)
    uploads = [
        Upload(f"live-{n}.pdf", make_pdf(1, lines=invoice_lines(n)), 1, "invoice", n)
        for n in range(1, 4)
    ]
    gate.close_gate()
    batch_id = submit_wizard(
        page,
        lambda step: None,
        write_files(tmp_path / "files", uploads),
        "global",
        "Cancel and watch",
        INVOICE_PROMPT,
    )
    wait_until(gate.held, timeout=60, what="a document at the gate", procs=stack.procs)
    expect(status_badge(page)).to_have_text("processing")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel batch").click()
    expect(status_badge(page)).to_have_text("cancelled")
    page.evaluate("window.__sameDocument = true")

    gate.open_gate()
    wait_until(
        lambda: fresh(Batch, batch_id).completed_at,
        timeout=60,
        what="the running document to finish",
        procs=stack.procs,
    )
    expect(page.locator('[data-field="completed_count"]')).to_have_text("1", timeout=15_000)
    expect(page.locator('[data-field="completed_at"]')).not_to_have_text("—")
    assert page.evaluate("window.__sameDocument") is True


def test_retry_after_running_out_of_pages_and_upgrading(stack, ctx, page, login, tmp_path):
    shot = screenshots(page, "flow-retry")
    user = make_user("retry@example.com", plan="plus")
    usage = quota.usage_row(user.id, quota.period_for_user(user))
    usage.pages_used = 998  # two pages left of 1,000
    db.session.commit()
    login(user.email)
    uploads = [
        Upload("short.pdf", make_pdf(1, lines=invoice_lines(1)), 1, "invoice", 1),
        Upload("long.pdf", make_pdf(3, lines=invoice_lines(2)), 3, "invoice", 2),
    ]
    batch_id = submit_wizard(
        page, shot, write_files(tmp_path / "files", uploads), "global", "Tight", INVOICE_PROMPT
    )

    expect(status_badge(page)).to_have_text("partially completed", timeout=FINAL_TIMEOUT_MS)
    error = doc_row(page, "long.pdf").locator('[data-field="error"]')
    expect(error).to_contain_text("Not enough pages left")
    retry = page.get_by_role("button", name="Retry failed")
    expect(retry).to_be_visible()
    shot("4-quota-exceeded")
    assert docs_of(batch_id)["long.pdf"].error_code == "quota_exceeded"
    assert pages_used(user.id) == 999

    flask_command(stack.env, "set-plan", user.email, "growth")
    retry.click()
    expect(page.locator(".flash-success")).to_have_text("1 failed document queued again.")
    expect(status_badge(page)).to_have_text("completed", timeout=FINAL_TIMEOUT_MS)
    expect(error).to_have_text("")
    expect(retry).to_be_hidden()
    shot("5-retried")

    long_doc = docs_of(batch_id)["long.pdf"]
    assert (long_doc.status, long_doc.attempts, long_doc.error_code) == (
        DocumentStatus.COMPLETED,
        2,
        None,
    )
    batch = fresh(Batch, batch_id)
    assert (batch.status, batch.completed_count, batch.failed_count) == (
        BatchStatus.COMPLETED,
        2,
        0,
    )
    assert pages_used(user.id) == 1002


def test_delete_a_batch_after_confirming(stack, ctx, page, login):
    shot = screenshots(page, "flow-delete")
    user = make_user("delete@example.com", plan="plus")
    batch = make_batch(user, name="Old paperwork", status=BatchStatus.COMPLETED)
    docs = [
        make_document(
            user,
            batch,
            content=make_pdf(1, lines=invoice_lines(n)),
            filename=f"old-{n}.pdf",
            status=DocumentStatus.COMPLETED,
        )
        for n in (1, 2)
    ]
    batch_id, keys = batch.id, [d.storage_key for d in docs]
    storage = get_storage()
    assert all(storage.exists(k) for k in keys)
    login(user.email)
    page.goto(f"/batches/{batch_id}")
    shot("1-batch")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete").click()
    expect(status_badge(page)).to_be_visible()
    assert fresh(Batch, batch_id) is not None  # dismissed: nothing was sent

    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".flash-success")).to_contain_text("Batch deleted")
    assert "cannot be undone" in messages[0]
    assert not page.url.endswith(str(batch_id))
    expect(page.get_by_text("Old paperwork")).to_have_count(0)
    shot("2-deleted")

    assert fresh(Batch, batch_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).where(Document.batch_id == batch_id)) == 0
    assert not any(storage.exists(k) for k in keys)
