"""Totals, currencies, invoice dates and invoice numbers as real invoices and receipts print them."""

from __future__ import annotations

from decimal import Decimal

import pytest

PROMPT = "Extract the invoice number, date, total and currency"


def _invoice(number_line: str, date_lines: list[str], totals: list[str]) -> list[str]:
    """A plain invoice: seller letterhead, customer block, one item and the given parts."""
    return [
        "#Lakeside Consulting Ltd",
        "7 Quay Street, Bristol BS1 4DJ",
        "INVOICE",
        number_line,
        *date_lines,
        "Bill to: Orchard Foods Ltd",
        "Description|||Amount",
        "Advisory services|||800.00",
        *totals,
    ]


TOTALS = {
    "dollar_before": (["|||Subtotal|$1,234.56", "|||Total|$1,234.56"], "1234.56", "USD"),
    "euro_after": (
        ["|||Zwischensumme|1.037,44 €", "|||MwSt. 19 %|197,12 €", "|||Endbetrag|1.234,56 €"],
        "1234.56",
        "EUR",
    ),
    "code_before": (
        ["|||Net|EUR 90,00", "|||VAT|EUR 9,00", "|||Total paid|EUR 99,00"],
        "99.00",
        "EUR",
    ),
    "usd_code": (["|||Amount paid|USD 12.00"], "12.00", "USD"),
    "rupees": (
        ["|||Taxable value|381.36", "|||GST 18%|68.64", "|||Grand total|Rs. 450.00"],
        "450.00",
        "INR",
    ),
    "indian_grouping": (
        ["|||Sub Total|1,00,000.00", "|||IGST 18%|18,000.00", "|||Total|₹ 1,18,000.00"],
        "118000.00",
        "INR",
    ),
    "ringgit": (["|||Subtotal|RM 12.48", "|||Rounding|0.02", "|||Total|RM 12.50"], "12.50", "MYR"),
    "franc": (["|||Total|CHF 1'250.00"], "1250.00", "CHF"),
    "zloty": (["|||Total|1 230,00 zł"], "1230.00", "PLN"),
    "pound_incl_vat": (
        ["|||Net|£100.00", "|||VAT 20%|£20.00", "|||Total (incl. VAT)|£120.00"],
        "120.00",
        "GBP",
    ),
    "total_then_balance_due": (
        ["|||Total|$500.00", "|||Payment received|-$200.00", "|||Balance due|$300.00"],
        "500.00",
        "USD",
    ),
    "gesamtbetrag": (
        ["|||Nettobetrag|100,00 €", "|||USt 19 %|19,00 €", "|||Gesamtbetrag|119,00 €"],
        "119.00",
        "EUR",
    ),
    "rechnungsbetrag": (
        ["|||Summe netto|200,00", "|||MwSt 19%|38,00", "|||Rechnungsbetrag EUR|238,00"],
        "238.00",
        "EUR",
    ),
    "total_incl_gst_aud": (
        ["ABN 51 824 753 556", "|||Subtotal|$90.91", "|||GST|$9.09", "|||Total incl. GST|$100.00"],
        "100.00",
        "AUD",
    ),
}


@pytest.mark.parametrize("name", sorted(TOTALS))
def test_total_and_currency(name, write_doc, local, billing_pdf):
    totals, total, currency = TOTALS[name]
    lines = _invoice("Invoice No: INV-2024-0042", ["Invoice date: 12/02/2026"], totals)
    result = local.extract(write_doc(f"{name}.pdf", billing_pdf(lines)), PROMPT, "invoice")
    assert Decimal(str(result["data"]["total"])) == Decimal(total)
    assert result["data"]["currency"] == currency


DATES = {
    "due_date_first": (["Due date: 14/03/2026", "Invoice date: 12/02/2026"], "2026-02-12"),
    "service_period_first": (
        ["Leistungszeitraum: 01.01.2026 - 31.01.2026", "Rechnungsdatum: 05.02.2026"],
        "2026-02-05",
    ),
    "period_first": (
        ["Service period: 01/01/2026 - 31/01/2026", "Date of issue: 03/02/2026"],
        "2026-02-03",
    ),
    "payment_date_first": (["Payment date: 20/02/2026", "Invoice date: 12/02/2026"], "2026-02-12"),
    "order_date_first": (["Order date: 28/01/2026", "Invoice date: 03/02/2026"], "2026-02-03"),
    "labels_row": (["Due Date|Invoice Date|Terms", "14/03/2026|12/02/2026|Net 30"], "2026-02-12"),
    "two_unlabelled": (["12/02/2026", "Valid until 14/03/2026"], "2026-02-12"),
}


@pytest.mark.parametrize("name", sorted(DATES))
def test_invoice_date_not_other_dates(name, write_doc, local, billing_pdf):
    date_lines, date = DATES[name]
    lines = _invoice("Invoice No: INV-2024-0042", date_lines, ["|||Total|£960.00"])
    result = local.extract(write_doc(f"{name}.pdf", billing_pdf(lines)), PROMPT, "invoice")
    assert result["data"]["date"] == date


NUMBERS = {
    "prefix": ("Invoice No: INV-2024-0042", "INV-2024-0042"),
    "slash": ("Invoice #: 2024/0815", "2024/0815"),
    "hash_value": ("Invoice number|#A1B2C3D4-0001", "A1B2C3D4-0001"),
    "words_then_value": ("Invoice number 5F3A1C2B-0007", "5F3A1C2B-0007"),
    "german": ("Rechnungsnr.: RE-10023", "RE-10023"),
    "page_beside": ("Invoice No.|Page 1 of 2|||", None),
    "customer_number_beside": ("Invoice No.: 2026-117|Customer No.: 49", "2026-117"),
    "value_below_labels": ("Invoice No.|Customer ID|Qty\n88-4410|49|2", "88-4410"),
}


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_invoice_number(name, write_doc, local, billing_pdf):
    line, number = NUMBERS[name]
    lines = _invoice("", ["Invoice date: 12/02/2026"], ["|||Total|£960.00"])
    lines[3:4] = line.split("\n")
    result = local.extract(write_doc(f"{name}.pdf", billing_pdf(lines)), PROMPT, "invoice")
    got = result["data"]["invoice_number"]
    if number is None:
        assert got in (None, "") or got not in ("1", "2", "1 of 2")
    else:
        assert got == number
