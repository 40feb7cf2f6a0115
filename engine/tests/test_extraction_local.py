"""The local provider on PDFs with text layers made in the tests."""

import json
from decimal import Decimal

import pytest

from engine import (
    DOCUMENT_TYPES,
    ExtractionError,
    Provider,
    SourceDocument,
    document_text,
    get_provider,
)

INVOICE_PROMPT = "Extract the invoice number, date, due date, total, subtotal, tax, currency, vendor and line items"


def assert_items(result, expected):
    got = result["line_items"]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g["description"] == e["description"]
        assert g["quantity"] == e["quantity"]
        assert Decimal(str(g["unit_price"])) == Decimal(e["unit_price"])
        assert Decimal(str(g["amount"])) == Decimal(e["amount"])


@pytest.mark.parametrize("layout", range(5))
@pytest.mark.parametrize("locale", [0, 2, 5, 7, 9])
def test_invoice_fields_typed_and_right(gen, rng, write_doc, local, layout, locale):
    data, labels = gen.make_invoice(rng, layout, gen.LOCALES[locale])
    doc = write_doc("invoice.pdf", data)
    result = local.extract(doc, INVOICE_PROMPT)
    exp = labels["fields"]
    d = result["data"]
    assert d["invoice_number"] == exp["invoice_number"]
    assert d["date"] == exp["date"]
    if exp["due_date"]:
        assert d["due_date"] == exp["due_date"]
    for key in ("total", "subtotal", "tax"):
        assert isinstance(d[key], float)
        assert Decimal(str(d[key])) == Decimal(exp[key]), key
    assert d["currency"] == exp["currency"]
    assert d["vendor"] == exp["vendor"]
    assert d["line_items"] == result["line_items"]
    assert_items(result, labels["line_items"])
    assert result["document_type"] == "invoice"


def test_result_shape(gen, rng, write_doc, local):
    data, _ = gen.make_invoice(rng, 0, gen.LOCALES[0])
    result = local.extract(write_doc("a.pdf", data), "Extract the invoice number, date and total")
    assert set(result) == {"document_type", "data", "fields", "line_items", "meta"}
    assert set(result["meta"]) == {"provider", "model", "pages", "duration_ms"}
    assert result["meta"]["provider"] == "local" and result["meta"]["pages"] == 1
    assert list(result["data"]) == ["invoice_number", "date", "total", "currency"]
    for entry in result["fields"].values():
        assert set(entry) == {"value", "confidence", "page", "bbox", "source_text"}
        assert 0 <= entry["confidence"] <= 1
        x0, y0, x1, y1 = entry["bbox"]
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert result["fields"]["total"]["page"] == 1
    assert "Total" in result["fields"]["total"]["source_text"]
    json.dumps(result)  # everything is JSON-serialisable


def test_total_among_many_amounts(write_doc, local, simple_pdf):
    pdf = simple_pdf(
        [
            "Harbor Print Works Ltd",
            "Invoice No: 7781",
            "Date: 02/03/2026",
            "Description|Qty|Unit price|Amount",
            "Posters A2|10|4.50|45.00",
            "Flyers|500|0.20|100.00",
            "Subtotal|||145.00",
            "Discount|||-10.00",
            "VAT 20%|||27.00",
            "Total|||£162.00",
            "Amount paid|||£162.00",
            "Balance due|||£0.00",
        ]
    )
    result = local.extract(write_doc("inv.pdf", pdf), "total, subtotal, currency, line items")
    assert result["data"]["total"] == 162.0
    assert result["data"]["subtotal"] == 145.0
    assert result["data"]["currency"] == "GBP"
    assert [i["amount"] for i in result["line_items"]] == [45.0, 100.0]


def test_contract_harness_style_pdf_and_json_prompt(write_doc, local, simple_pdf):
    pdf = simple_pdf(["Invoice No. INV-1001", "Date: 2026-03-14", "Total: 120.50 EUR"])
    doc = write_doc("one.pdf", pdf)
    result = local.extract(doc, '["invoice_number", "date", "total"]')
    assert result["data"] == {"invoice_number": "INV-1001", "date": "2026-03-14", "total": 120.5}
    assert local.extract(doc, "Extract the date")["data"]["date"] == "2026-03-14"


@pytest.mark.parametrize("variant", range(4))
def test_receipt_pdf(gen, rng, write_doc, local, variant):
    data, labels = gen.make_receipt(rng, variant, gen.LOCALES[variant * 2])
    doc = write_doc("r.pdf", data)
    result = local.extract(doc, "Extract the receipt number, date, total, merchant and line items")
    exp = labels["fields"]
    assert result["data"]["receipt_number"] == exp["receipt_number"]
    assert result["data"]["date"] == exp["date"]
    assert Decimal(str(result["data"]["total"])) == Decimal(exp["total"])
    assert result["data"]["merchant"] == exp["vendor"]
    assert_items(result, labels["line_items"])
    assert local.classify(doc)[0] == "receipt"


@pytest.mark.parametrize(
    ("maker", "dtype"),
    [
        ("make_invoice", "invoice"),
        ("make_receipt", "receipt"),
        ("make_po", "purchase_order"),
        ("make_statement", "bank_statement"),
        ("make_contract", "contract"),
        ("make_resume", "resume"),
        ("make_id", "id_document"),
        ("make_other", "other"),
    ],
)
def test_classification_per_type(gen, rng, write_doc, local, maker, dtype):
    fn = getattr(gen, maker)
    for i in range(3):
        if maker in ("make_invoice", "make_receipt"):
            data, _ = fn(rng, i, gen.LOCALES[i])
        elif maker == "make_other":
            data, _ = fn(rng, i)
        else:
            data, _ = fn(rng, gen.LOCALES[i])
        got, confidence = local.classify(write_doc(f"{dtype}{i}.pdf", data))
        assert got == dtype
        assert 0 < confidence <= 1
    assert dtype in DOCUMENT_TYPES


def test_auto_extraction_uses_the_default_prompt_of_the_type(gen, rng, write_doc, local):
    data, labels = gen.make_statement(rng, gen.LOCALES[2])
    doc = write_doc("st.pdf", data)
    result = local.extract(doc, "")
    assert result["document_type"] == "bank_statement"
    assert result["data"]["account_holder"] == labels["fields"]["account_holder"]
    assert Decimal(str(result["data"]["closing_balance"])) == Decimal(
        labels["fields"]["closing_balance"]
    )
    data, labels = gen.make_id(rng, gen.LOCALES[0])
    result = local.extract(write_doc("id.pdf", data), "", document_type="id_document")
    assert result["data"]["surname"] == labels["fields"]["surname"]
    assert result["data"]["date_of_birth"] == labels["fields"]["date_of_birth"]
    assert result["data"]["expiry_date"] == labels["fields"]["expiry_date"]
    assert result["data"]["document_number"] == labels["fields"]["id_number"]
    data, labels = gen.make_po(rng, gen.LOCALES[0])
    result = local.extract(write_doc("po.pdf", data), "")
    assert result["data"]["po_number"] == labels["fields"]["po_number"]
    assert len(result["data"]["line_items"]) == len(labels["line_items"])


def test_multi_page_document_text(write_doc):
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(3):
        pdf.add_page()
        pdf.set_font("helvetica", "", 12)
        pdf.cell(0, 10, f"Page {n + 1} says hello")
    doc = write_doc("three.pdf", bytes(pdf.output()))
    assert document_text(doc) == ["Page 1 says hello", "Page 2 says hello", "Page 3 says hello"]


def test_errors(write_doc, local, tmp_path, simple_pdf):
    from pypdf import PdfWriter

    full = simple_pdf(["Invoice 1", "Total 10.00"])
    with pytest.raises(ExtractionError) as err:
        local.extract(write_doc("broken.pdf", full[:150]), "total")
    assert err.value.code == "unreadable_pdf"

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(ExtractionError) as err:
        local.extract(SourceDocument(str(path), "application/pdf"), "total")
    assert err.value.code == "encrypted_pdf"

    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    with pytest.raises(ExtractionError) as err:
        local.extract(SourceDocument(str(blank), "image/png"), "total")
    assert err.value.code == "no_text"
    assert local.classify(SourceDocument(str(blank), "image/png")) == ("other", 0.0)


def test_get_provider(monkeypatch):
    monkeypatch.delenv("EXTRACTION_PROVIDER", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    provider = get_provider()
    assert isinstance(provider, Provider) and provider.name == "local"
    assert get_provider("local") is provider
    monkeypatch.setenv("EXTRACTION_PROVIDER", "local")
    assert get_provider() is provider
    with pytest.raises(ValueError, match="Unknown"):
        get_provider("nope")
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        get_provider("openai")
    with pytest.raises(ValueError, match="ANTHROPIC_API_KEY"):
        get_provider("anthropic")


def test_summary_lines_end_items_but_items_may_start_with_such_words(write_doc, local, simple_pdf):
    pdf = simple_pdf(
        [
            "Oakridge Trading Ltd",
            "Invoice No: 55",
            "Item|Qty|Price|Amount",
            "Shipping boxes XL|2|10.00|20.00",
            "Cash register paper|1|5.00|5.00",
            "Total incl. VAT|||25.00",
            "Cash|||30.00",
        ]
    )
    result = local.extract(write_doc("i.pdf", pdf), "total and line items")
    assert [i["description"] for i in result["line_items"]] == [
        "Shipping boxes XL",
        "Cash register paper",
    ]
    assert result["data"]["total"] == 25.0


def test_till_slip_headed_tax_invoice_is_a_receipt(gen, rng, write_doc, local):
    data, labels = gen.make_till_tax_invoice(rng, gen.LOCALES[0])
    doc = write_doc("slip.pdf", data)
    assert local.classify(doc)[0] == "receipt"
    result = local.extract(doc, "Extract the invoice number, date, total and currency")
    assert result["data"]["invoice_number"] == labels["fields"]["receipt_number"]
    assert result["data"]["date"] == labels["fields"]["date"]
    assert Decimal(str(result["data"]["total"])) == Decimal(labels["fields"]["total"])
    assert result["data"]["currency"] == "MYR"


@pytest.mark.parametrize("layout", range(4))
def test_more_invoice_layouts(gen, rng, write_doc, local, layout):
    data, labels = gen.make_invoice_b(rng, layout, gen.LOCALES[layout])
    result = local.extract(write_doc("b.pdf", data), INVOICE_PROMPT)
    exp = labels["fields"]
    assert result["data"]["invoice_number"] == exp["invoice_number"]
    assert result["data"]["date"] == exp["date"]
    assert Decimal(str(result["data"]["total"])) == Decimal(exp["total"])
    assert result["data"]["currency"] == exp["currency"]
    assert_items(result, labels["line_items"])


@pytest.mark.parametrize("caption", ["Booking ID", "Reservation number", "Confirmation code"])
def test_a_stay_s_payment_receipt_is_numbered_by_its_booking(
    caption, write_doc, local, billing_pdf
):
    lines = [
        "#Harbour View Inn",
        "PAYMENT RECEIPT",
        "Guest Name:|Jane Doe",
        "Date:|14/03/2026",
        "Check In|Check Out|Rooms",
        "14/03/2026|16/03/2026|1",
        caption,
        "HV7K2291",
        "Payment Mode|Card at Hotel",
        "Room Charges|2 Nights x 1 Room|Rs 4200",
        "Grand Total|||Rs 4200",
    ]
    doc = write_doc("stay.pdf", billing_pdf(lines))
    d = local.extract(doc, "Extract the receipt number, date and total", "receipt")["data"]
    assert d["receipt_number"] == "HV7K2291"
    assert d["total"] == 4200.0


def test_an_invoice_number_outranks_the_booking_it_bills(write_doc, local, billing_pdf):
    lines = [
        "#Alpine Travel Ltd",
        "INVOICE",
        "Invoice No.: AT-2026-0088|||Date: 02/03/2026",
        "Booking reference: BKX55120",
        "Description|Qty|Price|Amount",
        "Ski pass, 6 days|2|250.00|500.00",
        "|||Total EUR 500.00",
    ]
    doc = write_doc("travel.pdf", billing_pdf(lines))
    d = local.extract(doc, "Extract the invoice number, date and total", "invoice")["data"]
    assert d["invoice_number"] == "AT-2026-0088"
