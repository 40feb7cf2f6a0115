"""Quantity and unit-price columns of line items, kept apart from the description."""

from __future__ import annotations

from decimal import Decimal

import pytest

PROMPT = "Extract the invoice number, total and line items"
HEAD = ["#Lakeside Consulting Ltd", "INVOICE", "Invoice No: INV-1", "Date: 12/02/2026"]

CASES = {
    # No header row: a count printed right after the description.
    "no_header": (
        HEAD
        + [
            "Consulting hours 12 150.00 1,800.00",
            "Travel expenses 1 240.00 240.00",
            "Subtotal 2,040.00",
            "Total 2,040.00",
        ],
        "invoice",
        [("Consulting hours", 12, "150.00", "1800.00"), ("Travel expenses", 1, "240.00", "240.00")],
    ),
    # A header row whose columns the text layer reads as one run per row.
    "header_one_run": (
        HEAD
        + [
            "Description  Qty  Unit price  Amount",
            "Consulting hours  12  150.00  1,800.00",
            "Travel expenses  1  240.00  240.00",
            "Total 2,040.00",
        ],
        "invoice",
        [("Consulting hours", 12, "150.00", "1800.00"), ("Travel expenses", 1, "240.00", "240.00")],
    ),
    "german_columns": (
        HEAD
        + [
            "Bezeichnung|Menge|Einzelpreis|Gesamt",
            "Beratung Januar|8|125,00 €|1.000,00 €",
            "Reisekosten|1|80,00 €|80,00 €",
            "Gesamtbetrag|||1.080,00 €",
        ],
        "invoice",
        [("Beratung Januar", 8, "125.00", "1000.00"), ("Reisekosten", 1, "80.00", "80.00")],
    ),
    "gst_serial_and_hsn": (
        HEAD
        + [
            "Sr|Description|HSN/SAC|Qty|Rate|Amount",
            "1|Cement bags|2523|10|380.00|3,800.00",
            "2|Steel rods|7214|5|140.00|700.00",
            "|||Grand Total|Rs. 4,500.00",
        ],
        "invoice",
        [("Cement bags", 10, "380.00", "3800.00"), ("Steel rods", 5, "140.00", "700.00")],
    ),
    "unit_of_measure": (
        HEAD
        + [
            "Description|Qty|Unit|Rate|Amount",
            "Cement bags|10|Nos|380.00|3,800.00",
            "Labour|8|hrs|50.00|400.00",
            "|||Grand Total|Rs. 4,200.00",
        ],
        "invoice",
        [("Cement bags", 10, "380.00", "3800.00"), ("Labour", 8, "50.00", "400.00")],
    ),
    "till_counts": (
        [
            "CORNER CAFE",
            "12/01/2026",
            "2 x Latte 4.50|9.00",
            "Croissant x3|10.50",
            "Muffin|3.50",
            "TOTAL|23.00",
        ],
        "receipt",
        [
            ("Latte", 2, "4.50", "9.00"),
            ("Croissant", 3, "3.50", "10.50"),
            ("Muffin", 1, "3.50", "3.50"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_quantity_and_unit_price_columns(name, write_doc, local, billing_pdf):
    lines, doc_type, expected = CASES[name]
    pdf = billing_pdf(lines, width=80 if doc_type == "receipt" else 210)
    result = local.extract(write_doc(f"{name}.pdf", pdf), PROMPT, doc_type)
    got = [
        (i["description"], i["quantity"], Decimal(str(i["unit_price"])), Decimal(str(i["amount"])))
        for i in result["line_items"]
    ]
    assert got == [(d, q, Decimal(p), Decimal(a)) for d, q, p, a in expected]


def _two_page_invoice() -> bytes:
    """A German invoice whose items table goes on over the page after an 'Übertrag' line."""
    from fpdf import FPDF

    first = [
        "Nordlicht IT-Service GmbH",
        "Rechnung Nr. 2026-0311",
        "Datum: 03.03.2026",
        "Pos.|Bezeichnung|Menge|Einzelpreis|Gesamt",
        *[f"{i}|Wartung Server {i}|1|100,00|100,00" for i in range(1, 16)],
        "|Übertrag||1.500,00 EUR",
    ]
    second = [
        "Rechnung Nr. 2026-0311, Seite 2 von 2",
        "|Übertrag||1.500,00 EUR",
        "16|Wartung Server 16|2|50,00|100,00",
        "|Nettobetrag||1.600,00 EUR",
        "|MwSt. 19 %||304,00 EUR",
        "|Gesamtbetrag||1.904,00 EUR",
        "USt-IdNr. DE298765432",
    ]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for lines in (first, second):
        pdf.add_page()
        pdf.set_font("dejavu", "", 10)
        for row, line in enumerate(lines):
            for col, part in enumerate(line.split("|")):
                if part:
                    pdf.set_xy(15 + (0, 15, 90, 120, 155)[col], 15 + 7 * row)
                    pdf.cell(pdf.get_string_width(part) + 1, 5, part)
    return bytes(pdf.output())


def test_items_table_goes_on_over_the_page(write_doc, local):
    result = local.extract(write_doc("two-pages.pdf", _two_page_invoice()), PROMPT, "invoice")
    items = result["line_items"]
    assert [i["description"] for i in items] == [f"Wartung Server {i}" for i in range(1, 17)]
    assert items[-1]["quantity"] == 2 and items[-1]["unit_price"] == 50.0
    assert result["data"]["total"] == 1904.0
