"""Invoice layouts of the hard evaluation set: classic, boxed, billing tool, German, French,
utility bill, freelancer's and net-total-in-the-table."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from hard_common import (
    HEADERS,
    PEOPLE,
    SERVICES,
    SUFFIX,
    Locale,
    address,
    aligns_for,
    amounts,
    doc_number,
    fmt_amt,
    fmt_date,
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
)


def inv_classic(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """Seller block left, 'INVOICE' and a details block right, bill-to/ship-to, bordered table."""
    pdf = new_pdf(rng)
    W = pdf.w
    font = rng.choice(["helvetica", "times", "helvetica"])
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer, (bstreet, bcity) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([7, 14, 30, 45, 60]))
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(2, 7), SERVICES, 12, 1800)
    sub, disc, ship, rate, tax, total = amounts(
        rng, loc, items, shipping=rng.random() < 0.4, discount=rng.random() < 0.3
    )
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 95, seller, size=15, style="B", font=font)
    y = 23
    for t in (street, city, f"Phone: +1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
              f"accounts@{seller.split()[0].lower()}.com"):  # fmt: skip
        pdf.text_at(15, y, 95, t, size=9)
        y += 4.5
    if loc.key != "us":
        pdf.text_at(15, y, 95, f"{loc.tax} Reg. No: {rng.randint(100000000, 999999999)}", size=9)
    title = rng.choice(["INVOICE", "Invoice", "TAX INVOICE", "INVOICE"])
    pdf.text_at(W - 95, 14, 80, title, size=rng.choice([20, 24, 28]), style="B", align="R")
    num_label = rng.choice(["Invoice #", "Invoice No.", "Invoice Number", "Inv. No.", "Invoice No:",
                            "INVOICE #", "Document No.", "Invoice ID"])  # fmt: skip
    date_label = rng.choice(["Invoice Date", "Date", "Date of issue", "Issue Date", "Invoice date:",
                             "DATE", "Dated"])  # fmt: skip
    meta = [(num_label, number), (date_label, d(issued))]
    extra = [("Due Date", d(due)), ("Payment Due", d(due)), ("Customer ID", f"C{rng.randint(1000, 99999)}"),
             ("PO Number", f"PO-{rng.randint(10000, 99999)}"), ("Terms", rng.choice(["Net 30", "Net 15", "Due on receipt"])),
             ("Order Date", d(issued - timedelta(days=rng.randint(2, 20)))),
             ("Account No.", f"{rng.randint(100000, 999999)}")]  # fmt: skip
    rng.shuffle(extra)
    extra = extra[: rng.randint(1, 4)]
    meta = meta + extra
    if rng.random() < 0.35:
        # Some layouts list the customer or due details before the invoice's own ones.
        meta = extra[:1] + [meta[0], meta[1]] + extra[1:]
    y = 30
    label_align = rng.choice(["L", "R"])
    for k, v in meta:
        pdf.text_at(W - 100, y, 42, k, size=9, style="B" if rng.random() < 0.3 else "",
                    align=label_align)  # fmt: skip
        pdf.text_at(W - 55, y, 40, v, size=9, align="R")
        y += 5
    y = max(y, 58) + 6
    pdf.text_at(15, y, 80, rng.choice(["Bill To", "BILL TO:", "Billed to", "Invoice to"]), size=9,
                style="B")  # fmt: skip
    if rng.random() < 0.5:
        pdf.text_at(105, y, 80, rng.choice(["Ship To", "SHIP TO:", "Deliver to"]), size=9,
                    style="B")  # fmt: skip
        for i, t in enumerate([buyer, bstreet, bcity]):
            pdf.text_at(105, y + 5 + 4.5 * i, 90, t, size=9)
    for i, t in enumerate([buyer, bstreet, bcity]):
        pdf.text_at(15, y + 5 + 4.5 * i, 90, t, size=9)
    y += 25
    style = rng.randrange(3)
    lang = "en"
    headers = HEADERS[lang][style]
    widths = widths_for(style, W - 30)
    y = table(pdf, 15, y, headers, widths, item_rows(items, loc, style), aligns_for(style),
              border=rng.choice(["all", "lines", "none"]), font=font, fill=rng.random() < 0.5)  # fmt: skip
    y += 6
    rows = [(rng.choice(["Subtotal", "Sub-total", "Sub Total", "Net Total"]), m(sub), False)]
    if disc:
        rows.append(
            (
                rng.choice(["Discount", "Less discount"]),
                fmt_amt(disc, loc, paren=rng.random() < 0.4),
                False,
            )
        )
    if ship:
        rows.append((rng.choice(["Shipping", "Shipping & Handling", "Freight"]), m(ship), False))
    rows.append(
        (f"{loc.tax} ({rate_text(rate, loc)})" if rng.random() < 0.6 else loc.tax, m(tax), False)
    )
    total_label = rng.choice(["Total", "TOTAL", "Grand Total", "Total Due", "Amount Due",
                              "Balance Due", "Invoice Total", f"Total ({loc.code})", "Total Amount"])  # fmt: skip
    rows.append((total_label, m(total), True))
    if rng.random() < 0.4:
        rows.append(("Amount Paid", m(money(0)), False))
        rows.append((rng.choice(["Balance Due", "Amount Due"]), m(total), True))
    y = summary(pdf, W - 95, 45, 35, y, rows, font=font, boxed=rng.random() < 0.3)  # fmt: skip
    y += 8
    foot = [rng.choice([f"Payment terms: {rng.choice([14, 30])} days net.", f"Please pay by {d(due)}.",
                        "Thank you for your business!", "Payment is due within 30 days of the invoice date."]),
            f"Bank: First National  Account: {rng.randint(10000000, 99999999)}  Sort/Routing: {rng.randint(100000, 999999)}"]  # fmt: skip
    for t in foot:
        pdf.text_at(15, y, W - 30, t, size=8)
        y += 4.5
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_boxes(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """Big title, then a row of boxed labels with the values under them."""
    pdf = new_pdf(rng)
    W = pdf.w
    font = rng.choice(["helvetica", "times"])
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer = rng.choice(PEOPLE)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([14, 30]))
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 5), SERVICES, 40, 2500)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 100, rng.choice(["INVOICE", "Invoice", "Tax Invoice"]), size=26, style="B",
                font=font)  # fmt: skip
    pdf.text_at(W - 95, 15, 80, seller, size=11, style="B", align="R")
    pdf.text_at(W - 95, 21, 80, street, size=9, align="R")
    pdf.text_at(W - 95, 25.5, 80, city, size=9, align="R")
    heads = [rng.choice(["Invoice No.", "Invoice #", "Invoice Number", "Bill No"]),
             rng.choice(["Invoice Date", "Date", "Issue Date"]),
             rng.choice(["Due Date", "Payment Due", "Due By"]),
             rng.choice(["Account No.", "Customer No.", "Terms"]),
             rng.choice(["Amount Due", "Total Due", "Balance Due"])]  # fmt: skip
    vals = [number, d(issued), d(due),
            f"{rng.randint(1000000, 9999999)}" if "No." in heads[3] else "Net 30", m(total)]  # fmt: skip
    order = list(range(5))
    if rng.random() < 0.4:
        order = [3, 0, 1, 2, 4]
    bw = (W - 30) / 5
    pdf.set_font(font, "B", 8.5)
    for slot, i in enumerate(order):
        pdf.set_xy(15 + slot * bw, 38)
        pdf.cell(bw, 6, heads[i], border=1, align="C")
        pdf.set_xy(15 + slot * bw, 44)
        pdf.set_font(font, "", 9)
        pdf.cell(bw, 7, vals[i], border=1, align="C")
        pdf.set_font(font, "B", 8.5)
    pdf.text_at(15, 58, 60, rng.choice(["Billed to", "Customer", "To:"]), size=9, style="B")
    pdf.text_at(15, 63, 90, buyer, size=10)
    pdf.text_at(15, 67.5, 90, f"Client ref: {rng.randint(100, 999)}-{rng.randint(10, 99)}", size=9)
    style = rng.randrange(3)
    y = table(pdf, 15, 80, HEADERS["en"][style], widths_for(style, W - 30),
              item_rows(items, loc, style), aligns_for(style), border="all", font=font)  # fmt: skip
    y += 5
    rows = [("Subtotal", m(sub), False), (f"{loc.tax} {rate_text(rate, loc)}", m(tax), False),
            (rng.choice(["Total", "TOTAL", "Invoice Total"]), m(total), True)]  # fmt: skip
    y = summary(pdf, W - 95, 45, 35, y, rows, font=font, boxed=True)
    pdf.text_at(15, y + 10, W - 30, f"Make all checks payable to {seller}. Total due in 30 days.",
                size=8)  # fmt: skip
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_billing_tool(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """The layout of common billing services: details left, '$X due <date>' headline."""
    pdf = new_pdf(rng, "Letter" if loc.key == "us" else "A4")
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer, (bstreet, bcity) = rng.choice(PEOPLE), address(rng, loc)
    issued = issue_date(rng)
    due = issued + timedelta(days=rng.choice([0, 7, 14, 30]))
    number = rng.choice([f"{rng.choice('ABCDEF')}{rng.randint(1000, 9999)}{rng.choice('ABCDEF')}-{rng.randint(1, 9999):04d}",
                         doc_number(rng, issued.year)])  # fmt: skip
    dstyle = rng.choice(["long_us", "mon_us"] if loc.lang == "en" else loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 4), SERVICES, 9, 600)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, discount=rng.random() < 0.3)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 80, "Invoice", size=18, style="B")
    rows = [("Invoice number", number), ("Date of issue", d(issued)), ("Date due", d(due))]
    if rng.random() < 0.5:
        rows = [("Invoice number", number), ("Date paid" if due == issued else "Date due", d(due)),
                ("Date of issue", d(issued))]  # fmt: skip
    for i, (k, v) in enumerate(rows):
        pdf.text_at(15, 27 + i * 5, 35, k, size=9)
        pdf.text_at(52, 27 + i * 5, 60, v, size=9)
    pdf.text_at(15, 48, 80, seller, size=9, style="B")
    pdf.text_at(15, 52.5, 80, street, size=9)
    pdf.text_at(15, 57, 80, city, size=9)
    pdf.text_at(110, 48, 80, "Bill to", size=9, style="B")
    pdf.text_at(110, 52.5, 80, buyer, size=9)
    pdf.text_at(110, 57, 80, bstreet, size=9)
    pdf.text_at(110, 61.5, 80, bcity, size=9)
    pdf.text_at(15, 74, 180, f"{m(total)} {loc.code} due {d(due)}", size=15, style="B")
    pdf.text_at(15, 82, 180, "Pay online at https://pay.example.com/i/" + number.lower(), size=9)
    y = table(pdf, 15, 95, ["Description", "Qty", "Unit price", "Amount"], widths_for(0, W - 30),
              [[it["description"], str(it["quantity"]), m(it["unit_price"]), m(it["amount"])] for it in items],
              aligns_for(0), border="lines", font="helvetica")  # fmt: skip
    y += 4
    srows = [("Subtotal", m(sub), False)]
    if disc:
        srows.append((f"Discount ({rng.choice(['WELCOME10', 'Promo'])})", m(disc), False))
    srows.append((f"{loc.tax} ({rate_text(rate, loc)} on {m(sub + disc)})", m(tax), False))
    srows.append(("Total", m(total), False))
    srows.append(("Amount due", f"{m(total)} {loc.code}", True))
    y = summary(pdf, W - 110, 65, 30, y, srows, font="helvetica")
    pdf.text_at(15, pdf.h - 20, 120, f"{number} · {m(total)} {loc.code} due {d(due)}", size=8)
    pdf.text_at(W - 45, pdf.h - 20, 30, "Page 1 of 1", size=8, align="R")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_german(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """DIN 5008 style: sender line, address window, info block right, Nettobetrag/USt/Brutto."""
    pdf = new_pdf(rng, "A4")
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer, (bstreet, bcity) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 6), SERVICES, 15, 1500)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, shipping=rng.random() < 0.3)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(W - 80, 15, 65, seller, size=13, style="B", align="R")
    pdf.text_at(W - 80, 21, 65, street, size=8.5, align="R")
    pdf.text_at(W - 80, 25, 65, city, size=8.5, align="R")
    pdf.text_at(20, 45, 90, f"{seller} · {street} · {city}", size=6.5)
    for i, t in enumerate([buyer, "z. Hd. " + rng.choice(PEOPLE), bstreet, bcity]):
        pdf.text_at(20, 52 + i * 4.8, 85, t, size=10)
    info = [(rng.choice(["Rechnungsnummer:", "Rechnungs-Nr.:", "Rechnung Nr.:", "Beleg-Nr.:"]), number),
            (rng.choice(["Rechnungsdatum:", "Datum:", "Belegdatum:"]), d(issued)),
            (rng.choice(["Kundennummer:", "Kunden-Nr.:"]), f"{rng.randint(10000, 99999)}"),
            (rng.choice(["Lieferdatum:", "Leistungsdatum:"]), d(issued - timedelta(days=rng.randint(1, 12)))),
            ("Auftragsnummer:", f"AB-{rng.randint(1000, 9999)}")]  # fmt: skip
    rng.shuffle(info)
    for i, (k, v) in enumerate(info):
        pdf.text_at(W - 85, 50 + i * 5, 40, k, size=9)
        pdf.text_at(W - 45, 50 + i * 5, 30, v, size=9, align="R")
    pdf.text_at(20, 85, 150, rng.choice([f"Rechnung Nr. {number}", "Rechnung", f"Rechnung {number}"]),
                size=13, style="B")  # fmt: skip
    pdf.text_at(
        20, 93, 170, "Sehr geehrte Damen und Herren, wir berechnen Ihnen wie folgt:", size=9.5
    )
    style = rng.randrange(3)
    y = table(pdf, 20, 102, HEADERS["de"][style], widths_for(style, W - 40),
              item_rows(items, loc, style), aligns_for(style), border=rng.choice(["lines", "all"]),
              font="helvetica")  # fmt: skip
    y += 5
    rows = [(rng.choice(["Nettobetrag", "Summe netto", "Zwischensumme"]), m(sub), False)]
    if ship:
        rows.append(("Versandkosten", m(ship), False))
    rows.append(
        (
            f"zzgl. {rate_text(rate, loc)} USt."
            if rng.random() < 0.5
            else f"MwSt. {rate_text(rate, loc)}",
            m(tax),
            False,
        )
    )
    rows.append(
        (
            rng.choice(
                ["Gesamtbetrag", "Rechnungsbetrag", "Endbetrag", "Summe brutto", "Gesamtsumme"]
            ),
            m(total),
            True,
        )
    )
    y = summary(pdf, W - 100, 50, 30, y, rows, font="helvetica")
    due = issued + timedelta(days=14)
    pdf.text_at(20, y + 8, 170, rng.choice([f"Zahlbar bis {d(due)} ohne Abzug.",
                                             "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
                                             f"Bitte überweisen Sie den Betrag bis zum {d(due)}."]), size=9.5)  # fmt: skip
    fy = pdf.h - 25
    cols = [[seller, street, city], ["Commerzbank", "IBAN DE89 3704 0044 0532 0130 00", "BIC COBADEFFXXX"],
            [f"Amtsgericht Berlin HRB {rng.randint(10000, 99999)}", f"USt-IdNr. DE{rng.randint(100000000, 999999999)}",
             "Geschäftsführer: " + rng.choice(PEOPLE)]]  # fmt: skip
    for ci, col in enumerate(cols):
        for li, t in enumerate(col):
            pdf.text_at(20 + ci * 60, fy + li * 3.8, 58, t, size=7)
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_french(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """A French facture: HT/TVA/TTC, 'Net à payer', SIRET."""
    pdf = new_pdf(rng, "A4")
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    buyer, (bstreet, bcity) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 5), SERVICES, 20, 900)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items, discount=rng.random() < 0.3)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 90, seller, size=14, style="B")
    pdf.text_at(15, 22, 90, street, size=9)
    pdf.text_at(15, 26.5, 90, city, size=9)
    pdf.text_at(
        15,
        31,
        90,
        f"SIRET : {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} 00012",
        size=8,
    )
    pdf.text_at(
        15,
        35,
        90,
        f"TVA intracom. : FR{rng.randint(10, 99)}{rng.randint(100000000, 999999999)}",
        size=8,
    )
    pdf.text_at(W - 90, 15, 75, "FACTURE", size=22, style="B", align="R")
    rows = [(rng.choice(["Facture N° :", "N° de facture :", "Numéro :", "Facture n°"]), number),
            (rng.choice(["Date :", "Date de facture :", "Date d'émission :"]), d(issued)),
            (rng.choice(["Échéance :", "Date d'échéance :"]), d(issued + timedelta(days=30))),
            ("Réf. client :", f"CL{rng.randint(1000, 9999)}")]  # fmt: skip
    for i, (k, v) in enumerate(rows):
        pdf.text_at(W - 95, 28 + i * 5, 40, k, size=9)
        pdf.text_at(W - 55, 28 + i * 5, 40, v, size=9, align="R")
    pdf.text_at(110, 55, 85, "Facturé à :", size=9, style="B")
    for i, t in enumerate([buyer, bstreet, bcity]):
        pdf.text_at(110, 60 + i * 4.5, 85, t, size=9)
    style = rng.randrange(3)
    y = table(pdf, 15, 82, HEADERS["fr"][style], widths_for(style, W - 30),
              item_rows(items, loc, style), aligns_for(style), border="all", font="helvetica")  # fmt: skip
    y += 5
    rows2 = [("Total HT", m(sub + disc), False)]
    if disc:
        rows2.insert(0, ("Remise", m(disc), False))
    rows2.append((f"TVA {rate_text(rate, loc)}", m(tax), False))
    rows2.append(("Total TTC", m(total), True))
    if rng.random() < 0.5:
        rows2.append(("Net à payer", m(total), True))
    y = summary(pdf, W - 95, 50, 30, y, rows2, font="helvetica", boxed=rng.random() < 0.5)
    pdf.text_at(
        15,
        y + 8,
        180,
        "Conditions de paiement : 30 jours net. Pénalités de retard : 3 fois le taux légal.",
        size=8,
    )
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_utility(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """A utility/telecom bill: account number, billing period, previous balance, new charges."""
    pdf = new_pdf(rng)
    W = pdf.w
    seller = rng.choice(["Metro Power & Light", "Clearwave Telecom", "City Water Utility",
                         "Brightnet Broadband"]) + " " + rng.choice(SUFFIX[loc.key])  # fmt: skip
    issued = issue_date(rng)
    start = (issued.replace(day=1) - timedelta(days=1)).replace(day=1)
    end = issued.replace(day=1) - timedelta(days=1)
    due = issued + timedelta(days=21)
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    prev = money(rng.uniform(30, 200))
    charges = [("Monthly service charge", money(rng.uniform(20, 60))),
               ("Usage charges", money(rng.uniform(10, 150))),
               ("Equipment rental", money(rng.uniform(3, 15)))]  # fmt: skip
    new = money(sum(v for _, v in charges))
    rate = Decimal(str(rng.choice(loc.rates)))
    tax = money(new * rate / 100)
    new_total = money(new + tax)
    pdf.text_at(15, 15, 100, seller, size=14, style="B")
    pdf.text_at(15, 22, 100, "Customer service 1-800-555-0199", size=8.5)
    pdf.text_at(W - 95, 15, 80, rng.choice(["Your bill", "Invoice", "Monthly statement"]), size=16,
                style="B", align="R")  # fmt: skip
    meta = [("Account number", f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}"),
            (rng.choice(["Invoice number", "Bill number", "Invoice No."]), number),
            (rng.choice(["Bill date", "Invoice date", "Statement date"]), d(issued)),
            ("Billing period", f"{d(start)} - {d(end)}"),
            ("Payment due", d(due))]  # fmt: skip
    for i, (k, v) in enumerate(meta):
        pdf.text_at(W - 110, 28 + i * 5, 40, k, size=9)
        pdf.text_at(W - 70, 28 + i * 5, 55, v, size=9, align="R")
    pdf.text_at(15, 35, 80, rng.choice(PEOPLE), size=10)
    bstreet, bcity = address(rng, loc)
    pdf.text_at(15, 40, 80, bstreet, size=10)
    pdf.text_at(15, 45, 80, bcity, size=10)
    y = 65
    pdf.text_at(15, y, 100, "Account summary", size=11, style="B")
    y += 7
    rows = [("Previous balance", m(prev), False),
            ("Payment received - thank you", fmt_amt(-prev, loc), False),
            ("Balance forward", m(money(0)), False),
            ("New charges this period", m(new_total), False),
            (rng.choice(["Total amount due", "Amount due", "Total due"]), m(new_total), True)]  # fmt: skip
    y = summary(pdf, 15, 110, 40, y, rows, font="helvetica")
    y += 8
    pdf.text_at(15, y, 100, "Charges details", size=11, style="B")
    y += 7
    crow = [(k, m(v), False) for k, v in charges] + [(f"{loc.tax} {rate_text(rate, loc)}", m(tax), False),
                                                     ("Total new charges", m(new_total), True)]  # fmt: skip
    y = summary(pdf, 15, 110, 40, y, crow, font="helvetica")
    pdf.text_at(15, y + 10, 180, f"Please pay {m(new_total)} by {d(due)} to avoid a late fee of {m(money(5))}.",
                size=9)  # fmt: skip
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(new_total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_simple(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """A freelancer's invoice: the number in the heading, a plain list, one TOTAL line."""
    pdf = new_pdf(rng)
    W = pdf.w
    font = rng.choice(["helvetica", "courier", "times"])
    seller = rng.choice(PEOPLE)
    issued = issue_date(rng)
    number = rng.choice([f"{rng.randint(1, 400):03d}", f"{issued.year}-{rng.randint(1, 60):02d}",
                         f"{rng.randint(1, 99)}"])  # fmt: skip
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(1, 4), SERVICES, 50, 1500)
    total = money(sum(it["amount"] for it in items))
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 20, W - 30, seller, size=18, style="B", align="C", font=font)
    pdf.text_at(15, 28, W - 30, f"{rng.choice(['Freelance designer', 'Software developer', 'Photographer'])}"
                f" · {seller.split()[0].lower()}@mail.example", size=9, align="C", font=font)  # fmt: skip
    head = rng.choice([f"INVOICE #{number}", f"Invoice {number}", f"INVOICE No. {number}",
                       f"Invoice Nr. {number}"])  # fmt: skip
    pdf.text_at(15, 45, 120, head, size=14, style="B", font=font)
    pdf.text_at(
        15, 53, 120, f"{rng.choice(['Date', 'Date:', 'Issued:'])} {d(issued)}", size=10, font=font
    )
    pdf.text_at(15, 62, 120, f"To: {seller_name(rng, loc)}", size=10, font=font)
    y = 78
    for it in items:
        qty = f"{it['quantity']} x {m(it['unit_price'])}" if it["quantity"] > 1 else ""
        pdf.text_at(15, y, 110, it["description"], size=10, font=font)
        pdf.text_at(110, y, 45, qty, size=10, font=font, align="R")
        pdf.text_at(155, y, 40, m(it["amount"]), size=10, font=font, align="R")
        y += 6
    pdf.line(110, y + 1, 195, y + 1)
    pdf.text_at(110, y + 3, 45, rng.choice(["TOTAL", "Total:", "Total due", "Amount due:"]), size=11,
                style="B", font=font, align="R")  # fmt: skip
    pdf.text_at(155, y + 3, 40, m(total), size=11, style="B", font=font, align="R")
    pdf.text_at(15, y + 20, 180, rng.choice(["Payment within 14 days. Thank you!",
                                             "Not subject to VAT. Payment due on receipt."]), size=9, font=font)  # fmt: skip
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip


