"""Till receipts of the hard evaluation set (supermarket, restaurant, German, Malaysian, card slip,
fuel, French) and the till roll PDF they are printed on."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from eval_pdf import Pdf
from hard_common import (
    CAFE,
    CITIES,
    DE_FOOD,
    FR_FOOD,
    GROCERIES,
    LOCALES,
    PEOPLE,
    STORES,
    Locale,
    address,
    fmt_date,
    fmt_num,
    issue_date,
    items_for,
    money,
    phone,
    rate_text,
)

Row = tuple[str, str, str]  # (left text, right text, style: '', 'B', 'C' centre, 'CB', 'L' large)


def rc_supermarket(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A US/UK/AU supermarket till roll: tax flags, SUBTOTAL/TAX/TOTAL, cash or card."""
    store = rng.choice(STORES.get(loc.key, STORES["us"]))
    street, city = address(rng, loc) if loc.key in CITIES else address(rng, LOCALES["us"])
    when = issue_date(rng)
    t = f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}"
    month_first = loc.key in ("us", "ca")
    dstyle = rng.choice(
        ["mdy", "mdy_yy", "mdy_short"] if month_first else ["dmy", "dmy_yy", "d_mon_y"]
    )
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    items = items_for(rng, rng.randint(3, 9), GROCERIES, 0.5, 14)
    for it in items:
        it["quantity"] = rng.choice([1, 1, 1, 1, 2, 3])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    sub = money(sum(it["amount"] for it in items))
    rate = Decimal(str(rng.choice(loc.rates)))
    taxable = money(sum(it["amount"] for it in items[: len(items) // 2 + 1]))
    tax = money(taxable * rate / 100) if loc.key == "us" else money(0)
    total = money(sub + tax)
    number = rng.choice([f"{rng.randint(1000, 9999)}", f"{rng.randint(100000, 999999)}",
                         f"{rng.randint(10, 99)}{rng.randint(1000, 9999)}"])  # fmt: skip
    num_label = rng.choice(
        ["Receipt #", "Trans #", "TRN#", "Receipt No:", "Trans:", "Rcpt#", "TRANS"]
    )
    rows: list[Row] = [(store, "", "CB"), (street, "", "C"), (city, "", "C"),
                       (phone(rng, loc), "", "C"), ("", "", "")]  # fmt: skip
    top = rng.random() < 0.5
    meta = [(f"ST# {rng.randint(10, 9999)} OP# {rng.randint(10, 99)} TE# {rng.randint(1, 20)}", "", ""),
            (f"{num_label} {number}", "", "")]  # fmt: skip
    if rng.random() < 0.5:
        meta = [
            (f"ST# {rng.randint(10, 9999)} OP# {rng.randint(10, 99)}", f"{num_label} {number}", "")
        ]
    if top:
        rows.extend(meta)
        rows.append((f"{fmt_date(when, dstyle)}  {t}", "", ""))
    for it in items:
        flag = rng.choice(["F", "T", "N", "A", ""]) if loc.key == "us" else ""
        if it["quantity"] > 1:
            rows.append((f"{it['quantity']} @ {n(it['unit_price'])}", "", ""))
        rows.append((it["description"], f"{n(it['amount'])} {flag}".strip(), ""))
    if rng.random() < 0.35:
        saving = money(rng.uniform(0.5, 3))
        rows.append(("  CLUB SAVINGS", f"{n(-saving)}", ""))
        total = money(total - saving)
        sub = money(sub - saving)
    rows.append(("", "", ""))
    rows.append(("SUBTOTAL", n(sub), ""))
    if loc.key == "us":
        rows.append((f"TAX {rate_text(rate, loc)}", n(tax), ""))
    total_label = rng.choice(["TOTAL", "**** TOTAL", "TOTAL DUE", "BALANCE DUE", "TOTAL SALE",
                              "AMOUNT DUE", "Total"])  # fmt: skip
    rows.append((total_label, n(total) if rng.random() < 0.6 else f"{loc.sym}{n(total)}", "B"))
    if rng.random() < 0.5:
        cash = money((int(total) // 10 + 1) * 10 + rng.choice([0, 0, 10, 20]))
        rows.append((rng.choice(["CASH", "CASH TEND", "CASH TENDERED"]), n(cash), ""))
        rows.append((rng.choice(["CHANGE", "CHANGE DUE"]), n(cash - total), ""))
    else:
        card = rng.choice(["VISA", "MASTERCARD", "DEBIT", "AMEX"])
        rows.append((f"{card} TEND", n(total), ""))
        rows.append((f"{card} ************{rng.randint(1000, 9999)}", "", ""))
        rows.append((f"APPROVAL # {rng.randint(100000, 999999)}", "", ""))
        rows.append(("CHANGE DUE", n(money(0)), ""))
    rows.append((f"# ITEMS SOLD {sum(it['quantity'] for it in items)}", "", ""))
    if not top:
        rows.extend(meta)
        rows.append((f"{fmt_date(when, dstyle)}  {t}", "", ""))
    rows.append(("", "", ""))
    rows.append(
        (rng.choice(["THANK YOU FOR SHOPPING WITH US", "Thank you! Please come again"]), "", "C")
    )
    rows.append(("Returns within 30 days with receipt", "", "C"))
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_restaurant(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A restaurant check: table, server, guests, tip suggestions below the total."""
    store = rng.choice(STORES.get(loc.key, STORES["us"]))
    when = issue_date(rng)
    dstyle = rng.choice(loc.dates[:3])
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    items = items_for(rng, rng.randint(2, 6), CAFE, 3, 24)
    for it in items:
        it["quantity"] = rng.choice([1, 1, 2])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    sub = money(sum(it["amount"] for it in items))
    rate = Decimal(str(rng.choice(loc.rates)))
    service = money(sub * Decimal("0.10")) if loc.key in ("sg", "my") else money(0)
    tax = money((sub + service) * rate / 100)
    total = money(sub + service + tax)
    number = f"{rng.randint(1000, 99999)}"
    rows: list[Row] = [(store, "", "CB")]
    street, city = address(rng, loc) if loc.key in CITIES else address(rng, LOCALES["us"])
    rows += [(street, "", "C"), (city, "", "C"), ("", "", "")]
    rows.append((f"{rng.choice(['Check #', 'Chk', 'Bill No:', 'Order #'])} {number}",
                 f"Table {rng.randint(1, 40)}", ""))  # fmt: skip
    rows.append((f"Server: {rng.choice(PEOPLE).split()[0]}", f"Guests: {rng.randint(1, 6)}", ""))
    rows.append(
        (f"{fmt_date(when, dstyle)} {rng.randint(11, 22)}:{rng.randint(0, 59):02d}", "", "")
    )
    rows.append(("-" * 34, "", ""))
    for it in items:
        rows.append((f"{it['quantity']} {it['description']}", n(it["amount"]), ""))
    rows.append(("-" * 34, "", ""))
    rows.append(("Subtotal", n(sub), ""))
    if service:
        rows.append(("Service Charge 10%", n(service), ""))
    if tax:
        rows.append((f"{loc.tax} {rate_text(rate, loc)}", n(tax), ""))
    rows.append(
        (rng.choice(["Total", "TOTAL", "Amount Due", "Balance Due"]), f"{loc.sym}{n(total)}", "B")
    )
    if rng.random() < 0.6:
        rows.append(("", "", ""))
        rows.append(("Suggested gratuity:", "", ""))
        for pct in (15, 18, 20):
            tip = money(sub * pct / 100)
            rows.append((f"  {pct}% = {n(tip)}", f"Total {n(total + tip)}", ""))
    rows.append(("", "", ""))
    rows.append(("Thank you for dining with us!", "", "C"))
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_german(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A German Kassenbon: SUMME, Bar/Rückgeld or EC-Karte, MwSt table, TSE lines."""
    store = rng.choice(STORES["de"])
    street, city = address(rng, LOCALES["de"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, "eu")  # noqa: E731
    items = items_for(rng, rng.randint(3, 8), DE_FOOD, 0.3, 9)
    for it in items:
        it["quantity"] = rng.choice([1, 1, 1, 2, 3])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    total = money(sum(it["amount"] for it in items))
    net = money(total / Decimal("1.07"))
    number = f"{rng.randint(1000, 9999)}"
    rows: list[Row] = [(store, "", "CB"), (street, "", "C"), (city, "", "C"),
                       (f"Tel. 030 {rng.randint(100000, 999999)}", "", "C"),
                       (f"USt-IdNr.: DE{rng.randint(100000000, 999999999)}", "", "C"), ("", "", ""), ("EUR", "", "")]  # fmt: skip
    for it in items:
        if it["quantity"] > 1:
            rows.append((it["description"], "", ""))
            rows.append((f"  {it['quantity']} x {n(it['unit_price'])}", f"{n(it['amount'])} A", ""))
        else:
            rows.append((it["description"], f"{n(it['amount'])} A", ""))
    rows.append(("-" * 34, "", ""))
    rows.append((rng.choice(["SUMME", "Summe EUR", "ZU ZAHLEN", "Gesamt EUR"]), n(total), "B"))
    if rng.random() < 0.5:
        given = money((int(total) // 5 + 1) * 5)
        rows.append(("Geg. Bar", n(given), ""))
        rows.append(("Rückgeld", n(given - total), ""))
    else:
        rows.append(("Geg. EC-Karte", n(total), ""))
    rows.append(("", "", ""))
    rows.append(("MwSt-Satz   Netto   MwSt   Brutto", "", ""))
    rows.append((f"A 7%   {n(net)}   {n(total - net)}", n(total), ""))
    rows.append(("", "", ""))
    dstyle = rng.choice(["dot", "dot_yy"])
    rows.append((f"{fmt_date(when, dstyle)} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}",
                 f"{rng.choice(['Bon-Nr.', 'Bon-Nr:', 'Beleg-Nr.', 'Bon'])} {number}", ""))  # fmt: skip
    rows.append((f"Kasse {rng.randint(1, 9)}   Bed. {rng.randint(100, 999)}", "", ""))
    rows.append((f"TSE-Transaktion: {rng.randint(100000, 999999)}", "", ""))
    rows.append(
        (
            f"TSE-Start: {when.isoformat()}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:11",
            "",
            "",
        )
    )
    rows.append(("Vielen Dank für Ihren Einkauf!", "", "C"))
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_my_tax_invoice(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A Malaysian till 'tax invoice': company reg no, SST/GST summary, rounding, cash/change."""
    store = rng.choice(STORES["my"]) + rng.choice([" SDN BHD", ""])
    street, city = address(rng, LOCALES["my"])
    when = issue_date(rng)
    dstyle = rng.choice(["dmy", "dmy_dash", "dd_mon_yyyy"])
    n = lambda v: fmt_num(v, "us")  # noqa: E731
    items = items_for(rng, rng.randint(2, 7), GROCERIES, 1, 40)
    for it in items:
        it["quantity"] = rng.choice([1, 1, 2, 3])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    sub = money(sum(it["amount"] for it in items))
    tax = money(sub * Decimal("0.06"))
    gross = money(sub + tax)
    rounded = money((gross * 20).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 20)
    rounding = money(rounded - gross)
    number = rng.choice([f"CS{rng.randint(10000, 99999)}", f"{rng.randint(100000, 999999)}",
                         f"T{rng.randint(100, 999)}-{rng.randint(10000, 99999)}"])  # fmt: skip
    rows: list[Row] = [(store, "", "CB"), (f"(CO. REG: {rng.randint(100000, 999999)}-{rng.choice('ADHKMPTUVW')})", "", "C"),
                       (street, "", "C"), (city, "", "C"),
                       (f"SST ID: W10-{rng.randint(1000, 9999)}-{rng.randint(10000000, 99999999)}", "", "C"),
                       ("TAX INVOICE", "", "CB"), ("", "", "")]  # fmt: skip
    rows.append(
        (
            f"{rng.choice(['Invoice No:', 'Doc No:', 'Bill No:', 'Receipt No:', 'INV NO.'])} {number}",
            "",
            "",
        )
    )
    rows.append(
        (
            f"Date: {fmt_date(when, dstyle)} {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}",
            "",
            "",
        )
    )
    rows.append(
        (
            f"Cashier: {rng.choice(['ALI', 'SITI', 'MEI LING', 'RAJ'])}",
            f"Counter: {rng.randint(1, 5)}",
            "",
        )
    )
    rows.append(("QTY  DESCRIPTION", "AMOUNT", ""))
    for it in items:
        rows.append(
            (f"{it['quantity']} x {it['description']} @{n(it['unit_price'])}", n(it["amount"]), "")
        )
    rows.append(("-" * 34, "", ""))
    rows.append(("Total Sales (Excluding SST)", n(sub), ""))
    rows.append(("SST @ 6%", n(tax), ""))
    rows.append(("Rounding Adj", n(rounding), ""))
    rows.append((rng.choice(["TOTAL (RM)", "Total Sales (Inclusive of SST)", "TOTAL", "Nett Total",
                             "ROUNDED TOTAL (RM)"]), n(rounded), "B"))  # fmt: skip
    cash = money((int(rounded) // 10 + 1) * 10 + rng.choice([0, 40]))
    rows.append(("CASH", n(cash), ""))
    rows.append(("CHANGE", n(cash - rounded), ""))
    rows.append(("", "", ""))
    rows.append(("SST Summary   Amount(RM)   Tax(RM)", "", ""))
    rows.append((f"S @ 6%   {n(sub)}", n(tax), ""))
    rows.append(("GOODS SOLD ARE NOT RETURNABLE", "", "C"))
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(rounded),
                  "vendor": store}  # fmt: skip


def rc_card_slip(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A payment terminal slip: MID/TID/BATCH/TRACE, SALE, AMOUNT, APPROVED."""
    store = rng.choice(STORES.get(loc.key, STORES["us"]))
    when = issue_date(rng)
    dstyle = rng.choice(["mdy_yy", "mdy"] if loc.key == "us" else ["dmy_yy", "dmy", "dd_mon_yyyy"])
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    amount = money(rng.uniform(4, 260))
    number = f"{rng.randint(1, 9999):06d}"
    rows: list[Row] = [(store, "", "CB"), (address(rng, loc)[1] if loc.key in CITIES else "", "", "C"), ("", "", ""),
                       (f"MID: {rng.randint(10**11, 10**12 - 1)}", "", ""), (f"TID: {rng.randint(10**7, 10**8 - 1)}", "", ""),
                       (f"DATE: {fmt_date(when, dstyle)}", f"TIME: {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}", ""),
                       (f"BATCH: {rng.randint(100, 999):06d}", f"{rng.choice(['INVOICE:', 'RECEIPT #', 'INV NO:'])} {number}", ""),
                       (f"TRACE: {rng.randint(1, 999999):06d}", f"RRN: {rng.randint(10**11, 10**12 - 1)}", ""),
                       ("", "", ""), ("SALE", "", "CB"), (f"VISA   ************{rng.randint(1000, 9999)}", "", ""),
                       ("CONTACTLESS", "", "")]  # fmt: skip
    tip = money(0)
    if rng.random() < 0.4:
        base = money(amount * Decimal("0.85"))
        tip = money(amount - base)
        rows.append(("BASE", f"{loc.code} {n(base)}", ""))
        rows.append(("TIP", f"{loc.code} {n(tip)}", ""))
        rows.append(("TOTAL", f"{loc.code} {n(amount)}", "B"))
    else:
        rows.append((rng.choice(["AMOUNT", "AMT", "TOTAL"]), f"{loc.code} {n(amount)}", "B"))
    rows += [("", "", ""), (f"APPROVED  AUTH CODE: {rng.randint(100000, 999999)}", "", ""),
             ("NO SIGNATURE REQUIRED", "", "C"), ("CARDHOLDER COPY", "", "C")]  # fmt: skip
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(amount),
                  "vendor": store}  # fmt: skip


def rc_fuel(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A fuel station receipt: pump, litres at a unit price, shop items, VAT included."""
    store = rng.choice(["QUICKFUEL STATION 221", "ROADSIDE PETROL", "SHELL KINGS RD"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    litres = Decimal(str(round(rng.uniform(15, 60), 2)))
    ppl = Decimal(str(round(rng.uniform(1.4, 1.9), 3)))
    fuel = money(litres * ppl)
    extra = money(rng.uniform(1, 6)) if rng.random() < 0.5 else money(0)
    total = money(fuel + extra)
    vat = money(total * Decimal(str(loc.rates[0])) / (100 + Decimal(str(loc.rates[0]))))
    number = f"{rng.randint(1000, 9999)}/{rng.randint(100, 999)}"
    rows: list[Row] = [(store, "", "CB"), (address(rng, loc)[0], "", "C"), (f"VAT No. {rng.randint(100000000, 999999999)}", "", "C"),
                       ("", "", ""), (f"Pump {rng.randint(1, 12)}  UNLEADED", "", ""),
                       (f"{litres} L @ {ppl} /L", n(fuel), "")]  # fmt: skip
    if extra:
        rows.append(("Coffee to go", n(extra), ""))
    rows += [("", "", ""), ("TOTAL", f"{loc.sym}{n(total)}", "B"), ("CARD", n(total), ""),
             (f"VAT {rate_text(Decimal(str(loc.rates[0])), loc)} incl.", n(vat), ""), ("", "", ""),
             (f"{fmt_date(when, rng.choice(loc.dates[:2]))}  {rng.randint(6, 23):02d}:{rng.randint(0, 59):02d}",
              f"Receipt {number}", ""),
             ("Drive safely!", "", "C")]  # fmt: skip
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_french(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A French ticket de caisse: TOTAL TTC, ESPECES/RENDU, TVA table."""
    store = rng.choice(STORES["fr"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, "eu").replace(".", " ")  # noqa: E731
    items = items_for(rng, rng.randint(2, 6), FR_FOOD, 0.8, 12)
    for it in items:
        it["quantity"] = 1
        it["amount"] = it["unit_price"]
    total = money(sum(it["amount"] for it in items))
    number = f"{rng.randint(1000, 99999)}"
    rows: list[Row] = [(store, "", "CB"), (address(rng, LOCALES["fr"])[0], "", "C"), (address(rng, LOCALES["fr"])[1], "", "C"),
                       (f"SIRET {rng.randint(100000000, 999999999)}00017", "", "C"), ("", "", "")]  # fmt: skip
    for it in items:
        rows.append((it["description"], f"{n(it['amount'])} €", ""))
    rows.append(("-" * 34, "", ""))
    rows.append((rng.choice(["TOTAL TTC", "TOTAL", "TOTAL EUR", "A PAYER"]), f"{n(total)} €", "B"))
    given = money((int(total) // 10 + 1) * 10)
    if rng.random() < 0.5:
        rows.append(("ESPECES", f"{n(given)} €", ""))
        rows.append(("RENDU", f"{n(given - total)} €", ""))
    else:
        rows.append(("CB SANS CONTACT", f"{n(total)} €", ""))
    ht = money(total / Decimal("1.055"))
    rows += [("TVA 5,5%", f"{n(total - ht)} €", ""), ("Total HT", f"{n(ht)} €", ""), ("", "", ""),
             (f"{rng.choice(['Ticket N°', 'N° ticket :', 'Ticket'])} {number}", f"Caisse {rng.randint(1, 9)}", ""),
             (f"{fmt_date(when, 'dmy')} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}", "", ""),
             ("MERCI DE VOTRE VISITE", "", "C")]  # fmt: skip
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def receipt_pdf(rows: list[Row], rng: random.Random, width: float = 80) -> bytes:
    """A till roll (80 or 58 mm wide) with the rows printed on it; 'L' rows print double size."""
    font = rng.choice(["courier", "courier", "helvetica"])
    size = rng.choice([8, 8.5, 9]) if width >= 80 else rng.choice([7, 7.5])
    step = size * 0.5
    height = 16 + step * (len(rows) + sum(1 for r in rows if "L" in r[2]))
    pdf = Pdf(format=(width, max(height, 90 if width >= 80 else 70)))
    pdf.set_margins(4, 4, 4)
    pdf.add_page()
    inner = width - 8
    y = 6.0
    for left, right, style in rows:
        bold = "B" if "B" in style else ""
        big = "L" in style
        # A till prints a long line in a condensed face rather than past the paper's edge.
        line_size = size * (1.6 if big else 1) + (1.5 if bold and "C" in style else 0)
        pdf.set_font(font, bold, line_size)
        while line_size > 5 and pdf.get_string_width(left + "  " + right) > inner - 1:
            line_size -= 0.5
            pdf.set_font(font, bold, line_size)
        h = step * (2 if big else 1)
        if "C" in style:
            pdf.text_at(4, y, inner, left, size=line_size, style=bold, font=font, align="C", h=h)
        else:
            if left:
                pdf.text_at(4, y, inner, left, size=line_size, style=bold, font=font, h=h)
            if right:
                pdf.text_at(width / 2, y, width / 2 - 4, right, size=line_size, style=bold,
                            font=font, align="R", h=h)  # fmt: skip
        y += h
    return bytes(pdf.output())
