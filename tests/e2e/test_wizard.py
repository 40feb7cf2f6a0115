"""The batch upload wizard in headless Chromium: Files -> Prompts -> Review -> the batch page."""

import io
import os
import re
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image

from app.models import Batch, Document
from app.services import quota
from tests.factories import make_user
from tests.pdfgen import make_pdf

pytestmark = pytest.mark.e2e

BATCH_URL = re.compile(r"/batches/([0-9a-f-]{36})$")


def noisy_png(side: int = 700) -> bytes:
    """A PNG that does not compress (about 1.4 MB), so the upload takes a while on a slow link."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def write_files(directory, files: dict[str, bytes]) -> list[str]:
    paths = []
    for name, content in files.items():
        path = directory / name
        path.write_bytes(content)
        paths.append(str(path))
    return paths


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def test_wizard_creates_a_batch_with_per_document_prompts(page, login, screenshot, db, tmp_path):
    check = expect()
    user = make_user("wizard@example.com", plan="plus")
    login(user.email)
    page.goto("/batches/new")
    check(page.get_by_role("heading", name="1. Choose files")).to_be_visible()
    check(page.locator("#dropzone-limits")).to_contain_text("up to 50 MB per file")
    check(page.locator("#dropzone-limits")).to_contain_text("up to 50 files per batch")
    check(page.locator("#files-next")).to_be_disabled()

    paths = write_files(
        tmp_path,
        {
            "invoice-2026-03.pdf": make_pdf(2),
            "scan.png": noisy_png(),
            "contract.pdf": make_pdf(3),
        },
    )
    page.set_input_files("#file-input", paths)
    items = page.locator("#file-list li")
    check(items).to_have_count(3)
    check(items.nth(0)).to_contain_text("invoice-2026-03.pdf")
    check(items.nth(0).locator(".file-icon")).to_have_text("PDF")
    check(items.nth(1)).to_contain_text("MB")
    check(page.get_by_role("button", name="Remove scan.png")).to_be_visible()
    page.get_by_label("Batch name").fill("March paperwork")
    check(page.locator("#files-next")).to_be_enabled()
    screenshot("wizard-1-files")

    page.locator("#files-next").click()
    check(page.locator("#step-prompts-title")).to_be_focused()
    check(page.locator('[data-step-indicator="prompts"]')).to_have_attribute("aria-current", "step")
    # global is chosen first: Next waits for its prompt
    check(page.locator("#prompts-next")).to_be_disabled()
    page.get_by_label("A prompt per document").check()
    check(page.locator("#per-document-prompts textarea")).to_have_count(3)
    check(page.locator("#prompts-next")).to_be_disabled()
    prompts = {
        "invoice-2026-03.pdf": "Extract the invoice number and total",
        "scan.png": "Read the name and the date",
        "contract.pdf": "Extract the parties and the term",
    }
    for n, (name, prompt) in enumerate(prompts.items(), start=1):
        page.get_by_label(f"Prompt {n} of 3 for {name}").fill(prompt)
        if n < 3:
            check(page.locator("#prompts-next")).to_be_disabled()
    check(page.locator("#prompts-next")).to_be_enabled()
    screenshot("wizard-2-prompts")

    page.locator("#prompts-next").click()
    check(page.locator("#step-review-title")).to_be_focused()
    facts = page.locator("#review-facts")
    check(facts).to_contain_text("March paperwork")
    check(facts).to_contain_text("3 files")
    check(facts).to_contain_text("A prompt per document")
    # What the batch will cost, counted in the browser: 2 + 1 (the image) + 3 pages.
    check(page.locator("#review-pages")).to_have_text("6 pages; 1,000 pages left this period")
    for name, prompt in prompts.items():
        check(page.locator("#review-prompts")).to_contain_text(name)
        check(page.locator("#review-prompts")).to_contain_text(prompt)
    screenshot("wizard-3-review")

    # A slow uplink makes the XMLHttpRequest upload progress visible between 0 and 100 %.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 400_000},
    )
    page.get_by_role("button", name="Submit batch").click()
    page.wait_for_function(
        "() => { const v = Number(document.querySelector('#upload-bar')"
        ".getAttribute('aria-valuenow')); return v > 0 && v < 100; }"
    )
    check(page.locator("#upload-bytes")).to_contain_text("Sent")
    screenshot("wizard-4-uploading")
    page.wait_for_url(BATCH_URL, timeout=60_000)

    batch_id = uuid.UUID(BATCH_URL.search(page.url).group(1))
    batch = db.session.get(Batch, batch_id)
    assert batch is not None and batch.user_id == user.id
    assert batch.name == "March paperwork"
    assert batch.prompt_strategy == "per_document"
    assert {d.original_filename: d.extraction_prompt for d in batch.documents} == prompts
    assert {d.original_filename: d.page_count for d in batch.documents} == {
        "invoice-2026-03.pdf": 2,
        "scan.png": 1,
        "contract.pdf": 3,
    }


def test_rejected_files_are_explained_at_once(page, login, screenshot, db, tmp_path):
    check = expect()
    make_user("wizard@example.com", plan="plus")
    login("wizard@example.com")
    page.goto("/batches/new")
    paths = write_files(
        tmp_path,
        {
            "notes.txt": b"just some text",
            "invoice.pdf": b"MZ\x90\x00" + b"\x00" * 64,
            "good.pdf": make_pdf(1),
        },
    )
    page.set_input_files("#file-input", paths)
    rejected = page.locator("#rejected-list li")
    check(rejected).to_have_count(2)
    check(rejected.nth(0)).to_contain_text("notes.txt")
    check(rejected.nth(0)).to_contain_text("Only PDF, JPEG and PNG")
    check(rejected.nth(1)).to_contain_text("invoice.pdf")
    check(rejected.nth(1)).to_contain_text("content is not a PDF")
    check(page.locator("#file-list li")).to_have_count(1)
    check(page.locator("#wizard-status")).to_contain_text("2 files not added")
    screenshot("wizard-rejected-files")

    # keyboard: remove the only file with Enter; Next is disabled again and focus stays usable
    page.get_by_role("button", name="Remove good.pdf").focus()
    page.keyboard.press("Enter")
    check(page.locator("#file-list li")).to_have_count(0)
    check(page.locator("#files-next")).to_be_disabled()
    check(page.locator("#choose-files")).to_be_focused()


def test_a_refused_upload_shows_the_server_message(page, login, screenshot, db, tmp_path):
    check = expect()
    user = make_user("wizard@example.com", plan="plus")
    row = quota.usage_row(user.id, quota.period_for_user(user))
    row.pages_used = 999  # one page left, two files
    db.session.commit()
    login(user.email)
    page.goto("/batches/new")
    page.set_input_files(
        "#file-input", write_files(tmp_path, {"a.pdf": make_pdf(1), "b.pdf": make_pdf(1)})
    )
    page.locator("#files-next").click()
    page.get_by_label("Prompt for every document").fill("Extract the total")
    page.locator("#prompts-next").click()
    page.get_by_role("button", name="Submit batch").click()
    errors = page.locator("#wizard-errors")
    check(errors).to_be_visible()
    check(errors).to_have_attribute("aria-live", "assertive")
    check(errors).to_contain_text("1 page left this period")
    check(page.get_by_role("button", name="Submit batch")).to_be_enabled()
    screenshot("wizard-server-error")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0


def test_starter_sees_the_upgrade_notice(page, login, screenshot, db):
    check = expect()
    make_user("free@example.com", plan="starter")
    login("free@example.com")
    page.goto("/batches/new")
    check(page.get_by_role("heading", name="Upgrade required")).to_be_visible()
    check(page.get_by_role("link", name="See plans and upgrade")).to_have_attribute(
        "href", "/billing"
    )
    check(page.locator("#wizard")).to_have_count(0)
    screenshot("wizard-upgrade-required")


def test_single_document_form_works_in_the_browser(page, login, screenshot, db, tmp_path):
    check = expect()
    make_user("free@example.com", plan="starter")
    login("free@example.com")
    page.goto("/documents/new")
    page.get_by_label("File").set_input_files(write_files(tmp_path, {"receipt.pdf": make_pdf(2)}))
    page.get_by_label("What to extract").fill("Extract the total")
    screenshot("single-document-form")
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f-]{36}$"))
    doc_id = uuid.UUID(page.url.rsplit("/", 1)[1])
    doc = db.session.get(Document, doc_id)
    assert (doc.batch_id, doc.page_count, doc.extraction_prompt) == (None, 2, "Extract the total")
    check(page.locator("body")).to_be_visible()


def test_the_extract_again_box_sends_reuse_false(page, login, db, tmp_path):
    check = expect()
    user = make_user("again@example.com", plan="plus")
    login(user.email)
    for tick in (False, True):
        page.goto("/batches/new")
        page.set_input_files("#file-input", write_files(tmp_path, {"seen.pdf": make_pdf(1)}))
        page.locator("#files-next").click()
        page.get_by_label("Prompt for every document").fill("Extract the total")
        page.locator("#prompts-next").click()
        box = page.get_by_label("Extract again even if seen before")
        check(box).not_to_be_checked()
        if tick:
            box.check()
        page.get_by_role("button", name="Submit batch").click()
        page.wait_for_url(BATCH_URL)
    db.session.expire_all()
    docs = db.session.scalars(sa.select(Document).order_by(Document.created_at)).all()
    assert [d.reuse for d in docs] == [True, False]