def inv_footer_total(rng: random.Random, loc: Locale) -> tuple[bytes, dict]:
    """The items table ends with a net 'Total' row; the gross total follows after the tax."""
    pdf = new_pdf(rng)
    W = pdf.w
    seller, (street, city) = seller_name(rng, loc), address(rng, loc)
    issued = issue_date(rng)
    number = doc_number(rng, issued.year)
    dstyle = rng.choice(loc.dates)
    d = lambda v: fmt_date(v, dstyle)  # noqa: E731
    items = items_for(rng, rng.randint(2, 6), SERVICES, 10, 700)
    sub, disc, ship, rate, tax, total = amounts(rng, loc, items)
    m = lambda v: fmt_amt(v, loc)  # noqa: E731
    pdf.text_at(15, 15, 120, seller, size=14, style="B")
    pdf.text_at(15, 21.5, 120, f"{street}, {city}", size=9)
    pdf.text_at(
        W - 75, 15, 60, rng.choice(["INVOICE", "TAX INVOICE"]), size=16, style="B", align="R"
    )
    lines = [f"{rng.choice(['Invoice No.', 'Invoice #', 'Inv No'])}: {number}",
             f"{rng.choice(['Date', 'Invoice Date'])}: {d(issued)}",
             f"Delivery date: {d(issued - timedelta(days=rng.randint(1, 9)))}",
             f"Your order: {rng.randint(4000000, 4999999)} of {d(issued - timedelta(days=rng.randint(10, 30)))}"]  # fmt: skip
    rng.shuffle(lines)
    for i, t in enumerate(lines):
        pdf.text_at(W - 110, 25 + i * 5, 95, t, size=9, align="R")
    pdf.text_at(
        15, 35, 90, rng.choice(["Customer:", "Client:"]) + " " + seller_name(rng, loc), size=9
    )
    widths = [W - 105, 20, 35, 40]
    y = 62
    pdf.set_font("helvetica", "B", 9)
    pdf.set_xy(15, y)
    for h, w, a in zip(
        ["Description", "Qty", "Unit price", "Net amount"], widths, "LRRR", strict=True
    ):
        pdf.cell(w, 7, h, border=1, align=a)
    y += 7
    pdf.set_font("helvetica", "", 9)
    for it in items:
        pdf.set_xy(15, y)
        for c, w, a in zip([it["description"], str(it["quantity"]), m(it["unit_price"]), m(it["amount"])],
                           widths, "LRRR", strict=True):  # fmt: skip
            pdf.cell(w, 6.5, c, border=1, align=a)
        y += 6.5
    pdf.set_font("helvetica", "B", 9)
    pdf.set_xy(15, y)
    pdf.cell(sum(widths[:3]), 7, "Total", border=1, align="R")
    pdf.cell(widths[3], 7, m(sub), border=1, align="R")
    y += 14
    rows = [(f"{loc.tax} {rate_text(rate, loc)}", m(tax), False),
            (rng.choice(["Total (incl. VAT)", f"Total incl. {loc.tax}", "Gross total", "Amount payable",
                         "Total to pay", f"Total {loc.code}"]), m(total), True)]  # fmt: skip
    summary(pdf, W - 100, 55, 30, y, rows, font="helvetica")
    return bytes(pdf.output()), {"invoice_number": number, "date": issued.isoformat(),
                                 "total": str(total), "currency": loc.code, "vendor": seller}  # fmt: skip
