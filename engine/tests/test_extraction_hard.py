"""Real-looking invoices and receipts, read the way the outside-in checker reads results.

A small sample of engine/tests/data/make_hard_set.py (the full set runs in bench/extraction_accuracy.py):
two-column invoice headers with other numbers and dates beside the invoice's own, a net 'Total'
row before the gross total, Indian digit grouping, a credit note quoting its invoice, till rolls
with CASH/CHANGE and tip suggestions after the total, and scanned till rolls through OCR.
"""

import io
import random

import pytest

from engine import DEFAULT_PROMPTS

PROMPT = "Extract the invoice number, date and total"


def run(local, doc, prompt):
    """Extract as the app does: with the prompt, or classify first and use the default one."""
    if prompt is None:
        dtype, _ = local.classify(doc)
        return local.extract(doc, DEFAULT_PROMPTS[dtype], dtype)
    return local.extract(doc, prompt)


def assert_headline(checker, result, truth, *, number=True):
    """Total, date and number found under the keys the checker looks at, with its matching."""
    data = result["data"]
    assert checker.norm_amount(checker.checker_total(data)) == checker.norm_amount(truth["total"])
    assert checker.norm_text(checker.checker_date(data)) == checker.norm_text(truth["date"])
    if number:
        want = truth.get("invoice_number") or truth.get("receipt_number")
        assert checker.norm_text(checker.checker_number(data)) == checker.norm_text(want)


INVOICES = [
    ("inv_classic", "us", PROMPT),
    (
        "inv_german",
        "de",
        "Extract invoice number, invoice date, due date, vendor, total and line items",
    ),
    ("inv_footer_total", "uk", '["invoice_number", "date", "total_amount"]'),
    ("inv_gst_india", "in", None),
    ("inv_credit_note", "uk", PROMPT),
    ("inv_balance_header", "us", None),
]


@pytest.mark.parametrize(("maker", "locale", "prompt"), INVOICES)
def test_text_invoices(hard_gen, checker, write_doc, local, maker, locale, prompt):
    rng = random.Random(f"{maker}-{locale}")
    data, truth = getattr(hard_gen, maker)(rng, hard_gen.LOCALES[locale])
    result = run(local, write_doc(f"{maker}.pdf", data), prompt)
    assert result["document_type"] == "invoice"
    assert_headline(checker, result, truth)


RECEIPTS = [
    ("rc_supermarket", "us", "Extract the receipt number, date and total"),
    ("rc_my_tax_invoice", "my", PROMPT),
    ("rc_restaurant", "sg", None),
]


@pytest.mark.parametrize(("maker", "locale", "prompt"), RECEIPTS)
def test_text_receipts(hard_gen, checker, write_doc, local, maker, locale, prompt):
    rng = random.Random(f"{maker}-{locale}")
    rows, truth = getattr(hard_gen, maker)(rng, hard_gen.LOCALES[locale])
    result = run(local, write_doc(f"{maker}.pdf", hard_gen.receipt_pdf(rows, rng)), prompt)
    assert result["document_type"] == "receipt"
    assert_headline(checker, result, truth)


def test_prompt_order_keeps_headline_keys_first(hard_gen, checker, write_doc, local):
    rng = random.Random("order")
    data, truth = hard_gen.inv_classic(rng, hard_gen.LOCALES["uk"])
    doc = write_doc("invoice.pdf", data)
    result = local.extract(
        doc, "Extract the subtotal, due date, invoice date, total and invoice number"
    )
    keys = list(result["data"])
    assert keys.index("total") < keys.index("subtotal")
    assert keys.index("invoice_number") < keys.index("invoice_date")
    assert_headline(checker, result, truth)


SCANS = [
    ("rc_restaurant", "us", False, "Extract the merchant, date and total"),
    ("rc_german", "de", True, None),
]


@pytest.mark.parametrize(("maker", "locale", "photo", "prompt"), SCANS)
def test_scanned_receipts(hard_gen, checker, write_doc, local, maker, locale, photo, prompt):
    pytest.importorskip("rapidocr")
    rng = random.Random(f"{maker}-{locale}-scan")
    rows, truth = getattr(hard_gen, maker)(rng, hard_gen.LOCALES[locale])
    image = hard_gen.degrade(
        hard_gen.render(hard_gen.receipt_pdf(rows, rng), 170), rng, photo=photo
    )
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=60)
    result = run(local, write_doc(f"{maker}.jpg", buf.getvalue(), "image/jpeg"), prompt)
    assert result["document_type"] == "receipt"
    assert_headline(checker, result, truth, number=prompt is None)
