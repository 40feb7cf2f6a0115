"""Build a labelled evaluation set of business documents (PDFs and photographed pages).

Deterministic for a given seed. Writes the files and ``labels.json`` into the output folder:

    python engine/tests/data/make_eval_set.py --out /tmp/ingestio-eval --seed 7

Each label names the file, its content type, its document type, the prompt to run and the
expected values (amounts as strings with two decimals, dates in ISO 8601).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter

CENT = Decimal("0.01")
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)

COMPANY_A = ["Northwind", "Bluefin", "Crescent", "Silverline", "Oakridge", "Harbor", "Vertex",
             "Maple & Finch", "Greenleaf", "Ironwood", "Summit", "Lakeside", "Brightstone",
             "Redwood", "Falcon", "Cobalt", "Meridian", "Juniper", "Atlas", "Pinecrest"]  # fmt: skip
COMPANY_B = ["Supplies", "Consulting", "Logistics", "Design Studio", "Engineering", "Trading",
             "Software", "Print Works", "Office Solutions", "Catering", "Electrics", "Analytics"]  # fmt: skip
SUFFIX = ["Ltd", "LLC", "Inc.", "GmbH", "B.V.", "S.A.", "Pty Ltd", "plc", "Corp.", "SARL"]
STORES = ["FRESH MART", "CITY GROCER", "CAFE LUNA", "CORNER BAKERY", "QUICKSTOP", "GREEN BASKET",
          "THE DAILY GRIND", "METRO PHARMACY", "SUNRISE DINER", "HARDWARE HUB", "BOOK NOOK",
          "PIZZA PALACE"]  # fmt: skip
FIRST = ["Anna", "James", "Sofia", "Liam", "Mia", "Noah", "Emma", "Lucas", "Olivia", "Ethan",
         "Clara", "Jonas", "Elena", "David", "Laura", "Marco"]  # fmt: skip
LAST = ["Schmidt", "Johnson", "Rossi", "Dubois", "Novak", "Garcia", "Smith", "Kowalski", "Berg",
        "Jensen", "Moreau", "Brown", "Fischer", "Lopez", "Martin", "Walker"]  # fmt: skip
STREETS = ["Market Street", "High Street", "Oak Avenue", "Station Road", "Hauptstrasse",
           "Rue de la Paix", "King Street", "Elm Drive", "Harbour Lane", "Mill Road"]  # fmt: skip
CITIES = [("London", "EC1A 1BB"), ("Berlin", "10115"), ("Paris", "75002"), ("Austin, TX", "78701"),
          ("Amsterdam", "1012 AB"), ("Dublin", "D02 X285"), ("Madrid", "28013"), ("Zurich", "8001"),
          ("Toronto, ON", "M5H 2N2"), ("Vienna", "1010")]  # fmt: skip
SERVICES = ["Consulting services", "Website maintenance", "Logo design", "Cloud hosting (monthly)",
            "Software licence", "Technical support", "Project management", "Data migration",
            "Training workshop", "Office chairs", "A4 copy paper (box)", "Toner cartridge",
            "Network switch 24-port", "USB-C cable 2m", "Standing desk", "Translation services",
            "Photography session", "Security audit", "Shipping boxes (pack of 50)",
            "Monitor 27 inch"]  # fmt: skip
GROCERIES = ["Milk 1L", "Bread", "Eggs 12pk", "Bananas", "Coffee", "Cappuccino", "Croissant",
             "Orange juice", "Apples 1kg", "Cheddar", "Pasta 500g", "Tomatoes", "Chicken breast",
             "Water 1.5L", "Yoghurt", "Bagel", "Muffin", "Tea", "Chocolate bar", "Rice 1kg",
             "Shampoo", "Toothpaste", "Batteries AA", "Notebook"]  # fmt: skip

# (currency code, symbol, amount style, date style, slash order)
LOCALES = [
    ("USD", "$", "us", "mdy", "mdy"),
    ("USD", "$", "us", "long_en", "mdy"),
    ("EUR", "€", "eu", "dmy_dot", "dmy"),
    ("EUR", "€", "eu", "d_mon_y", "dmy"),
    ("EUR", "EUR", "us", "iso", "dmy"),
    ("GBP", "£", "us", "dmy", "dmy"),
    ("GBP", "£", "us", "d_mon_y", "dmy"),
    ("CHF", "CHF", "ch", "dmy_dot", "dmy"),
    ("CAD", "CAD", "us", "iso", "dmy"),
    ("EUR", "€", "fr", "dmy", "dmy"),
]


def money(x: float | Decimal) -> Decimal:
    """Round to cents."""
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_number(v: Decimal, style: str) -> str:
    """A number written the way the locale writes it."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, frac = f"{v:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if style == "eu":
        return sign + ".".join(groups) + "," + frac
    if style == "fr":
        return sign + " ".join(groups) + "," + frac
    if style == "ch":
        return sign + "'".join(groups) + "." + frac
    return sign + ",".join(groups) + "." + frac


def fmt_money(v: Decimal, loc: tuple, *, with_currency: bool = True) -> str:
    """An amount with its currency sign or code in the locale's usual place."""
    code, sym, style, _, _ = loc
    num = fmt_number(v, style)
    if not with_currency:
        return num
    if sym in ("$", "£"):
        return f"{sym}{num}"
    if sym == "€":
        return f"{num} €" if style in ("eu", "fr") else f"€{num}"
    return f"{sym} {num}"


def fmt_date(d: date, style: str) -> str:
    """A date in one of the usual written formats."""
    if style == "iso":
        return d.isoformat()
    if style == "dmy":
        return d.strftime("%d/%m/%Y")
    if style == "mdy":
        return d.strftime("%m/%d/%Y")
    if style == "dmy_dot":
        return d.strftime("%d.%m.%Y")
    if style == "long_en":
        return d.strftime("%B ") + str(d.day) + d.strftime(", %Y")
    if style == "d_mon_y":
        return f"{d.day} {d.strftime('%b %Y')}"
    if style == "d_mon_y_dash":
        return d.strftime("%d-%b-%Y")
    return d.isoformat()


@dataclass
class Doc:
    """One generated document and its expected values."""

    name: str
    dtype: str
    mime: str = "application/pdf"
    prompt: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    line_items: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "text"  # text | ocr


class Pdf(FPDF):
    """FPDF with the Windows-1252 core font encoding (so € and accents print)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_creation_date(FIXED_TIME)  # same bytes on every run
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(False)
        self.set_margins(15, 15, 15)

    def text_at(self, x: float, y: float, w: float, text: str, *, align: str = "L", size=10,
                style: str = "", font: str | None = None, h: float = 5) -> None:  # fmt: skip
        """Write one line of text in a box at a position."""
        if font:
            self.set_font(font, style, size)
        else:
            self.set_font(self.font_family or "helvetica", style, size)
        self.set_xy(x, y)
        self.cell(w, h, text, align=align)


def _vendor(rng: random.Random) -> str:
    """A company name."""
    return f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(SUFFIX)}"


def _person(rng: random.Random) -> str:
    """A person's name."""
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _address(rng: random.Random) -> tuple[str, str]:
    """Street line and city line."""
    city, postcode = rng.choice(CITIES)
    return f"{rng.randint(1, 220)} {rng.choice(STREETS)}", f"{postcode} {city}"


def _items(rng: random.Random, n: int, pool: list[str], price_range=(5, 900)) -> list[dict]:
    """Line items with quantities, unit prices and amounts."""
    names = rng.sample(pool, n)
    out = []
    for name in names:
        qty = rng.choice([1, 1, 1, 2, 3, 4, 5, 10, 12])
        price = money(rng.uniform(*price_range))
        out.append(
            {
                "description": name,
                "quantity": qty,
                "unit_price": price,
                "amount": money(price * qty),
            }
        )
    return out


def _item_labels(items: list[dict]) -> list[dict]:
    """Line items as stored in labels (JSON-friendly)."""
    return [
        {
            "description": it["description"],
            "quantity": it["quantity"],
            "unit_price": str(it["unit_price"]),
            "amount": str(it["amount"]),
        }  # fmt: skip
        for it in items
    ]


# ---------------------------------------------------------------- invoices


def make_invoice(rng: random.Random, layout: int, loc: tuple) -> tuple[bytes, dict]:
    """An invoice PDF in one of five layouts; returns the bytes and the expected values."""
    code, sym, style, dstyle, _ = loc
    font = rng.choice(["helvetica", "times", "helvetica", "courier"])
    vendor = _vendor(rng)
    customer = f"{rng.choice(COMPANY_A)} {rng.choice(['Holdings', 'Partners', 'Group', 'Foods'])} {rng.choice(SUFFIX)}"
    street, city = _address(rng)
    cstreet, ccity = _address(rng)
    issue = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    due = issue + timedelta(days=rng.choice([14, 30, 45]))
    number = rng.choice([
        f"INV-{issue.year}-{rng.randint(1, 9999):04d}", f"{rng.randint(10000, 99999)}",
        f"{issue.year}/{rng.randint(100, 999)}", f"F{rng.randint(100000, 999999)}",
        f"INV{rng.randint(1000, 9999)}", f"A-{rng.randint(100, 9999)}",
    ])  # fmt: skip
    items = _items(rng, rng.randint(1, 6), SERVICES)
    subtotal = money(sum(it["amount"] for it in items))
    rate = rng.choice([0, 5, 7, 8.25, 10, 19, 20, 21])
    tax = money(subtotal * Decimal(str(rate)) / 100)
    shipping = money(rng.choice([0, 0, 0, 9.95, 25]))
    total = money(subtotal + tax + shipping)
    pdf = Pdf(format=rng.choice(["A4", "Letter"]))
    pdf.add_page()
    pdf.set_font(font, "", 10)
    W = pdf.w
    m = lambda v: fmt_money(v, loc)  # noqa: E731
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    po = f"PO-{rng.randint(1000, 9999)}"
    cust_id = f"C-{rng.randint(100, 999)}"
    y_items = 100.0
    if layout == 0:
        pdf.text_at(15, 15, 100, vendor, size=16, style="B")
        pdf.text_at(15, 23, 100, street, size=9)
        pdf.text_at(15, 28, 100, city, size=9)
        pdf.text_at(
            15, 33, 100, f"Tel: +44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", size=9
        )
        pdf.text_at(15, 38, 100, f"billing@{vendor.split()[0].lower()}.example", size=9)
        pdf.text_at(W - 95, 15, 80, "INVOICE", size=22, style="B", align="R")
        rows = [("Invoice No:", number), ("Invoice Date:", d(issue)), ("Due Date:", d(due)),
                ("PO Number:", po)]  # fmt: skip
        for i, (k, v) in enumerate(rows):
            pdf.text_at(W - 95, 28 + i * 6, 40, k, size=10)
            pdf.text_at(W - 55, 28 + i * 6, 40, v, size=10, align="R")
        pdf.text_at(15, 55, 60, "Bill To:", size=10, style="B")
        for i, t in enumerate([customer, cstreet, ccity]):
            pdf.text_at(15, 61 + i * 5, 90, t, size=10)
        headers = ["Description", "Qty", "Unit Price", "Amount"]
    elif layout == 1:
        pdf.text_at(15, 15, 120, "Invoice", size=24, style="B")
        pdf.text_at(W - 95, 15, 80, vendor, size=11, style="B", align="R")
        pdf.text_at(W - 95, 21, 80, street, size=9, align="R")
        pdf.text_at(W - 95, 26, 80, city, size=9, align="R")
        heads = ["Invoice #", "Date", "Due Date", "Amount Due"]
        vals = [number, d(issue), d(due), m(total)]
        for i, (h, v) in enumerate(zip(heads, vals, strict=True)):
            pdf.text_at(15 + i * 45, 40, 44, h, size=9, style="B")
            pdf.text_at(15 + i * 45, 46, 44, v, size=10)
        pdf.text_at(15, 60, 60, "Billed to", size=9, style="B")
        pdf.text_at(15, 65, 90, customer, size=10)
        pdf.text_at(15, 70, 90, f"Customer ID: {cust_id}", size=9)
        headers = ["Item", "Hours", "Rate", "Line Total"]
    elif layout == 2:
        pdf.text_at(15, 15, 120, vendor.upper(), size=14, style="B")
        pdf.text_at(15, 22, 120, f"{street}, {city}", size=9)
        pdf.text_at(15, 27, 120, f"VAT Reg No: GB{rng.randint(100000000, 999999999)}", size=9)
        pdf.text_at(15, 40, 120, "TAX INVOICE", size=13, style="B")
        rows = [("Invoice Number", number), ("Issue date", d(issue)), ("Order date", d(issue - timedelta(days=3))),
                ("Payment terms", "30 days")]  # fmt: skip
        for i, (k, v) in enumerate(rows):
            pdf.text_at(15, 48 + i * 5.5, 40, k, size=10)
            pdf.text_at(58, 48 + i * 5.5, 60, v, size=10)
        pdf.text_at(W - 80, 48, 65, "Invoice to", size=10, style="B")
        pdf.text_at(W - 80, 54, 65, customer, size=10)
        pdf.text_at(W - 80, 59, 65, cstreet, size=10)
        headers = ["Qty", "Description", "Price", "Total"]
    elif layout == 3:
        pdf.text_at(15, 15, 100, vendor, size=13, style="B")
        pdf.text_at(15, 21, 100, f"{street} · {city}", size=8)
        pdf.text_at(15, 45, 100, "Rechnung", size=18, style="B")
        pdf.text_at(15, 58, 60, customer, size=10)
        pdf.text_at(15, 63, 60, cstreet, size=10)
        pdf.text_at(15, 68, 60, ccity, size=10)
        rows = [("Rechnungsnummer:", number), ("Rechnungsdatum:", d(issue)), ("Lieferdatum:", d(issue - timedelta(days=1))),
                ("Kundennummer:", cust_id)]  # fmt: skip
        for i, (k, v) in enumerate(rows):
            pdf.text_at(W - 95, 55 + i * 5.5, 40, k, size=9)
            pdf.text_at(W - 55, 55 + i * 5.5, 40, v, size=9, align="R")
        headers = ["Pos", "Bezeichnung", "Menge", "Einzelpreis", "Gesamt"]
    else:
        pdf.text_at(15, 15, 100, vendor, size=15, style="B")
        pdf.text_at(15, 22, 100, f"{street}, {city}", size=9)
        pdf.text_at(W - 95, 15, 80, f"Bill No. {number}", size=11, style="B", align="R")
        pdf.text_at(W - 95, 22, 80, f"Date: {d(issue)}", size=10, align="R")
        pdf.text_at(W - 95, 28, 80, f"Payment due: {d(due)}", size=10, align="R")
        pdf.text_at(15, 45, 150, f"Customer: {customer}, {ccity}", size=10)
        pdf.text_at(15, 51, 150, f"Your reference: {po}", size=10)
        headers = ["Service", "Quantity", "Unit Cost", "Amount"]
    # Items table.
    widths = {4: [95, 20, 32, 33], 5: [12, 83, 20, 32, 33]}[len(headers)]
    if headers[0] == "Qty":
        widths = [20, 95, 32, 33]
    x0 = 15
    pdf.set_font(font, "B", 10)
    pdf.set_xy(x0, y_items)
    border = rng.choice([0, 1, "B"])
    for h, w in zip(headers, widths, strict=True):
        align = "L" if h in ("Description", "Item", "Bezeichnung", "Service", "Pos") else "R"
        pdf.cell(w, 7, h, border=border, align=align)
    pdf.set_font(font, "", 10)
    y = y_items + 8
    for n, it in enumerate(items, 1):
        pdf.set_xy(x0, y)
        qty = str(it["quantity"])
        price, amount = (
            fmt_money(it["unit_price"], loc, with_currency=False),
            fmt_money(it["amount"], loc, with_currency=False),
        )
        if headers[0] == "Qty":
            cells = [qty, it["description"], price, amount]
            aligns = ["R", "L", "R", "R"]
        elif len(headers) == 5:
            cells = [str(n), it["description"], qty, price, amount]
            aligns = ["L", "L", "R", "R", "R"]
        else:
            cells = [it["description"], qty, price, amount]
            aligns = ["L", "R", "R", "R"]
        for c, w, a in zip(cells, widths, aligns, strict=True):
            pdf.cell(w, 6, c, border=1 if border == 1 else 0, align=a)
        y += 6.5
    # Totals.
    y += 4
    tx = W - 95
    labels_total = {
        0: "Total",
        1: "Total Due",
        2: "TOTAL " + code,
        3: "Gesamtbetrag",
        4: "Amount payable",
    }[layout]
    rows = [("Subtotal" if layout != 3 else "Zwischensumme", subtotal),
            ((f"VAT {rate}%" if layout != 3 else f"MwSt. {rate}%") if layout != 1 else f"Tax ({rate}%)", tax)]  # fmt: skip
    if shipping:
        rows.append(("Shipping" if layout != 3 else "Versand", shipping))
    rows.append((labels_total, total))
    if layout in (1, 4) and rng.random() < 0.5:
        rows.append(("Amount paid", money(0)))
    for k, v in rows:
        bold = "B" if v == total and k == labels_total else ""
        pdf.text_at(tx, y, 45, k, size=10, style=bold)
        pdf.text_at(tx + 45, y, 35, m(v), size=10, style=bold, align="R")
        y += 6
    y += 8
    iban = rng.choice(
        [
            "DE89370400440532013000",
            "GB29NWBK60161331926819",
            "NL91ABNA0417164300",
            "FR1420041010050500013M02606",
        ]
    )
    pdf.text_at(
        15,
        y,
        180,
        f"Please pay within 30 days. IBAN: {iban}  BIC: {rng.choice(['COBADEFFXXX', 'NWBKGB2L', 'ABNANL2A'])}",
        size=8,
    )
    pdf.text_at(
        15,
        y + 5,
        180,
        f"Questions? Call +1 (555) {rng.randint(100, 999)}-{rng.randint(1000, 9999)} - thank you for your business.",
        size=8,
    )
    labels = {
        "invoice_number": number,
        "date": issue.isoformat(),
        "due_date": due.isoformat(),
        "total": str(total),
        "subtotal": str(subtotal),
        "tax": str(tax),
        "currency": code,
        "vendor": vendor if layout != 2 else vendor.upper(),
    }
    if layout in (2, 3):
        # These layouts print payment terms or a delivery date, not a due date.
        labels["due_date"] = None
    return bytes(pdf.output()), {"fields": labels, "line_items": _item_labels(items)}


def make_invoice_b(rng: random.Random, layout: int, loc: tuple) -> tuple[bytes, dict]:
    """Invoices laid out like common billing tools, and a French and a two-page one."""
    code, sym, style, dstyle, _ = loc
    vendor = _vendor(rng)
    customer = _person(rng)
    street, city = _address(rng)
    issue = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    due = issue + timedelta(days=30)
    n_items = 24 if layout == 3 else rng.randint(2, 5)
    items = _items(rng, min(n_items, len(SERVICES)), SERVICES, (5, 400))
    if layout == 3:
        items = items + _items(rng, n_items - len(items), SERVICES, (5, 400))
    subtotal = money(sum(it["amount"] for it in items))
    rate = rng.choice([0, 10, 20])
    tax = money(subtotal * Decimal(rate) / 100)
    total = money(subtotal + tax)
    m = lambda v: fmt_money(v, loc)  # noqa: E731
    n = lambda v: fmt_money(v, loc, with_currency=False)  # noqa: E731
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    pdf = Pdf(format="Letter" if code == "USD" else "A4")
    pdf.add_page()
    pdf.set_font("helvetica", "", 10)
    due_label = due.isoformat()
    if layout == 0:
        # Billing-platform style: label column and value column, a sentence with the amount.
        number = f"{rng.choice('ABCDEFGH')}{rng.randint(1000000, 9999999)}-{rng.randint(1, 20):04d}"
        pdf.text_at(15, 15, 100, "Invoice", size=20, style="B")
        for i, (k, v) in enumerate(
            [("Invoice number", number), ("Date of issue", d(issue)), ("Date due", d(due))]
        ):
            pdf.text_at(15, 28 + i * 5, 35, k, size=9)
            pdf.text_at(50, 28 + i * 5, 60, v, size=9)
        pdf.text_at(15, 50, 80, vendor, size=10, style="B")
        pdf.text_at(15, 55, 80, street, size=9)
        pdf.text_at(15, 60, 80, city, size=9)
        pdf.text_at(110, 50, 80, "Bill to", size=10, style="B")
        pdf.text_at(110, 55, 80, customer, size=9)
        pdf.text_at(
            15, 75, 180, f"{m(total)} {code} due {fmt_date(due, 'long_en')}", size=14, style="B"
        )
        pdf.text_at(
            15, 83, 180, "Pay online at https://pay.example.com/i/" + number.lower(), size=9
        )
        heads = [
            ("Description", 15, 95, "L"),
            ("Qty", 110, 20, "R"),
            ("Unit price", 130, 30, "R"),
            ("Amount", 160, 35, "R"),
        ]
        y = 98.0
    elif layout == 1:
        # Accounting-package style: caps labels, a date column in the items table.
        number = str(rng.randint(1001, 1999))
        pdf.text_at(15, 15, 100, vendor, size=12, style="B")
        pdf.text_at(15, 21, 100, f"{street}, {city}", size=9)
        pdf.text_at(15, 35, 100, "INVOICE", size=16, style="B")
        pdf.text_at(15, 45, 60, "BILL TO", size=8, style="B")
        pdf.text_at(15, 50, 60, customer, size=9)
        pdf.text_at(80, 45, 60, "SHIP TO", size=8, style="B")
        pdf.text_at(80, 50, 60, customer, size=9)
        for i, (k, v) in enumerate(
            [("INVOICE #", number), ("DATE", d(issue)), ("DUE DATE", d(due)), ("TERMS", "Net 30")]
        ):
            pdf.text_at(145, 45 + i * 5, 25, k, size=8, style="B")
            pdf.text_at(170, 45 + i * 5, 25, v, size=9)
        heads = [
            ("DATE", 15, 25, "L"),
            ("DESCRIPTION", 40, 75, "L"),
            ("QTY", 115, 15, "R"),
            ("RATE", 130, 30, "R"),
            ("AMOUNT", 160, 35, "R"),
        ]
        y = 75.0
    elif layout == 2:
        # French invoice: HT / TVA / TTC.
        number = f"F-{issue.year}-{rng.randint(1, 999):03d}"
        pdf.text_at(15, 15, 100, vendor, size=13, style="B")
        pdf.text_at(15, 21, 100, f"{street}, {city}", size=9)
        pdf.text_at(
            15, 26, 100, f"SIRET 123 456 789 00012 - TVA FR{rng.randint(10, 99)}123456789", size=8
        )
        pdf.text_at(130, 15, 65, "FACTURE", size=18, style="B", align="R")
        pdf.text_at(130, 27, 65, f"Facture N° {number}", size=10, align="R")
        pdf.text_at(130, 33, 65, f"Date : {fmt_date(issue, 'dmy')}", size=10, align="R")
        pdf.text_at(130, 39, 65, f"Échéance : {fmt_date(due, 'dmy')}", size=10, align="R")
        pdf.text_at(15, 45, 80, "Client :", size=10, style="B")
        pdf.text_at(15, 50, 80, customer, size=10)
        heads = [
            ("Désignation", 15, 95, "L"),
            ("Qté", 110, 20, "R"),
            ("Prix unitaire HT", 130, 32, "R"),
            ("Montant HT", 162, 33, "R"),
        ]
        y = 70.0
        loc = ("EUR", "€", "fr", dstyle, "dmy")
        m = lambda v: fmt_money(v, loc)  # noqa: E731
        n = lambda v: fmt_money(v, loc, with_currency=False)  # noqa: E731
    else:
        # Two pages: the table continues, totals on the last page.
        number = f"{issue.year}-{rng.randint(10000, 99999)}"
        pdf.text_at(15, 15, 100, vendor, size=14, style="B")
        pdf.text_at(130, 15, 65, "INVOICE", size=16, style="B", align="R")
        pdf.text_at(130, 24, 65, f"Invoice Number: {number}", size=9, align="R")
        pdf.text_at(130, 29, 65, f"Invoice Date: {d(issue)}", size=9, align="R")
        pdf.text_at(130, 34, 65, f"Order No: {rng.randint(100000, 999999)}", size=9, align="R")
        pdf.text_at(15, 40, 80, f"Customer: {customer}", size=9)
        heads = [
            ("Description", 15, 95, "L"),
            ("Qty", 110, 20, "R"),
            ("Unit price", 130, 30, "R"),
            ("Amount", 160, 35, "R"),
        ]
        y = 55.0
        due_label = None

    def header(y0: float) -> None:
        for h, x, w, a in heads:
            pdf.text_at(x, y0, w, h, size=9, style="B", align=a)

    header(y)
    for i, it in enumerate(items):
        y += 6
        if y > pdf.h - 30:
            pdf.text_at(15, pdf.h - 15, 180, "Continued on next page", size=8)
            pdf.add_page()
            y = 20.0
            header(y)
            y += 6
        cells = [it["description"], str(it["quantity"]), n(it["unit_price"]), n(it["amount"])]
        if len(heads) == 5:
            cells = [fmt_date(issue - timedelta(days=i % 5), dstyle)] + cells
        for (_, x, w, a), c in zip(heads, cells, strict=True):
            pdf.text_at(x, y, w, c, size=9, align=a)
    y += 10
    if layout == 2:
        rows = [
            ("Total HT", subtotal),
            (f"TVA {rate} %", tax),
            ("Total TTC", total),
            ("Net à payer", total),
        ]
    elif layout == 1:
        rows = [("SUBTOTAL", subtotal), ("TAX", tax), ("TOTAL", total), ("BALANCE DUE", total)]
    elif layout == 0:
        rows = [
            ("Subtotal", subtotal),
            (f"Tax ({rate}%)", tax),
            ("Total", total),
            ("Amount due", total),
        ]
    else:
        rows = [("Net total", subtotal), (f"VAT {rate}%", tax), ("Invoice total", total)]
    for k, v in rows:
        pdf.text_at(120, y, 40, k, size=10, style="B" if v == total else "")
        pdf.text_at(
            160, y, 35, m(v) if layout in (0, 2) or v == total else n(v), size=10, align="R"
        )
        y += 6
    labels = {
        "invoice_number": number,
        "date": issue.isoformat(),
        "due_date": due_label,
        "total": str(total),
        "subtotal": str(subtotal),
        "tax": str(tax),
        "currency": loc[0],
        "vendor": vendor,
    }
    return bytes(pdf.output()), {"fields": labels, "line_items": _item_labels(items)}


def make_till_tax_invoice(rng: random.Random, loc: tuple) -> tuple[bytes, dict]:
    """A till receipt headed 'TAX INVOICE' with GST, rounding and ringgit amounts."""
    store = f"{rng.choice(['KEDAI', 'SYARIKAT', 'PASAR'])} {rng.choice(['MAJU', 'JAYA', 'SENTOSA'])} SDN BHD"
    when = date(2018, 1, 1) + timedelta(days=rng.randint(0, 700))
    items = _items(rng, rng.randint(2, 5), GROCERIES, (1, 30))
    subtotal = money(sum(it["amount"] for it in items))
    gst = money(subtotal * Decimal("0.06"))
    total = money(subtotal + gst)
    rounded = (total * 20).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 20
    rounded = money(rounded)
    number = f"CS{rng.randint(10000000, 99999999)}"
    lines = [
        (store, "C"),
        (f"(GST REG NO : 000{rng.randint(100000000, 999999999)})", "C"),
        (f"NO. {rng.randint(1, 99)}, JALAN {rng.choice(['BESAR', 'MERDEKA', 'PUCHONG'])}", "C"),
        ("TAX INVOICE", "C"),
        (f"INVOICE NO : {number}", "L"),
        (
            f"DATE : {when.strftime('%d/%m/%Y')}  {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
            "L",
        ),
        ("CASHIER : 01", "L"),
        ("QTY  DESCRIPTION|AMT", "LR"),
    ]
    for it in items:
        lines.append(
            (f"{it['quantity']} {it['description']}|{fmt_number(it['amount'], 'us')}", "LR")
        )
    lines += [
        (f"TOTAL SALES (EXCL GST)|{fmt_number(subtotal, 'us')}", "LR"),
        (f"GST 6%|{fmt_number(gst, 'us')}", "LR"),
        (f"TOTAL INCL GST|{fmt_number(total, 'us')}", "LR"),
        (f"ROUNDING ADJ|{fmt_number(rounded - total, 'us')}", "LR"),
        (f"TOTAL ROUNDED|RM{fmt_number(rounded, 'us')}", "LRB"),
        (f"CASH|{fmt_number(money(math.ceil(float(rounded))), 'us')}", "LR"),
        (f"CHANGE|{fmt_number(money(math.ceil(float(rounded))) - rounded, 'us')}", "LR"),
        ("GOODS SOLD ARE NOT RETURNABLE", "C"),
        ("THANK YOU. PLEASE COME AGAIN", "C"),
    ]
    pdf = Pdf(format=(80, 40 + 5 * len(lines)))
    pdf.set_margins(4, 4, 4)
    pdf.add_page()
    y = 6.0
    for text, align in lines:
        bold = "B" if "B" in align else ""
        if "|" in text:
            left, right = text.split("|")
            pdf.text_at(4, y, 50, left, size=8, style=bold, font="courier")
            pdf.text_at(44, y, 32, right, size=8, style=bold, font="courier", align="R")
        else:
            pdf.text_at(4, y, 72, text, size=8, style=bold, font="courier", align=align[0])
        y += 5
    labels = {
        "receipt_number": number,
        "date": when.isoformat(),
        "total": str(rounded),
        "currency": "MYR",
        "vendor": store,
    }
    return bytes(pdf.output()), {"fields": labels, "line_items": _item_labels(items)}


def photo_12mp(img: Image.Image, rng: random.Random) -> Image.Image:
    """A render placed in a 3024 x 4032 frame like a phone camera's full-size photo."""
    frame = Image.new("RGB", (3024, 4032), (70, 60, 50))
    scale = min(2600 / img.width, 3700 / img.height)
    img = img.resize((int(img.width * scale), int(img.height * scale)), Image.Resampling.BICUBIC)
    frame.paste(img, ((3024 - img.width) // 2, (4032 - img.height) // 2))
    return photograph(frame, rng, background=False)


# ---------------------------------------------------------------- receipts


def make_receipt(rng: random.Random, variant: int, loc: tuple) -> tuple[bytes, dict]:
    """A till receipt on a narrow page; returns the PDF bytes and the expected values."""
    code, sym, style, dstyle, _ = loc
    store = rng.choice(STORES)
    street, city = _address(rng)
    if dstyle == "mdy":
        # Month-first dates go with a US address, as on real receipts.
        city = rng.choice(["Austin, TX 78701", "Denver, CO 80202", "Boston, MA 02108"])
    when = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    items = _items(rng, rng.randint(2, 7), GROCERIES, (0.5, 25))
    for it in items:
        it["quantity"] = rng.choice([1, 1, 1, 2, 3])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    subtotal = money(sum(it["amount"] for it in items))
    tax_rate = rng.choice([0, 7, 8, 10, 20])
    tax_included = variant % 2 == 1
    tax = (
        money(subtotal * Decimal(tax_rate) / (100 + tax_rate))
        if tax_included
        else money(subtotal * Decimal(tax_rate) / 100)
    )
    total = subtotal if tax_included else money(subtotal + tax)
    number = rng.choice(
        [
            f"{rng.randint(1000, 99999)}",
            f"R{rng.randint(100000, 999999)}",
            f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        ]
    )
    lines: list[tuple[str, str]] = []
    font = "courier" if variant != 2 else "helvetica"
    n = lambda v: fmt_number(v, style)  # noqa: E731
    lines.append((store, "C"))
    lines.append((street, "C"))
    lines.append((city, "C"))
    lines.append(
        (f"Tel {rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", "C")
    )
    lines.append(("", "L"))
    tlabel = rng.choice(["Receipt #:", "Receipt No.", "Trans #", "Invoice No:", "Bon-Nr:"])
    lines.append(
        (f"{fmt_date(when, dstyle)}  {rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}", "L")
    )
    lines.append((f"{tlabel} {number}", "L"))
    lines.append((f"Cashier: {rng.choice(FIRST)}", "L"))
    lines.append(("-" * 32, "L"))
    for it in items:
        if it["quantity"] > 1 and variant in (0, 3):
            lines.append((it["description"], "L"))
            lines.append((f"  {it['quantity']} x {n(it['unit_price'])}|{n(it['amount'])}", "LR"))
        elif it["quantity"] > 1:
            lines.append(
                (
                    f"{it['quantity']} x {it['description']} @ {n(it['unit_price'])}|{n(it['amount'])}",
                    "LR",
                )
            )
        else:
            lines.append((f"{it['description']}|{n(it['amount'])}", "LR"))
    lines.append(("-" * 32, "L"))
    lines.append((f"SUBTOTAL|{n(subtotal)}", "LR"))
    if tax_rate:
        lines.append((f"{'incl. ' if tax_included else ''}TAX {tax_rate}%|{n(tax)}", "LR"))
    tot_label = rng.choice(["TOTAL", "TOTAL " + code, "Total", "AMOUNT DUE", "TOTAL " + sym])
    lines.append((f"{tot_label}|{n(total)}", "LRB"))
    paid_cash = variant % 3 == 0
    if paid_cash:
        cash = money(math.ceil(float(total) / 10) * 10 + rng.choice([0, 10]))
        lines.append((f"CASH|{n(cash)}", "LR"))
        lines.append((f"CHANGE|{n(cash - total)}", "LR"))
    else:
        lines.append((f"VISA **** {rng.randint(1000, 9999)}|{n(total)}", "LR"))
        lines.append((f"AUTH CODE {rng.randint(100000, 999999)}", "L"))
    lines.append(("", "L"))
    lines.append(("THANK YOU FOR SHOPPING!", "C"))
    height = 30 + 5 * len(lines)
    pdf = Pdf(format=(80, height))
    pdf.set_margins(4, 4, 4)
    pdf.add_page()
    y = 6.0
    for text, align in lines:
        size = 9 if font == "courier" else 9
        bold = "B" if "B" in align or text == store else ""
        if "R" in align and "|" in text:
            left, right = text.split("|")
            pdf.text_at(4, y, 50, left, size=size, style=bold, font=font)
            pdf.text_at(44, y, 32, right, size=size, style=bold, font=font, align="R")
        else:
            pdf.text_at(4, y, 72, text, size=size + (2 if text == store else 0), style=bold, font=font,
                        align="C" if align == "C" else "L")  # fmt: skip
        y += 5
    labels = {
        "receipt_number": number,
        "date": when.isoformat(),
        "total": str(total),
        "currency": code,
        "vendor": store,
    }
    # A receipt that shows no currency sign or code has no currency to find.
    if sym not in tot_label and code not in tot_label:
        labels["currency"] = None
    return bytes(pdf.output()), {"fields": labels, "line_items": _item_labels(items)}


# ---------------------------------------------------------------- other document types


def make_po(rng: random.Random, loc: tuple) -> tuple[bytes, dict]:
    """A purchase order."""
    code, sym, style, dstyle, _ = loc
    buyer = _vendor(rng)
    vendor = _vendor(rng)
    order = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    delivery = order + timedelta(days=rng.randint(5, 40))
    number = f"PO-{rng.randint(10000, 99999)}"
    items = _items(rng, rng.randint(2, 5), SERVICES, (10, 500))
    total = money(sum(it["amount"] for it in items))
    pdf = Pdf(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "", 10)
    pdf.text_at(15, 15, 120, buyer, size=14, style="B")
    pdf.text_at(120, 15, 75, "PURCHASE ORDER", size=16, style="B", align="R")
    for i, (k, v) in enumerate([("PO Number:", number), ("Order Date:", fmt_date(order, dstyle)),
                                ("Delivery Date:", fmt_date(delivery, dstyle))]):  # fmt: skip
        pdf.text_at(120, 26 + i * 6, 35, k)
        pdf.text_at(155, 26 + i * 6, 40, v, align="R")
    pdf.text_at(15, 50, 80, "Vendor:", style="B")
    pdf.text_at(15, 56, 80, vendor)
    pdf.text_at(110, 50, 80, "Ship To:", style="B")
    pdf.text_at(110, 56, 80, buyer)
    pdf.text_at(110, 61, 80, " ".join(_address(rng)))
    y = 80.0
    for h, x, w, a in [
        ("Item", 15, 95, "L"),
        ("Qty", 110, 20, "R"),
        ("Unit Price", 130, 30, "R"),
        ("Amount", 160, 35, "R"),
    ]:
        pdf.text_at(x, y, w, h, style="B", align=a)
    for it in items:
        y += 6
        pdf.text_at(15, y, 95, it["description"])
        pdf.text_at(110, y, 20, str(it["quantity"]), align="R")
        pdf.text_at(130, y, 30, fmt_money(it["unit_price"], loc, with_currency=False), align="R")
        pdf.text_at(160, y, 35, fmt_money(it["amount"], loc, with_currency=False), align="R")
    y += 10
    pdf.text_at(120, y, 40, "Total", style="B")
    pdf.text_at(160, y, 35, fmt_money(total, loc), style="B", align="R")
    pdf.text_at(
        15, y + 15, 180, f"Requested by: {_person(rng)}    Approved by: {_person(rng)}", size=9
    )
    pdf.text_at(
        15, y + 21, 180, "Please confirm this order and the delivery date by return.", size=9
    )
    return bytes(pdf.output()), {
        "fields": {
            "po_number": number,
            "order_date": order.isoformat(),
            "total": str(total),
            "currency": code,
        },
        "line_items": _item_labels(items),
    }


def make_statement(rng: random.Random, loc: tuple) -> tuple[bytes, dict]:
    """A bank statement with a running balance."""
    code, sym, style, dstyle, _ = loc
    bank = rng.choice(
        ["First Harbor Bank", "Alpine Savings Bank", "Union Metro Bank", "Crescent Credit Union"]
    )
    holder = _person(rng)
    start = date(2025, rng.randint(1, 12), 1)
    end = start + timedelta(days=27)
    opening = money(rng.uniform(200, 9000))
    pdf = Pdf(format="A4")
    pdf.add_page()
    pdf.text_at(15, 15, 120, bank, size=16, style="B", font="helvetica")
    pdf.text_at(15, 25, 120, "Statement of Account", size=12)
    pdf.text_at(15, 35, 90, f"Account holder: {holder}", size=10)
    pdf.text_at(15, 41, 90, f"Account number: {rng.randint(10000000, 99999999)}", size=10)
    pdf.text_at(15, 47, 120, "IBAN: GB29 NWBK 6016 1331 9268 19", size=10)
    pdf.text_at(
        110,
        35,
        85,
        f"Statement period: {fmt_date(start, dstyle)} - {fmt_date(end, dstyle)}",
        size=9,
        align="R",
    )
    y = 62.0
    for h, x, w, _a in [("Date", 15, 25, "L"), ("Description", 40, 75, "L"), ("Money out", 115, 25, "R"),
                       ("Money in", 140, 25, "R"), ("Balance", 165, 30, "R")]:  # fmt: skip
        pdf.text_at(x, y, w, h, size=9, style="B")
    bal = opening
    y += 6
    pdf.text_at(40, y, 75, "Opening balance", size=9)
    pdf.text_at(165, y, 30, fmt_money(bal, loc, with_currency=False), size=9, align="R")
    for i in range(rng.randint(5, 10)):
        y += 5.5
        day = start + timedelta(days=min(27, 2 + i * 3))
        out = rng.random() < 0.7
        amt = money(rng.uniform(5, 400 if out else 2500))
        bal = bal - amt if out else bal + amt
        desc = rng.choice(["Card payment GROCER", "Direct debit ENERGY CO", "Transfer from SAVINGS", "Salary ACME LTD",
                           "ATM withdrawal", "Standing order RENT", "Online purchase"])  # fmt: skip
        pdf.text_at(15, y, 25, fmt_date(day, "dmy" if dstyle != "mdy" else "mdy"), size=9)
        pdf.text_at(40, y, 75, desc, size=9)
        pdf.text_at(
            115 if out else 140, y, 25, fmt_money(amt, loc, with_currency=False), size=9, align="R"
        )
        pdf.text_at(165, y, 30, fmt_money(bal, loc, with_currency=False), size=9, align="R")
    y += 8
    pdf.text_at(110, y, 55, "Closing balance", size=10, style="B")
    pdf.text_at(165, y, 30, fmt_money(bal, loc), size=10, style="B", align="R")
    return bytes(pdf.output()), {
        "fields": {
            "opening_balance": str(opening),
            "closing_balance": str(bal),
            "account_holder": holder,
        },
        "line_items": [],
    }


CLAUSES = [
    "The Provider shall perform the services described in Schedule A with due care and skill.",
    "The Client shall pay all undisputed invoices within thirty (30) days of receipt.",
    "Either party may terminate this Agreement by giving sixty (60) days written notice to the other party.",
    "Each party shall keep confidential all information disclosed by the other party under this Agreement.",
    "Neither party shall be liable for any indirect or consequential loss arising out of this Agreement.",
    "This Agreement constitutes the entire agreement between the parties and supersedes all prior arrangements.",
    "Any amendment to this Agreement shall be made in writing and signed by both parties.",
]


def _wrap(pdf: Pdf, x: float, y: float, w: float, text: str, size: int = 10) -> float:
    """Write a paragraph; returns the y after it."""
    pdf.set_font(pdf.font_family or "times", "", size)
    pdf.set_xy(x, y)
    pdf.multi_cell(w, size * 0.5, text)
    return pdf.get_y() + 2


def make_contract(rng: random.Random, loc: tuple) -> tuple[bytes, dict]:
    """A service agreement."""
    a, b = _vendor(rng), _vendor(rng)
    when = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    law = rng.choice(["England and Wales", "the State of New York", "Germany", "Ireland"])
    title = rng.choice(
        [
            "SERVICE AGREEMENT",
            "CONSULTING AGREEMENT",
            "MASTER SERVICES AGREEMENT",
            "SUPPLY CONTRACT",
        ]
    )
    pdf = Pdf(format="A4")
    pdf.add_page()
    pdf.set_font("times", "", 11)
    pdf.text_at(15, 15, 180, title, size=16, style="B", align="C", font="times")
    y = _wrap(pdf, 15, 30, 180, f'This {title.title()} (the "Agreement") is made on {fmt_date(when, "long_en")} between '
              f'{a} ("Client") and {b} ("Provider"), hereinafter each a "party".')  # fmt: skip
    y = _wrap(
        pdf,
        15,
        y,
        180,
        "WHEREAS the Client wishes to engage the Provider, the parties agree as follows:",
    )
    for i, clause in enumerate(rng.sample(CLAUSES, 5), 1):
        y = _wrap(pdf, 15, y + 2, 180, f"{i}. {clause}")
    y = _wrap(pdf, 15, y + 2, 180, f"6. This Agreement shall be governed by the laws of {law}.")
    y = _wrap(
        pdf,
        15,
        y + 6,
        180,
        "IN WITNESS WHEREOF the parties have signed this Agreement on the date above.",
    )
    pdf.text_at(15, y + 10, 80, "Signature (Client): ____________", font="times")
    pdf.text_at(110, y + 10, 80, "Signature (Provider): ____________", font="times")
    return bytes(pdf.output()), {
        "fields": {
            "effective_date": when.isoformat(),
            "governing_law": law.replace("the ", "", 1) if law.startswith("the ") else law,
        },
        "line_items": [],
    }


def make_resume(rng: random.Random, loc: tuple) -> tuple[bytes, dict]:
    """A one-page resume."""
    name = _person(rng)
    email = name.lower().replace(" ", ".") + "@mail.example"
    pdf = Pdf(format="A4")
    pdf.add_page()
    pdf.text_at(15, 15, 180, name, size=20, style="B", font="helvetica")
    pdf.text_at(
        15,
        25,
        180,
        rng.choice(["Senior Software Engineer", "Marketing Manager", "Data Analyst", "Accountant"]),
        size=12,
    )
    pdf.text_at(
        15,
        32,
        180,
        f"{email}  |  +49 170 {rng.randint(1000000, 9999999)}  |  linkedin.com/in/{name.split()[0].lower()}",
        size=9,
    )
    y = 45.0
    sections = [
        (
            "PROFILE",
            ["Results-driven professional with eight years of experience in fast-paced teams."],
        ),
        (
            "WORK EXPERIENCE",
            [f"2019 - present  {_vendor(rng)}, team lead", f"2015 - 2019  {_vendor(rng)}, analyst"],
        ),
        ("EDUCATION", ["2011 - 2015  BSc Economics, University of Vienna"]),
        ("SKILLS", ["Python, SQL, Excel, Project management, Negotiation"]),
        ("LANGUAGES", ["English, German, Spanish"]),
    ]
    for head, lines in sections:
        pdf.text_at(15, y, 180, head, size=11, style="B")
        y += 7
        for line in lines:
            pdf.text_at(15, y, 180, line, size=10)
            y += 5.5
        y += 4
    return bytes(pdf.output()), {"fields": {"full_name": name, "email": email}, "line_items": []}


def _mrz_check(s: str) -> str:
    """ICAO 9303 check digit."""
    weights = [7, 3, 1]
    total = 0
    for i, ch in enumerate(s):
        v = int(ch) if ch.isdigit() else (ord(ch) - 55 if ch.isalpha() else 0)
        total += v * weights[i % 3]
    return str(total % 10)


def make_id(rng: random.Random, loc: tuple) -> tuple[bytes, dict]:
    """A passport data page with its machine-readable zone."""
    sur, given = rng.choice(LAST).upper(), rng.choice(FIRST).upper()
    dob = date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000))
    exp = date(2027, 1, 1) + timedelta(days=rng.randint(0, 3000))
    number = f"{rng.choice('CFGHJKLM')}{rng.randint(10000000, 99999999)}"
    country = rng.choice(["GBR", "DEU", "FRA", "NLD", "UTO"])
    sex = rng.choice("MF")
    pdf = Pdf(format=(125, 88))
    pdf.set_margins(5, 5, 5)
    pdf.add_page()
    pdf.text_at(
        5, 5, 115, f"PASSPORT / PASSEPORT    {country}", size=10, style="B", font="helvetica"
    )
    rows = [("Surname", sur), ("Given names", given), ("Nationality", country), ("Date of birth", fmt_date(dob, "d_mon_y").upper()),
            ("Sex", sex), ("Date of expiry", fmt_date(exp, "d_mon_y").upper()), ("Passport No.", number)]  # fmt: skip
    y = 14.0
    for k, v in rows:
        pdf.text_at(40, y, 30, k, size=6)
        pdf.text_at(40, y + 2.6, 70, v, size=8, style="B")
        y += 6.6
    l1 = f"P<{country}{sur}<<{given}".ljust(44, "<")[:44]
    d_dob, d_exp = dob.strftime("%y%m%d"), exp.strftime("%y%m%d")
    num = number.ljust(9, "<")
    l2 = (
        f"{num}{_mrz_check(num)}{country}{d_dob}{_mrz_check(d_dob)}{sex}{d_exp}{_mrz_check(d_exp)}".ljust(
            42, "<"
        )
        + "<0"
    )
    pdf.text_at(4, 72, 120, l1, size=8.3, font="courier")
    pdf.text_at(4, 77, 120, l2, size=8.3, font="courier")
    return bytes(pdf.output()), {
        "fields": {
            "surname": sur,
            "date_of_birth": dob.isoformat(),
            "expiry_date": exp.isoformat(),
            "id_number": number,
        },
        "line_items": [],
    }


OTHER_TEXTS = [
    (
        "Meeting minutes",
        [
            "Attendees: project team",
            "1. Status of the office move was discussed.",
            "2. The new printer arrives next week.",
            "3. Next meeting on Thursday at 10:00.",
        ],
    ),  # fmt: skip
    (
        "Dear Ms. {name},",
        [
            "Thank you for visiting our showroom last week.",
            "We enclose our brochure with the",
            "new spring collection. We look forward to seeing you again.",
            "Kind regards,",
            "{vendor}",
        ],
    ),  # fmt: skip
    (
        "Product data sheet",
        [
            "Model: X-200 desk lamp",
            "Power: 8 W LED",
            "Colour temperature: 3000 K",
            "Weight: 1.2 kg",
            "Dimensions: 40 x 15 x 45 cm",
        ],
    ),  # fmt: skip
    (
        "Press release",
        [
            "{vendor} opens a new office in Lisbon.",
            "The company plans to hire 40 people",
            "over the next two years in engineering and support roles.",
        ],
    ),  # fmt: skip
    (
        "Travel itinerary",
        [
            "Day 1: arrival in Rome, hotel check-in after 15:00",
            "Day 2: guided city walk",
            "Day 3: train to Florence at 09:15",
            "Day 4: return flight at 18:40",
        ],
    ),  # fmt: skip
]


def make_other(rng: random.Random, i: int) -> tuple[bytes, dict]:
    """A letter, note or leaflet that is none of the listed types."""
    title, lines = OTHER_TEXTS[i % len(OTHER_TEXTS)]
    vendor, name = _vendor(rng), rng.choice(LAST)
    pdf = Pdf(format="A4")
    pdf.add_page()
    pdf.text_at(
        15, 20, 180, title.format(name=name, vendor=vendor), size=14, style="B", font="times"
    )
    y = 35.0
    for line in lines:
        pdf.text_at(15, y, 180, line.format(name=name, vendor=vendor), size=11, font="times")
        y += 7
    return bytes(pdf.output()), {"fields": {}, "line_items": []}


# ---------------------------------------------------------------- scans and photos


def render(pdf_bytes: bytes, dpi: int) -> Image.Image:
    """First page of a PDF as an RGB image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return pdf[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        pdf.close()


def photograph(img: Image.Image, rng: random.Random, *, background: bool = True) -> Image.Image:
    """Make a clean render look like a phone photo: tilt, blur, noise, shading, a table under it."""
    angle = rng.uniform(-3.5, 3.5)
    img = img.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255)
    )
    if background:
        pad_x, pad_y = (
            int(img.width * rng.uniform(0.15, 0.4)),
            int(img.height * rng.uniform(0.05, 0.15)),
        )
        tone = tuple(
            int(c) for c in rng.choice([(90, 70, 50), (60, 60, 65), (140, 120, 100), (40, 45, 40)])
        )
        canvas = Image.new("RGB", (img.width + 2 * pad_x, img.height + 2 * pad_y), tone)
        canvas.paste(img, (pad_x, pad_y))
        img = canvas
    # Uneven lighting from one side.
    shade = Image.linear_gradient("L").resize(img.size).rotate(rng.choice([0, 90, 180, 270]))
    dark = Image.new("RGB", img.size, (0, 0, 0))
    img = Image.composite(dark, img, shade.point(lambda v: int(v * rng.uniform(0.12, 0.3))))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.1)))
    # Noise from the seeded generator (PIL's own noise is not reproducible).
    noise = Image.frombytes("L", img.size, rng.randbytes(img.width * img.height)).convert("RGB")
    img = Image.blend(img, noise, 0.06)
    return img


def scan(img: Image.Image, rng: random.Random) -> Image.Image:
    """Make a render look like an office scan: grey, slightly skewed, speckled."""
    img = img.convert("L").rotate(
        rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor=255
    )
    draw = ImageDraw.Draw(img)
    for _ in range(300):
        x, y = rng.randrange(img.width), rng.randrange(img.height)
        draw.point((x, y), fill=rng.randint(90, 180))
    return img.filter(ImageFilter.GaussianBlur(0.5)).convert("RGB")


def image_pdf(img: Image.Image, page_w_mm: float, page_h_mm: float) -> bytes:
    """A PDF whose only page is an image (a scanned document without a text layer)."""
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    buf.seek(0)
    pdf = FPDF(format=(page_w_mm, page_h_mm))
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(buf, x=0, y=0, w=page_w_mm, h=page_h_mm)
    return bytes(pdf.output())


# ---------------------------------------------------------------- the set


PROMPTS = {
    "invoice": "Extract the invoice number, date, total, currency, due date, subtotal, tax, vendor and line items",
    "receipt": "Extract the receipt number, date, total, currency, merchant and line items",
    "purchase_order": "Extract the PO number, order date, total, currency and line items",
    "bank_statement": "Extract the account holder, opening balance and closing balance",
    "contract": "Extract the effective date and governing law",
    "resume": "Extract the full name and email",
    "id_document": "Extract the surname, date of birth, expiry date and passport number",
    "other": "Extract the title and date",
}
FIELD_ALIASES = {
    "receipt_number": "receipt_number",
    "vendor": "vendor",
    "id_number": "passport_number",
}


def generate(out_dir: str | Path, seed: int = 7) -> list[dict[str, Any]]:
    """Write the evaluation set into out_dir and return its labels."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []

    def save(
        name: str,
        data: bytes,
        dtype: str,
        labels: dict,
        mime: str = "application/pdf",
        kind: str = "text",
    ) -> None:
        (out / name).write_bytes(data)
        docs.append({"file": name, "mime_type": mime, "type": dtype, "kind": kind, "prompt": PROMPTS[dtype],
                     "fields": labels["fields"], "line_items": labels["line_items"]})  # fmt: skip

    def save_image(name: str, img: Image.Image, dtype: str, labels: dict, fmt: str) -> None:
        buf = io.BytesIO()
        if fmt == "JPEG":
            img.save(buf, format="JPEG", quality=rng.randint(65, 88))
        else:
            img.save(buf, format="PNG", optimize=True)
        save(
            name,
            buf.getvalue(),
            dtype,
            labels,
            "image/jpeg" if fmt == "JPEG" else "image/png",
            "ocr",
        )

    for i in range(20):
        loc = LOCALES[i % len(LOCALES)]
        data, labels = make_invoice(rng, i % 5, loc)
        if i in (3, 9, 14, 18):
            img = scan(render(data, 150), rng)
            save(
                f"invoice_{i:02d}_scan.pdf", image_pdf(img, 210, 297), "invoice", labels, kind="ocr"
            )
        else:
            save(f"invoice_{i:02d}.pdf", data, "invoice", labels)
    for i in range(8):
        loc = LOCALES[(i * 3 + 1) % len(LOCALES)]
        data, labels = make_invoice_b(rng, i % 4, loc)
        if i == 5:
            img = scan(render(data, 150), rng)
            save(
                f"invoice_b{i:02d}_scan.pdf",
                image_pdf(img, 216, 279),
                "invoice",
                labels,
                kind="ocr",
            )
        else:
            save(f"invoice_b{i:02d}.pdf", data, "invoice", labels)
    for i in range(4):
        data, labels = make_till_tax_invoice(rng, LOCALES[0])
        img = scan(render(data, 200), rng) if i % 2 else photo_12mp(render(data, 300), rng)
        name = f"receipt_t{i:02d}_{'scan.png' if i % 2 else 'photo.jpg'}"
        save_image(name, img, "receipt", labels, "PNG" if i % 2 else "JPEG")
    for i in range(16):
        loc = LOCALES[(i * 3) % len(LOCALES)]
        data, labels = make_receipt(rng, i % 4, loc)
        if i % 2 == 0:
            img = photograph(render(data, rng.choice([200, 230, 260])), rng)
            save_image(f"receipt_{i:02d}_photo.jpg", img, "receipt", labels, "JPEG")
        elif i % 4 == 1:
            img = scan(render(data, 200), rng)
            save_image(f"receipt_{i:02d}_scan.png", img, "receipt", labels, "PNG")
        else:
            save(f"receipt_{i:02d}.pdf", data, "receipt", labels)
    for i in range(6):
        data, labels = make_po(rng, LOCALES[(i * 7) % len(LOCALES)])
        save(f"purchase_order_{i:02d}.pdf", data, "purchase_order", labels)
    for i in range(5):
        data, labels = make_statement(rng, LOCALES[(i * 2) % len(LOCALES)])
        save(f"bank_statement_{i:02d}.pdf", data, "bank_statement", labels)
    for i in range(5):
        data, labels = make_contract(rng, LOCALES[0])
        save(f"contract_{i:02d}.pdf", data, "contract", labels)
    for i in range(5):
        data, labels = make_resume(rng, LOCALES[0])
        save(f"resume_{i:02d}.pdf", data, "resume", labels)
    for i in range(5):
        data, labels = make_id(rng, LOCALES[0])
        if i == 4:
            img = photograph(render(data, 300), rng, background=False)
            save_image(f"id_document_{i:02d}_photo.jpg", img, "id_document", labels, "JPEG")
        else:
            save(f"id_document_{i:02d}.pdf", data, "id_document", labels)
    for i in range(5):
        data, labels = make_other(rng, i)
        save(f"other_{i:02d}.pdf", data, "other", labels)
    (out / "labels.json").write_text(json.dumps(docs, indent=2))
    return docs


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the documents into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    docs = generate(args.out, args.seed)
    print(f"wrote {len(docs)} documents to {args.out}")


if __name__ == "__main__":
    main()
