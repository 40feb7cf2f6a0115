"""Invoices of the tidy evaluation set: five layouts, the layouts of common billing tools and a
till receipt headed 'TAX INVOICE'."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from eval_common import (
    COMPANY_A,
    GROCERIES,
    SERVICES,
    SUFFIX,
    _address,
    _item_labels,
    _items,
    _person,
    _vendor,
    fmt_date,
    fmt_money,
    fmt_number,
    money,
)
from eval_pdf import Pdf


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
        "customer": customer,
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
