"""More till receipts of the hard evaluation set: UK shop, pharmacy, Australian cafe, Malaysian
cash bill, long roll and 58 mm slip."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from hard_common import (
    CAFE,
    GROCERIES,
    LOCALES,
    STORES,
    Locale,
    address,
    fmt_date,
    fmt_num,
    issue_date,
    items_for,
    money,
    rate_text,
)
from hard_receipts import Row, rc_supermarket


def rc_uk_shop(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A UK shop receipt: BALANCE DUE, VAT summary, receipt number at the bottom."""
    store = rng.choice(STORES["uk"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, "us")  # noqa: E731
    items = items_for(rng, rng.randint(2, 7), GROCERIES + CAFE, 0.6, 15)
    for it in items:
        it["quantity"] = 1
        it["amount"] = it["unit_price"]
    total = money(sum(it["amount"] for it in items))
    vat = money(total / 6)
    number = f"{rng.randint(1, 9)}{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    rows: list[Row] = [(store, "", "CB"), (address(rng, LOCALES["uk"])[0], "", "C"),
                       (f"VAT Reg No. GB {rng.randint(100, 999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}", "", "C"), ("", "", "")]  # fmt: skip
    for it in items:
        rows.append((it["description"].title(), f"£{n(it['amount'])}", ""))
    rows.append((f"{len(items)} BALANCE DUE", f"£{n(total)}", "B"))
    rows.append((rng.choice(["Visa Debit", "Mastercard", "Cash"]), f"£{n(total)}", ""))
    rows.append(("Change", "£0.00", ""))
    rows += [("", "", ""), ("VAT RATE   NET   VAT", "", ""), (f"S 20%   {n(total - vat)}", n(vat), ""),
             ("", "", ""), (f"{fmt_date(when, rng.choice(['dmy', 'dmy_yy']))}  {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}", "", ""),
             (f"{rng.choice(['Receipt No.', 'Receipt:', 'Trans No.'])} {number}", "", ""),
             ("Thank you for shopping with us", "", "C")]  # fmt: skip
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_pharmacy(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A chain pharmacy receipt: savings, loyalty points, item count, totals after the total."""
    store = rng.choice(["SUNSET PHARMACY", "CAREWELL DRUG #2281", "HEALTHPLUS CHEMIST"])
    when = issue_date(rng)
    us = loc.key == "us"
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    items = items_for(rng, rng.randint(2, 7), GROCERIES, 1.5, 30)
    for it in items:
        it["quantity"] = 1
        it["amount"] = it["unit_price"]
    sub = money(sum(it["amount"] for it in items))
    saved = money(sub * Decimal("0.1")) if rng.random() < 0.6 else money(0)
    rate = Decimal(str(rng.choice(loc.rates)))
    tax = money((sub - saved) * rate / 100) if us else money(0)
    total = money(sub - saved + tax)
    number = f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(100, 999)}"
    rows: list[Row] = [
        (store, "", "CB"),
        (address(rng, loc)[0], "", "C"),
        (address(rng, loc)[1], "", "C"),
        ("", "", ""),
    ]
    ds = rng.choice(["mon_us", "mdy", "iso"] if us else ["dmy", "d_mon_y", "dmy_yy"])
    rows.append(
        (
            f"{fmt_date(when, ds)}  {rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])}",
            "",
            "",
        )
    )
    for it in items:
        rows.append((it["description"], n(it["amount"]), ""))
        if saved and rng.random() < 0.4:
            rows.append(("  Regular price " + n(it["amount"] + 1), "", ""))
    rows.append(("SUBTOTAL", n(sub), ""))
    if saved:
        rows.append(("REWARDS DISCOUNT", n(-saved), ""))
    if tax:
        rows.append((f"TAX {rate_text(rate, loc)}", n(tax), ""))
    rows.append((rng.choice(["TOTAL", "TOTAL DUE", "BALANCE"]), n(total), "B"))
    rows.append((rng.choice(["VISA CREDIT", "DEBIT", "MASTERCARD"]), n(total), ""))
    rows.append((f"CARD # XXXXXXXXXXXX{rng.randint(1000, 9999)}", "", ""))
    rows.append(("", "", ""))
    rows.append((f"TOTAL NUMBER OF ITEMS SOLD = {len(items)}", "", ""))
    if saved:
        rows.append((f"TOTAL SAVINGS {n(saved)}", "", ""))
    rows.append((f"REWARD POINTS BALANCE {rng.randint(100, 9999):,}", "", ""))
    rows.append(("", "", ""))
    rows.append((f"{rng.choice(['RECEIPT #', 'RCPT#', 'Receipt:', 'TRANS ID'])} {number}", "", ""))
    rows.append(("Get well soon!", "", "C"))
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_au_cafe(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """An Australian cafe 'tax invoice' till slip: ABN, total inc GST, GST included, EFTPOS."""
    store = rng.choice(STORES["au"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, "us")  # noqa: E731
    items = items_for(rng, rng.randint(2, 6), CAFE, 3.5, 26)
    for it in items:
        it["quantity"] = rng.choice([1, 1, 2])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    total = money(sum(it["amount"] for it in items))
    surcharge = money(total * Decimal("0.015")) if rng.random() < 0.3 else money(0)
    total = money(total + surcharge)
    gst = money(total / 11)
    number = f"{rng.randint(10000, 999999)}"
    rows: list[Row] = [(store, "", "CB"), (f"ABN {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}", "", "C"),
                       (address(rng, LOCALES["au"])[1], "", "C"), ("TAX INVOICE", "", "CB"), ("", "", "")]  # fmt: skip
    rows.append(
        (
            f"{rng.choice(['Order', 'Invoice', 'Docket'])} #{number}",
            fmt_date(when, rng.choice(["dmy", "dmy_yy"])),
            "",
        )
    )
    for it in items:
        rows.append((f"{it['quantity']}x {it['description']}", f"${n(it['amount'])}", ""))
    if surcharge:
        rows.append(("Card surcharge 1.5%", f"${n(surcharge)}", ""))
    rows.append((rng.choice(["Total (inc GST)", "TOTAL", "Total AUD"]), f"${n(total)}", "B"))
    rows.append(("GST included in total", f"${n(gst)}", ""))
    rows.append(("EFTPOS", f"${n(total)}", ""))
    rows.append(("Change", "$0.00", ""))
    rows.append(("", "", ""))
    rows.append(("Thanks! See you tomorrow", "", "C"))
    return rows, {"receipt_number": number, "date": when.isoformat(), "total": str(total),
                  "vendor": store}  # fmt: skip


def rc_sroie(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A Malaysian cash bill: two-line items with QTY U/P AMT, GST summary, total quantity."""
    store = rng.choice(["SYARIKAT HARDWARE LIM", "ANEKA MART (M) SDN BHD", "RESTORAN NASI KANDAR"])
    street, city = address(rng, LOCALES["my"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, "us")  # noqa: E731
    items = items_for(rng, rng.randint(2, 8), GROCERIES, 1, 60)
    for it in items:
        it["quantity"] = rng.choice([1, 1, 2, 3, 5])
        it["amount"] = money(it["unit_price"] * it["quantity"])
    sub = money(sum(it["amount"] for it in items))
    gst = money(sub * Decimal("0.06"))
    gross = money(sub + gst)
    rounded = money((gross * 20).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 20)
    number = rng.choice([f"CS{rng.randint(10**7, 10**8 - 1)}", f"{rng.randint(10**5, 10**6 - 1)}",
                         f"CB-{rng.randint(1000, 9999)}"])  # fmt: skip
    rows: list[Row] = [(store, "", "CB"), (f"CO-REG {rng.randint(100000, 999999)}-{rng.choice('ADKPTUVW')}", "", "C"),
                       (street, "", "C"), (city, "", "C"), (f"TEL: 03-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", "", "C"),
                       (f"GST ID: 00{rng.randint(10**9, 10**10 - 1)}", "", "C"),
                       (rng.choice(["CASH BILL", "TAX INVOICE", "SIMPLIFIED TAX INVOICE", "RECEIPT"]), "", "CB"), ("", "", "")]  # fmt: skip
    label = rng.choice(["Doc No.:", "CB No:", "Receipt No:", "Bill No:", "Invoice No.:"])
    dstyle = rng.choice(["dmy", "dmy_dash", "iso", "dd_mon_yyyy"])
    rows.append((f"{label} {number}", "", ""))
    rows.append(
        (
            f"Date: {fmt_date(when, dstyle)}",
            f"Time: {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
            "",
        )
    )
    rows.append(
        (
            f"Cashier: {rng.choice(['ADMIN', 'NORA', 'LIM'])}",
            f"Salesperson: {rng.randint(1, 20)}",
            "",
        )
    )
    rows.append(("-" * 40, "", ""))
    rows.append(("ITEM        QTY    U/P", "AMT(RM)", ""))
    for it in items:
        rows.append((it["description"], "", ""))
        rows.append(
            (
                f"  {rng.randint(10**11, 10**12 - 1)}   {it['quantity']}  x {n(it['unit_price'])}",
                n(it["amount"]),
                "",
            )
        )
    rows.append(("-" * 40, "", ""))
    rows.append((f"Total Qty: {sum(it['quantity'] for it in items)}", "", ""))
    rows.append(("Total Sales (Excluding GST)", n(sub), ""))
    rows.append(("Total GST", n(gst), ""))
    rows.append(("Total Sales (Inclusive GST)", n(gross), ""))
    rows.append(("Rounding", n(rounded - gross), ""))
    rows.append(
        (
            rng.choice(["Total Amount", "TOTAL AMOUNT PAYABLE", "NETT TOTAL", "Total"]),
            n(rounded),
            "B",
        )
    )
    paid = money((int(rounded) // 50 + 1) * 50)
    rows.append(("Cash", n(paid), ""))
    rows.append(("Change", n(paid - rounded), ""))
    rows.append(("", "", ""))
    rows.append(("GST Summary   Amount(RM)   Tax(RM)", "", ""))
    rows.append((f"SR @ 6%   {n(sub)}", n(gst), ""))
    rows.append(("Thank You. Please Come Again.", "", "C"))
    total = str(rounded)
    return rows, {
        "receipt_number": number,
        "date": when.isoformat(),
        "total": total,
        "vendor": store,
    }


def rc_long(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A long supermarket roll: many items, multi-buy offers, totals at the very end."""
    rows, fields = rc_supermarket(rng, loc)
    extra = items_for(rng, 14, GROCERIES, 0.5, 9)
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    insert_at = next(i for i, r in enumerate(rows) if r[0] == "SUBTOTAL") - 1
    add = money(sum(it["amount"] for it in extra))
    new_rows = []
    for it in extra:
        if it["quantity"] > 1:
            new_rows.append((f"{it['quantity']} @ {n(it['unit_price'])}", "", ""))
        new_rows.append((it["description"], n(it["amount"]), ""))
    rows[insert_at:insert_at] = new_rows
    out = []
    for left, right, style in rows:
        # Every amount below the items grows by the extra items' cost (tax-free extras).
        if left == "SUBTOTAL" or style == "B" or left.endswith(" TEND"):
            value = Decimal(right.replace(loc.sym, "").replace(",", "")) + add
            right = (loc.sym if right.startswith(loc.sym) else "") + n(value)
        if left.startswith(("CASH", "CHANGE")):
            continue
        out.append((left, right, style))
    fields["total"] = str(money(Decimal(fields["total"]) + add))
    return out, fields


def rc_58mm(rng: random.Random, loc: Locale) -> tuple[list[Row], dict]:
    """A narrow 58 mm slip from a small shop: amounts under the item names, a big TOTAL."""
    store = rng.choice(["KIOSK 24", "MINI MARKET SEVEN", "BUBBLE TEA HOUSE", "KEDAI MAKAN ALI"])
    when = issue_date(rng)
    n = lambda v: fmt_num(v, loc.num)  # noqa: E731
    items = items_for(rng, rng.randint(2, 5), CAFE, 2, 18)
    for it in items:
        it["quantity"] = 1
        it["amount"] = it["unit_price"]
    total = money(sum(it["amount"] for it in items))
    number = f"{rng.randint(100, 9999):05d}"
    ds = rng.choice(loc.dates[:3] + ("iso",))
    rows: list[Row] = [(store, "", "CB"), ("", "", ""), (f"No: {number}", "", ""),
                       (f"{fmt_date(when, ds)} {rng.randint(10, 22)}:{rng.randint(0, 59):02d}", "", ""), ("-" * 24, "", "")]  # fmt: skip
    for it in items:
        rows.append((it["description"], "", ""))
        rows.append(("", f"{n(it['amount'])}", ""))
    rows.append(("-" * 24, "", ""))
    rows.append(("TOTAL", f"{loc.sym}{n(total)}" if loc.pos == "pre" else f"{n(total)}", "BL"))
    rows.append(("PAID", n(total), ""))
    rows.append(("", "", ""))
    rows.append(("THANK YOU", "", "C"))
    return rows, {
        "receipt_number": number,
        "date": when.isoformat(),
        "total": str(total),
        "vendor": store,
    }
