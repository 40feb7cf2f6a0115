"""More invoice layouts of the hard evaluation set: labels above values, Indian GST, two pages,
amount box, label pairs, credit note, tax-inclusive and balance due in the header."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from eval_pdf import Pdf
from hard_common import (
    HEADERS,
    PEOPLE,
    SERVICES,
    Locale,
    address,
    aligns_for,
    amounts,
    doc_number,
    fmt_amt,
    fmt_date,
    fmt_num,
    issue_date,
    item_rows,
    items_for,
    money,
    new_pdf,
    rate_text,
    seller_name,
    summary,
    table,
    widths_for,
    words,
)


def inv_labels_above(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """Details as small caps labels with values on the line below, side by side on the right."""
    pdf = new_pdf(rng)
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([10, 15, 30]))
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(2, 5), SERVICES, 25, 900)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, shipping=rng.random() < 0.5)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 90, seller.upper(), size=13, style="B")
    pdf.text_at(15, 21, 90, street, size=8.5)
    pdf.text_at(15, 25, 90, city, size=8.5)
    cols = [(rng.choice(["INVOICE NO.", "INVOICE #", "INVOICE NUMBER"]), number),
            (rng.choice(["DATE", "INVOICE DATE", "ISSUE DATE"]), d(issued)),
            (rng.choice(["DUE DATE", "DUE"]), d(due))]  # fmt: skip
    if rng.random() < 0.4:
        cols = [cols[2], cols[0], cols[1]]
    for i, (k, v) in enumerate(cols):
        pdf.text_at(95 + i * 37, 15, 36, k, size=7.5, style="B")
        pdf.text_at(95 + i * 37, 20, 36, v, size=9.5)
    pdf.text_at(95, 30, 36, "BILL TO", size=7.5, style="B")
    pdf.text_at(95, 35, 70, seller_name(rng, loc), size=9.5)
    pdf.text_at(95, 40, 70, "Attn: " + rng.choice(PEOPLE), size=9.5)
    style = rng.randrange(3)
    y = table(pdf, 15, 58, HEADERS["en"][style], widths_for(style, W - 30),
              item_rows(items, loc, style), aligns_for(style), border="lines", font="helvetica")  # fmt: skip
    y += 6
    rows = [("SUBTOTAL", m(sub), False)]
    if ship:
        rows.append(("SHIPPING", m(ship), False))
    rows.append((f"{loc.tax.upper()} {rate_text(rate, loc)}", m(tax), False))
    rows.append((rng.choice(["TOTAL", "TOTAL DUE", "BALANCE DUE", "GRAND TOTAL"]), m(total), True))
    summary(pdf, W - 95, 45, 35, y, rows, font="helvetica")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller.upper()}  # fmt: skip


def inv_gst_india(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """An Indian GST tax invoice: boxed grid of details, CGST/SGST, amount in words."""
    pdf = new_pdf(rng, "A4")
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = rng.choice([f"{rng.choice(['GST', 'TI', 'INV'])}/{issued.year % 100}-{issued.year % 100 + 1}/{rng.randint(1, 999):03d}",
                         f"{rng.randint(100, 9999)}"])  # fmt: skip
    d = lambda v: fmt_date(v, rng.choice(loc.dates))  # noqa: E731
    items = items_for(rng, rng.randint(1, 4), SERVICES, 500, 90000)
    sub = money(sum(it["amount"] for it in items))
    half = Decimal(str(rng.choice(loc.rates))) / 2
    cgst = money(sub * half / 100)
    total = money(sub + 2 * cgst)
    m = lambda v: fmt_amt(v, loc, cur=False)  # noqa: E731
    pdf.text_at(15, 12, W - 30, "TAX INVOICE", size=13, style="B", align="C")
    pdf.set_font("helvetica", "", 8.5)
    left = [
        seller,
        street,
        city,
        f"GSTIN/UIN: 27AAB{rng.randint(1000, 9999)}C1Z{rng.randint(1, 9)}",
    ]
    for i, t in enumerate(left):
        pdf.text_at(16, 20 + i * 4.5, 88, t, size=9 if i else 10, style="" if i else "B")
    grid = [("Invoice No.", number, "Dated", fmt_date(issued, "dd_mon_yyyy")),
            ("Delivery Note", f"DN-{rng.randint(100, 999)}", "Mode/Terms of Payment", "30 days"),
            ("Buyer's Order No.", f"PO{rng.randint(1000, 9999)}", "Dated", d(issued - timedelta(days=rng.randint(5, 20))))]  # fmt: skip
    y = 19
    for a, av, b, bv in grid:
        pdf.set_xy(105, y)
        pdf.set_font("helvetica", "", 7.5)
        pdf.cell(45, 5, a, border="LTR")
        pdf.cell(45, 5, b, border="LTR")
        pdf.set_xy(105, y + 5)
        pdf.set_font("helvetica", "B", 8.5)
        pdf.cell(45, 5, av, border="LBR")
        pdf.cell(45, 5, bv, border="LBR")
        y += 10
    pdf.text_at(16, 52, 80, "Buyer (Bill to)", size=8)
    pdf.text_at(16, 56.5, 88, seller_name(rng, loc), size=9.5, style="B")
    widths = [10, W - 140, 25, 20, 25, 30]
    heads = ["Sl No.", "Description of Goods", "HSN/SAC", "Quantity", "Rate", "Amount"]
    y = 70
    pdf.set_font("helvetica", "B", 8)
    pdf.set_xy(15, y)
    for h, w in zip(heads, widths, strict=True):
        pdf.cell(w, 7, h, border=1, align="C")
    y += 7
    pdf.set_font("helvetica", "", 8.5)
    for i, it in enumerate(items, 1):
        pdf.set_xy(15, y)
        row = [str(i), it["description"], str(rng.randint(9900, 9999)), f"{it['quantity']} Nos",
               m(it["unit_price"]), m(it["amount"])]  # fmt: skip
        for c, w, a in zip(row, widths, "LLCRRR", strict=True):
            pdf.cell(w, 6.5, c, border="LR", align=a)
        y += 6.5
    for label, v in (
        (f"CGST @ {half.normalize():f}%", cgst),
        (f"SGST @ {half.normalize():f}%", cgst),
    ):
        pdf.set_xy(15, y)
        pdf.cell(sum(widths[:5]), 6, label, border="LR", align="R")
        pdf.cell(widths[5], 6, m(v), border="LR", align="R")
        y += 6
    pdf.set_font("helvetica", "B", 9)
    pdf.set_xy(15, y)
    pdf.cell(sum(widths[:5]), 7, "Total", border=1, align="R")
    pdf.cell(widths[5], 7, f"Rs. {m(total)}", border=1, align="R")
    y += 10
    rupees = int(total)
    pdf.text_at(15, y, W - 30, "Amount Chargeable (in words)", size=8)
    pdf.text_at(15, y + 4.5, W - 30, f"INR {words(rupees).title()} Only", size=9, style="B")
    pdf.text_at(
        15,
        y + 14,
        W - 30,
        f"Company's PAN: AAB{rng.choice('CDEFG')}{rng.randint(1000, 9999)}K",
        size=8,
    )
    pdf.text_at(W - 80, y + 24, 65, f"for {seller}", size=9, align="R")
    pdf.text_at(W - 80, y + 34, 65, "Authorised Signatory", size=8, align="R")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_two_page(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """Items running onto a second page with a carried-forward line; totals on page two."""
    pdf = Pdf(format="A4")
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    pool = SERVICES * 2
    items = items_for(rng, 34, pool, 5, 300)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, shipping=True)
    m = lambda v: fmt_amt(v, loc, cur=False)  # noqa: E731
    per_page = 26
    for page in range(2):
        pdf.add_page()
        pdf.text_at(15, 15, 100, seller, size=13, style="B")
        pdf.text_at(15, 21, 100, f"{street}, {city}", size=8.5)
        pdf.text_at(W - 95, 15, 80, f"Invoice {number}", size=12, style="B", align="R")
        pdf.text_at(W - 95, 21, 80, f"Invoice date: {d(issued)}", size=9, align="R")
        pdf.text_at(W - 95, 26, 80, f"Page {page + 1} of 2", size=8, align="R")
        chunk = items[page * per_page : (page + 1) * per_page]
        y = 40
        if page == 1:
            carried = money(sum(it["amount"] for it in items[:per_page]))
            pdf.text_at(W - 95, y, 45, "Brought forward", size=9)
            pdf.text_at(W - 50, y, 35, m(carried), size=9, align="R")
            y += 8
        y = table(pdf, 15, y, HEADERS["en"][0], widths_for(0, W - 30), item_rows(chunk, loc, 0),
                  aligns_for(0), border="lines", font="helvetica", row_h=6)  # fmt: skip
        if page == 0:
            pdf.text_at(W - 95, y + 3, 45, "Carried forward", size=9)
            pdf.text_at(
                W - 50, y + 3, 35, m(money(sum(it["amount"] for it in chunk))), size=9, align="R"
            )
        else:
            rows = [("Subtotal", m(sub), False), ("Shipping", m(ship), False),
                    (f"{loc.tax} {rate_text(rate, loc)}", m(tax), False),
                    (f"Total {loc.code}", m(total), True)]  # fmt: skip
            summary(pdf, W - 95, 45, 35, y + 5, rows, font="helvetica")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_amount_box(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """Number in the heading, an 'Amount due' box, label and value columns apart, VAT table."""
    pdf = new_pdf(rng)
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer, (bstreet, bcity) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([14, 21, 30]))
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(2, 6), SERVICES, 20, 1200)
    sub, disc, ship, rate, tax, total = amounts(
        rng, loc, items, shipping=rng.random() < 0.3, discount=rng.random() < 0.4
    )
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    title = rng.choice([f"INVOICE {number}", f"Invoice No. {number}", f"Invoice #{number}",
                        f"INVOICE NO: {number}"])  # fmt: skip
    pdf.text_at(15, 15, 120, title, size=17, style="B")
    pdf.text_at(15, 24, 90, seller, size=10, style="B")
    pdf.text_at(15, 28.5, 90, street, size=8.5)
    pdf.text_at(15, 32.5, 90, city, size=8.5)
    pdf.set_fill_color(235, 235, 235)
    pdf.set_xy(W - 75, 14)
    pdf.set_font("helvetica", "", 8.5)
    pdf.cell(60, 6, f"Amount due ({loc.code})", align="C", fill=True)
    pdf.set_xy(W - 75, 20)
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(60, 9, m(total), align="C", fill=True)
    meta = [("Issue date:", d(issued)), ("Due date:", d(due)),
            ("Reference:", f"Q-{rng.randint(100, 999)}/{issued.year % 100}"),
            ("Customer no.:", f"{rng.randint(10000, 99999)}")]  # fmt: skip
    rng.shuffle(meta)
    for i, (k, v) in enumerate(meta):
        pdf.text_at(W - 75, 34 + i * 4.8, 28, k, size=8.5)
        pdf.text_at(W - 45, 34 + i * 4.8, 30, v, size=8.5)
    pdf.text_at(15, 45, 60, "Invoice for", size=8, style="B")
    for i, t in enumerate([buyer, bstreet, bcity]):
        pdf.text_at(15, 49.5 + i * 4.3, 90, t, size=9)
    style = rng.randrange(3)
    y = table(pdf, 15, 70, HEADERS["en"][style], widths_for(style, W - 30),
              item_rows(items, loc, style), aligns_for(style), border="lines", font="helvetica")  # fmt: skip
    y += 5
    rows = [("Subtotal", m(sub), False)]
    if disc:
        rows.append((f"Discount ({rng.choice([5, 10, 15])}%)", m(disc), False))
    if ship:
        rows.append(("Delivery", m(ship), False))
    rows.append((f"Total excl. {loc.tax}", m(sub + disc + ship), False))
    rows.append((f"{loc.tax} {rate_text(rate, loc)}", m(tax), False))
    rows.append(
        (
            rng.choice([f"Total incl. {loc.tax}", "Total", "Amount due", f"Total {loc.code}"]),
            m(total),
            True,
        )
    )
    y = summary(pdf, W - 100, 60, 25, y, rows, font="helvetica")
    y += 6
    pdf.set_font("helvetica", "B", 8)
    pdf.set_xy(15, y)
    for h in (f"{loc.tax} rate", "Net", loc.tax, "Gross"):
        pdf.cell(30, 5, h, border="B", align="R")
    pdf.set_font("helvetica", "", 8)
    pdf.set_xy(15, y + 5)
    for v in (rate_text(rate, loc), m(sub + disc + ship), m(tax), m(total)):
        pdf.cell(30, 5, v, align="R")
    y += 16
    pdf.text_at(
        15,
        y,
        W - 30,
        f"In words: {words(int(total)).capitalize()} and {int(total * 100) % 100:02d}/100 {loc.code}",
        size=8,
    )
    pdf.text_at(
        15, y + 5, W - 30, f"Please transfer the amount by {d(due)} quoting {number}.", size=8
    )
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_grid_pairs(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """Two label: value pairs per header line, dot leaders, code-prefixed amounts."""
    pdf = new_pdf(rng)
    W = pdf.w
    font = rng.choice(["helvetica", "times", "courier"])
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([10, 14, 30, 60]))
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates + ("iso", "ymd_slash"))
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(2, 6), SERVICES, 15, 800)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, shipping=rng.random() < 0.5)
    code_first = rng.random() < 0.5

    def m(v: Decimal) -> str:
        num = fmt_num(v, loc.num)
        return f"{loc.code} {num}" if code_first else f"{num} {loc.code}"

    pdf.text_at(15, 14, W - 30, seller, size=14, style="B", align="C", font=font)
    pdf.text_at(15, 21, W - 30, f"{street} - {city}", size=8.5, align="C", font=font)
    pdf.line(15, 27, W - 15, 27)
    pdf.text_at(15, 31, W - 30, rng.choice(["I N V O I C E", "INVOICE", "Sales Invoice"]), size=13,
                style="B", align="C", font=font)  # fmt: skip
    pairs = [(rng.choice(["Invoice No.", "Invoice #", "Number"]), number),
             (rng.choice(["Date", "Invoice date"]), d(issued)),
             ("Customer No.", f"{rng.randint(100000, 999999)}"),
             (rng.choice(["Due date", "Payable by"]), d(due)),
             ("Order No.", f"{rng.randint(40000, 49999)}"),
             ("Delivery", d(issued - timedelta(days=rng.randint(1, 5))))]  # fmt: skip
    if rng.random() < 0.5:
        pairs[0], pairs[2] = pairs[2], pairs[0]
    leader = rng.random() < 0.5
    for i in range(0, len(pairs), 2):
        y = 41 + (i // 2) * 5.5
        for j, (k, v) in enumerate(pairs[i : i + 2]):
            x = 15 + j * 95
            if leader:
                pdf.text_at(x, y, 90, f"{k} {'.' * (22 - len(k))} {v}", size=9, font=font)
            else:
                pdf.text_at(x, y, 35, f"{k}:", size=9, font=font)
                pdf.text_at(x + 35, y, 55, v, size=9, font=font)
    style = rng.randrange(3)
    y = table(pdf, 15, 64, HEADERS["en"][style], widths_for(style, W - 30),
              item_rows(items, loc, style), aligns_for(style), border=rng.choice(["all", "lines"]),
              font=font)  # fmt: skip
    y += 6
    rows = [("Net amount", m(sub), False)]
    if ship:
        rows.append(("Carriage", m(ship), False))
    rows.append((f"{loc.tax} @ {rate_text(rate, loc)}", m(tax), False))
    rows.append(
        (rng.choice(["TOTAL AMOUNT", "Total payable", "TOTAL", "Invoice amount"]), m(total), True)
    )
    y = summary(pdf, W - 105, 55, 35, y, rows, font=font)
    pdf.text_at(
        15,
        y + 10,
        W - 30,
        f"Terms: payment {rng.choice([14, 30])} days from {d(issued)}.",
        size=8,
        font=font,
    )
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_credit_note(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """A credit note: its own number, the original invoice quoted, negative amounts."""
    pdf = new_pdf(rng)
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = rng.choice(
        [f"CN-{issued.year}-{rng.randint(1, 999):03d}", f"CR{rng.randint(1000, 9999)}"]
    )
    original = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 3), SERVICES, 20, 400)
    sub = -money(sum(it["amount"] for it in items))
    rate = Decimal(str(rng.choice(loc.rates)))
    tax = money(sub * rate / 100)
    total = money(sub + tax)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 100, seller, size=14, style="B")
    pdf.text_at(15, 21, 100, f"{street}, {city}", size=8.5)
    pdf.text_at(W - 95, 15, 80, "CREDIT NOTE", size=18, style="B", align="R")
    meta = [("Credit Note No:", number), ("Date:", d(issued)),
            ("Original invoice:", original), ("Invoice date:", d(issued - timedelta(days=rng.randint(10, 40))))]  # fmt: skip
    for i, (k, v) in enumerate(meta):
        pdf.text_at(W - 100, 27 + i * 5, 40, k, size=9)
        pdf.text_at(W - 55, 27 + i * 5, 40, v, size=9, align="R")
    pdf.text_at(15, 35, 80, "Credit to:", size=9, style="B")
    pdf.text_at(15, 40, 80, seller_name(rng, loc), size=9)
    rows = [[it["description"], str(it["quantity"]), fmt_amt(it["unit_price"], loc, cur=False),
             fmt_amt(-it["amount"], loc, cur=False)] for it in items]  # fmt: skip
    y = table(pdf, 15, 62, HEADERS["en"][0], widths_for(0, W - 30), rows, aligns_for(0), border="lines",
              font="helvetica")  # fmt: skip
    y += 5
    srows = [("Subtotal", m(sub), False), (f"{loc.tax} {rate_text(rate, loc)}", m(tax), False),
             (rng.choice(["Total credit", "Total", "Credit total"]), m(total), True)]  # fmt: skip
    summary(pdf, W - 95, 45, 35, y, srows, font="helvetica")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_tax_inclusive(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """A retail-style A4 tax invoice: prices include tax, 'GST included', paid in full."""
    pdf = new_pdf(rng, "A4")
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 6), SERVICES, 10, 500)
    total = money(sum(it["amount"] for it in items))
    rate = Decimal(str(rng.choice(loc.rates)))
    tax = money(total * rate / (100 + rate))
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 100, seller, size=13, style="B")
    pdf.text_at(15, 21, 100, street, size=8.5)
    pdf.text_at(15, 25, 100, city, size=8.5)
    pdf.text_at(15, 29, 100, f"ABN {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
                if loc.key == "au" else f"{loc.tax} No. {rng.randint(100000000, 999999999)}", size=8.5)  # fmt: skip
    pdf.text_at(W - 85, 15, 70, "TAX INVOICE", size=16, style="B", align="R")
    pdf.text_at(
        W - 85,
        24,
        70,
        f"{rng.choice(['Invoice', 'Tax Invoice', 'Invoice No'])} {number}",
        size=10,
        align="R",
    )
    pdf.text_at(W - 85, 29, 70, f"{d(issued)}", size=10, align="R")
    pdf.text_at(W - 85, 34, 70, f"Sales order {rng.randint(100000, 999999)}", size=8.5, align="R")
    style = rng.randrange(3)
    y = table(pdf, 15, 50, HEADERS["en"][style], widths_for(style, W - 30),
              item_rows(items, loc, style), aligns_for(style), border="lines", font="helvetica")  # fmt: skip
    y += 5
    rows = [(rng.choice([f"Total (inc {loc.tax})", f"Total incl. {loc.tax}", "Total"]), m(total), True),
            (f"{loc.tax} included", m(tax), False), ("Amount paid", m(total), False),
            ("Balance owing", m(money(0)), False)]  # fmt: skip
    summary(pdf, W - 95, 45, 35, y, rows, font="helvetica")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_balance_header(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """'# INV-000042' under the title, 'Balance Due' in the header, colon pairs, payments made."""
    pdf = new_pdf(rng)
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer = rng.choice(PEOPLE)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([15, 30, 45]))
    number = rng.choice([f"INV-{rng.randint(1, 999999):06d}", doc_number(rng, issued.year)])
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 6), SERVICES, 10, 900)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, discount=rng.random() < 0.3)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 90, seller, size=12, style="B")
    pdf.text_at(15, 21, 90, street, size=8.5)
    pdf.text_at(15, 25, 90, city, size=8.5)
    pdf.text_at(15, 29, 90, f"{loc.tax} Registration No: {rng.randint(10**8, 10**9 - 1)}", size=8.5)
    pdf.text_at(W - 85, 14, 70, "INVOICE", size=24, align="R")
    pdf.text_at(W - 85, 24, 70, f"# {number}", size=10, style="B", align="R")
    pdf.text_at(W - 85, 33, 70, "Balance Due", size=8.5, align="R")
    pdf.text_at(W - 85, 38, 70, m(total), size=13, style="B", align="R")
    pdf.text_at(15, 48, 60, "Bill To", size=8.5)
    pdf.text_at(15, 53, 60, buyer, size=10, style="B")
    pairs = [("Invoice Date :", d(issued)), ("Terms :", rng.choice(["Net 15", "Net 30", "Due end of month"])),
             ("Due Date :", d(due)), ("P.O.# :", f"PO-{rng.randint(100, 999)}")]  # fmt: skip
    for i, (k, v) in enumerate(pairs):
        pdf.text_at(W - 110, 50 + i * 5.5, 50, k, size=9, align="R")
        pdf.text_at(W - 55, 50 + i * 5.5, 40, v, size=9, align="R")
    y = table(pdf, 15, 78, ["#", "Item & Description", "Qty", "Rate", "Amount"], widths_for(1, W - 30),
              item_rows(items, loc, 1), aligns_for(1), border="lines", font="helvetica", fill=True)  # fmt: skip
    y += 5
    rows = [("Sub Total", fmt_amt(sub, loc, cur=False), False)]
    if disc:
        rows.append(("Discount", fmt_amt(disc, loc, cur=False), False))
    rows.append((f"{loc.tax} ({rate_text(rate, loc)})", fmt_amt(tax, loc, cur=False), False))
    rows.append(("Total", m(total), True))
    rows.append(("Payment Made", f"(-) {fmt_amt(money(0), loc, cur=False)}", False))
    rows.append(("Balance Due", m(total), True))
    summary(pdf, W - 95, 50, 30, y, rows, font="helvetica")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip
