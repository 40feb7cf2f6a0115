"""Receipts, purchase orders, bank statements, contracts, resumes, passports and other documents
of the tidy evaluation set."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from eval_common import (
    FIRST,
    GROCERIES,
    LAST,
    SERVICES,
    STORES,
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
