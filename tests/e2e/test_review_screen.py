"""The review screen in Chromium: select a field and see its box, correct it, approve, go on."""

import pytest

from app.models import Batch, Document
from tests.factories import make_user
from tests.support.pipeline import enqueue, fresh, invoice_pdf, pdf_batch

pytestmark = pytest.mark.e2e

expect = pytest.importorskip("playwright.sync_api").expect

# The invoices have no IBAN: both documents need review.
PROMPT = "Extract the invoice number, the total and the IBAN"


def test_review_a_document_correct_its_total_approve_and_move_on(page, login, worker, screenshot):
    owner = make_user("reviewer@example.com", plan="growth")
    batch, docs = pdf_batch(
        owner, count=2, prompt=PROMPT, contents=[invoice_pdf(1), invoice_pdf(2)]
    )
    enqueue(docs)
    worker()
    assert fresh(Batch, batch.id).needs_review_count == 2
    first, second = sorted(docs, key=lambda d: d.original_filename)

    login(owner.email)
    page.goto(f"/batches/{batch.id}")
    page.get_by_role("link", name="Review next (2)").click()
    page.wait_for_url(f"**/documents/{first.id}*")

    # The page image is there, and selecting the total outlines its box on it.
    image = page.get_by_role("img", name=f"Page 1 of {first.original_filename}")
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    box = page.locator('[data-box="total"]')
    expect(box).not_to_have_class("review-box is-selected")
    page.get_by_role("row", name="total").click()
    expect(box).to_have_class("review-box is-selected")
    box_area = box.bounding_box()
    image_area = image.bounding_box()
    assert box_area["width"] > 0 and box_area["height"] > 0
    assert image_area["x"] <= box_area["x"] and box_area["x"] + box_area["width"] <= image_area["x"] + image_area["width"]  # fmt: skip

    # Clicking a box selects its field.
    page.locator('[data-box="invoice_number"]').click()
    expect(page.get_by_role("textbox", name="invoice number")).to_be_focused()

    # Type a corrected total and save with Enter.
    total = page.get_by_role("textbox", name="total", exact=True)
    total.fill("99.50")
    total.press("Enter")
    page.wait_for_url(f"**/documents/{first.id}*")
    expect(page.get_by_text("Corrections saved.")).to_be_visible()
    expect(page.get_by_role("textbox", name="total", exact=True)).to_have_value("99.50")
    screenshot("review-corrected")
    assert fresh(Document, first.id).result.data["data"]["total"] == 99.5

    # Approve: the first leaves the queue and the next document that needs review opens.
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"**/documents/{second.id}*")
    expect(page.get_by_text(f"{first.original_filename} approved.")).to_be_visible()
    assert fresh(Document, first.id).needs_review is False

    # Review next: nothing else needs review, so it goes back to the batch and says so.
    page.get_by_role("link", name="Review next").click()
    page.wait_for_url(f"**/batches/{batch.id}")
    expect(page.get_by_text("No more documents in this batch need review.")).to_be_visible()
