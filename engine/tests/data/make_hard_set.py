"""Build a harder labelled evaluation set: invoices and receipts laid out like real ones.

Where engine/tests/data/make_eval_set.py prints tidy documents, this set prints what real invoices and
till receipts look like: two-column headers (seller left, invoice details right), bordered
tables, many label wordings and languages, subtotal/discount/shipping/tax lines before the total,
totals printed twice, other dates and numbers beside the ones asked for (due, delivery and order
dates, billing periods, customer, account, order and VAT numbers), dates in many formats with the
day/month order settled only by the country, amounts in several digit-grouping conventions, and
scans: till rolls rendered at 150-200 dpi then tilted, skewed, blurred, faded, unevenly lit,
noised and JPEG-compressed, and A4 invoices as image-only PDFs.

Deterministic for a given seed. Writes the files and ``labels.json`` (same shape as the easy
set's) into the output folder:

    python engine/tests/data/make_hard_set.py --out /tmp/ingestio-hard --seed 11

A label's ``prompt`` is None for documents run with auto-detection (classify, then the type's
default prompt).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_eval_set import Pdf, image_pdf, render  # noqa: E402

CENT = Decimal("0.01")

# ---------------------------------------------------------------- locales and formatting


@dataclass(frozen=True)
class Locale:
    """How a country writes money and dates, and what its tax is called."""

    key: str
    code: str
    sym: str
    pos: str  # pre | pre_space | post_space | code_pre | code_post
    num: str  # us | eu | fr | ch | in | plain
    dates: tuple[str, ...]
    lang: str
    tax: str
    rates: tuple[float, ...]


LOCALES = {
    "us": Locale("us", "USD", "$", "pre", "us",
                 ("mdy", "mdy_short", "long_us", "mon_us", "mdy_yy", "iso", "dow_us"),
                 "en", "Sales Tax", (0, 6.25, 7, 8.25, 8.875)),
    "uk": Locale("uk", "GBP", "£", "pre", "us",
                 ("dmy", "d_month_y", "d_mon_y", "ordinal", "dd_mon_yyyy", "dmy_yy"),
                 "en", "VAT", (20,)),
    "ie": Locale("ie", "EUR", "€", "pre", "us", ("dmy", "d_month_y", "iso"), "en", "VAT", (23, 13.5)),
    "de": Locale("de", "EUR", "€", "post_space", "eu", ("dot", "dot_yy", "de_long"), "de", "MwSt.",
                 (19, 7)),
    "fr": Locale("fr", "EUR", "€", "post_space", "fr", ("dmy", "fr_long"), "fr", "TVA", (20, 10, 5.5)),
    "nl": Locale("nl", "EUR", "€", "pre_space", "eu", ("dmy_dash", "d_month_y", "iso"), "en", "VAT",
                 (21, 9)),
    "ch": Locale("ch", "CHF", "CHF", "code_pre", "ch", ("dot", "iso"), "de", "MWST", (8.1, 2.6)),
    "au": Locale("au", "AUD", "$", "pre", "us", ("dmy", "d_mon_y", "d_month_y"), "en", "GST", (10,)),
    "ca": Locale("ca", "CAD", "$", "pre", "us", ("iso", "long_us", "mon_us"), "en", "HST", (13, 5)),
    "my": Locale("my", "MYR", "RM", "code_pre", "us", ("dmy", "dmy_dash", "dd_mon_yyyy"), "en", "SST",
                 (6, 0)),
    "sg": Locale("sg", "SGD", "S$", "pre", "us", ("dmy", "d_mon_y"), "en", "GST", (9,)),
    "in": Locale("in", "INR", "Rs.", "pre", "in", ("dmy", "dd_mon_yyyy", "dmy_dash"), "en", "GST",
                 (18, 12)),
}  # fmt: skip

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]  # fmt: skip
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]  # fmt: skip
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]  # fmt: skip
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def money(x) -> Decimal:
    """Round to cents."""
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_num(v: Decimal, style: str) -> str:
    """A number with two decimals, grouped the way the locale groups digits."""
    sign = "-" if v < 0 else ""
    whole, frac = f"{abs(v):.2f}".split(".")
    if style == "plain":
        return f"{sign}{whole}.{frac}"
    if style == "in":
        head, tail = whole[:-3], whole[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        return sign + ",".join(groups + [tail]) + "." + frac
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep, dec = {"us": (",", "."), "eu": (".", ","), "fr": (" ", ","), "ch": ("'", ".")}[style]
    return sign + sep.join(groups) + dec + frac


def fmt_amt(v: Decimal, loc: Locale, *, cur: bool = True, paren: bool = False) -> str:
    """An amount with its currency sign or code where the locale puts it."""
    num = fmt_num(abs(v) if paren else v, loc.num)
    if cur:
        if loc.pos == "pre":
            num = f"-{loc.sym}{num[1:]}" if num.startswith("-") else f"{loc.sym}{num}"
        elif loc.pos == "pre_space":
            num = f"{loc.sym} {num}"
        elif loc.pos == "post_space":
            num = f"{num} {loc.sym}"
        elif loc.pos == "code_pre":
            num = f"{loc.sym} {num}"
        else:
            num = f"{num} {loc.code}"
    if paren and v < 0:
        return f"({num})"
    return num


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th..."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fmt_date(d: date, style: str) -> str:
    """A date written in one of the usual formats."""
    m_en, mon = MONTHS_EN[d.month - 1], MONTHS_EN[d.month - 1][:3]
    table = {
        "mdy": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "mdy_short": f"{d.month}/{d.day}/{d.year}",
        "mdy_yy": f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
        "long_us": f"{m_en} {d.day}, {d.year}",
        "mon_us": f"{mon} {d.day}, {d.year}",
        "dow_us": f"{DAYS_EN[d.weekday()]}, {m_en} {d.day}, {d.year}",
        "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}",
        "dmy_yy": f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
        "dmy_dash": f"{d.day:02d}-{d.month:02d}-{d.year}",
        "d_month_y": f"{d.day} {m_en} {d.year}",
        "d_mon_y": f"{d.day} {mon} {d.year}",
        "ordinal": f"{ordinal(d.day)} {m_en} {d.year}",
        "dd_mon_yyyy": f"{d.day:02d}-{mon}-{d.year}",
        "dot": f"{d.day:02d}.{d.month:02d}.{d.year}",
        "dot_yy": f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}",
        "de_long": f"{d.day}. {MONTHS_DE[d.month - 1]} {d.year}",
        "fr_long": f"{d.day} {MONTHS_FR[d.month - 1]} {d.year}",
        "iso": d.isoformat(),
        "ymd_slash": f"{d.year}/{d.month:02d}/{d.day:02d}",
    }
    return table[style]


_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()  # fmt: skip
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n: int) -> str:
    """An integer in English words (for 'amount in words' lines)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return _ONES[n // 100] + " hundred" + (" " + words(n % 100) if n % 100 else "")
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            rest = n % size
            return words(n // size) + f" {name}" + (" " + words(rest) if rest else "")
    return str(n)


# ---------------------------------------------------------------- names

SELLER_A = ["Northgate", "Bright", "Kestrel", "Amber", "Halcyon", "Copperleaf", "Riverside",
            "Stonebridge", "Windmill", "Blue Harbor", "Quarry", "Larkspur", "Orchard", "Granite",
            "Tidewater", "Willowbrook", "Foxglove", "Alder", "Beacon", "Cedar Hill"]  # fmt: skip
SELLER_B = ["Systems", "Media", "Builders", "Print & Sign", "Electrical", "Freight", "Labs",
            "Facilities", "Marketing", "Legal", "IT Services", "Interiors", "Traders",
            "Accounting", "Hosting", "Plumbing"]  # fmt: skip
SUFFIX = {
    "us": ["LLC", "Inc.", "Corp.", "Co."], "uk": ["Ltd", "Limited", "plc", "LLP"],
    "ie": ["Ltd", "DAC"], "de": ["GmbH", "GmbH & Co. KG", "AG", "UG"], "fr": ["SARL", "SAS", "SA"],
    "nl": ["B.V.", "N.V."], "ch": ["AG", "GmbH"], "au": ["Pty Ltd"], "ca": ["Inc.", "Ltd."],
    "my": ["Sdn Bhd", "Enterprise"], "sg": ["Pte Ltd"], "in": ["Pvt Ltd", "Private Limited"],
}  # fmt: skip
PEOPLE = ["Maria Keller", "Tom Becker", "Aisha Rahman", "Lucas Meyer", "Chloe Martin",
          "Daniel Ortiz", "Hannah Vogel", "Priya Nair", "Oliver Grant", "Sven Larsen",
          "Nina Petrova", "Kenji Sato"]  # fmt: skip
CITIES = {
    "us": [("415 Mission St, Suite 300", "San Francisco, CA 94105"), ("88 Pine Street", "New York, NY 10005"),
           ("1200 Main St", "Dallas, TX 75202"), ("77 Lake Shore Dr", "Chicago, IL 60601")],
    "uk": [("14 Wharf Road", "London N1 7GR"), ("3 Albion Street", "Leeds LS1 6HX"),
           ("Unit 5, Canal Side", "Manchester M4 6DE")],
    "ie": [("22 Baggot Street", "Dublin 2, D02 X285")],
    "de": [("Friedrichstraße 123", "10117 Berlin"), ("Leopoldstr. 8", "80802 München"),
           ("Am Sandtorkai 4", "20457 Hamburg")],
    "fr": [("12 rue de Rivoli", "75004 Paris"), ("8 quai Saint-Antoine", "69002 Lyon")],
    "nl": [("Keizersgracht 221", "1016 DV Amsterdam"), ("Coolsingel 40", "3011 AD Rotterdam")],
    "ch": [("Bahnhofstrasse 10", "8001 Zürich"), ("Rue du Rhône 5", "1204 Genève")],
    "au": [("Level 4, 100 George St", "Sydney NSW 2000"), ("55 Collins St", "Melbourne VIC 3000")],
    "ca": [("200 Bay Street", "Toronto, ON M5J 2J2"), ("1055 W Georgia St", "Vancouver, BC V6E 3P3")],
    "my": [("No. 12, Jalan SS 2/24", "47300 Petaling Jaya, Selangor"),
           ("Lot 5, Jalan Ampang", "50450 Kuala Lumpur")],
    "sg": [("10 Anson Road #12-01", "Singapore 079903")],
    "in": [("Plot 42, MIDC Andheri East", "Mumbai, Maharashtra 400093"),
           ("No. 7, 3rd Cross, Indiranagar", "Bengaluru, Karnataka 560038")],
}  # fmt: skip
SERVICES = ["Consulting (hours)", "Monthly retainer", "Website redesign", "SEO audit",
            "Cloud hosting - March", "Managed backup", "On-site support visit", "Laptop 14in",
            "Docking station", "Office chairs", "Desk lamp LED", "Printer toner black",
            "A4 paper 80gsm (5 reams)", "Copywriting", "Translation DE>EN", "Photography (half day)",
            "Legal review", "Bookkeeping Q1", "Freight handling", "Pallet storage (weeks)",
            "Electrical inspection", "Cable CAT6 305m", "Software licence (annual)",
            "Training session", "Logo design", "Video editing", "Server rack 42U"]  # fmt: skip
GROCERIES = ["MILK 2% 1GAL", "BANANAS", "WHITE BREAD", "EGGS LARGE 12", "CHEDDAR BLOCK",
             "APPLES GALA", "COFFEE BEANS", "PASTA PENNE", "TOMATO SAUCE", "CHICKEN THIGHS",
             "SPARKLING WATER", "YOGURT GREEK", "PAPER TOWELS", "DISH SOAP", "RICE JASMINE 2KG",
             "OLIVE OIL", "BUTTER UNSALTED", "ORANGE JUICE", "CEREAL OATS", "TOOTHPASTE",
             "AA BATTERIES", "CHOC BAR", "ONIONS 1KG", "AVOCADO"]  # fmt: skip
CAFE = ["Flat White", "Latte", "Cappuccino", "Americano", "Croissant", "Avocado Toast",
        "Club Sandwich", "Caesar Salad", "Iced Tea", "Muffin Blueberry", "Soup of the day",
        "Cheeseburger", "Fries", "Lemonade", "Pad Thai", "Green Curry"]  # fmt: skip
DE_FOOD = ["Vollmilch 3,5%", "Bio Eier 10St", "Bananen", "Brötchen", "Butter", "Gouda jung",
           "Kaffee gemahlen", "Mineralwasser", "Äpfel Elstar", "Nudeln", "Tomaten",
           "Pfand"]  # fmt: skip
FR_FOOD = ["BAGUETTE", "CAMEMBERT", "CROISSANT", "EAU MINERALE", "YAOURT NATURE", "POMMES",
           "CAFE MOULU", "JAMBON"]  # fmt: skip
STORES = {
    "us": ["FRESHWAY MARKET", "VALLEY FOODS", "CORNER DELI & CAFE", "SUNSET PHARMACY",
           "HOMEWORKS HARDWARE", "GREEN LEAF GROCERY"],
    "uk": ["BAKER & BEAN", "HIGH ST SUPERSTORE", "THE RED LION"],
    "de": ["Frischemarkt Schulz", "Bäckerei Hoffmann", "Drogerie Sonnenschein"],
    "fr": ["SUPERMARCHE DU CENTRE", "BOULANGERIE DUPONT"],
    "my": ["KEDAI RUNCIT MAJU", "SYARIKAT PERNIAGAAN SRI JAYA"],
    "au": ["HARBOURSIDE CAFE", "BONDI FRESH FOODS"],
    "sg": ["LION CITY MART"],
    "ca": ["MAPLE GROCERS"],
    "nl": ["DE VERSE HOEK"],
}  # fmt: skip


def seller_name(rng: random.Random, loc: Locale) -> str:
    """A company name with a suffix usual in the country."""
    return f"{rng.choice(SELLER_A)} {rng.choice(SELLER_B)} {rng.choice(SUFFIX[loc.key])}"


def address(rng: random.Random, loc: Locale) -> tuple[str, str]:
    """Street line and city line in the country."""
    return rng.choice(CITIES[loc.key])


def phone(rng: random.Random, loc: Locale) -> str:
    """A phone number written the way the country writes it."""
    a, b, c = rng.randint(200, 989), rng.randint(200, 989), rng.randint(1000, 9999)
    if loc.key in ("us", "ca"):
        return f"({a}) {b}-{c}"
    if loc.key == "au":
        return f"(0{rng.randint(2, 8)}) {c} {rng.randint(1000, 9999)}"
    if loc.key == "uk":
        return f"020 {c} {rng.randint(1000, 9999)}"
    return f"+{rng.randint(30, 65)} {a} {b} {c}"


def doc_number(rng: random.Random, year: int) -> str:
    """An invoice number in one of the shapes seen on real invoices."""
    n = rng.randint(1, 99999)
    return rng.choice([
        f"INV-{year}-{n % 10000:04d}", f"{rng.randint(10000, 999999)}", f"INV{n:05d}",
        f"{year}-{n % 1000:03d}", f"F{year}{n % 10000:04d}", f"RE-{year}-{n % 1000}",
        f"SI-{n:06d}", f"INV/{year}/{n % 10000:04d}", f"A{n}", f"{year % 100}{n % 10000:04d}",
        f"BL{n % 100000:05d}", f"{rng.choice('ABCDEFGHK')}{rng.choice('ABCDEFGHK')}-{n % 10000:04d}",
        f"000{n % 10000:04d}", f"{year}.{n % 10000:04d}",
    ])  # fmt: skip


def issue_date(rng: random.Random) -> date:
    """An issue date in 2024-2026; half of them with a day of 12 or less (ambiguous slashes)."""
    d = date(2024, 1, 1) + timedelta(days=rng.randint(0, 820))
    if rng.random() < 0.5 and d.day > 12:
        d = d.replace(day=rng.randint(1, 12))
    return d


def items_for(rng: random.Random, n: int, pool: list[str], lo: float, hi: float) -> list[dict]:
    """Line items with quantity, unit price and amount."""
    out = []
    for name in rng.sample(pool, n):
        qty = rng.choice([1, 1, 1, 2, 3, 4, 5, 8, 10, 12, 20])
        price = money(rng.uniform(lo, hi))
        out.append({"description": name, "quantity": qty, "unit_price": price,
                    "amount": money(price * qty)})  # fmt: skip
    return out


# ---------------------------------------------------------------- PDF helpers


def new_pdf(rng: random.Random, fmt: str | None = None) -> Pdf:
    """An A4 or Letter page."""
    pdf = Pdf(format=fmt or rng.choice(["A4", "A4", "Letter"]))
    pdf.add_page()
    return pdf


def table(pdf: Pdf, x: float, y: float, headers: list[str], widths: list[float],
          rows: list[list[str]], aligns: list[str], *, border: str, font: str, size: float = 9,
          fill: bool = False, row_h: float = 6.5) -> float:  # fmt: skip
    """A table with a header row; border is 'all', 'lines' (rules under rows) or 'none'."""
    pdf.set_font(font, "B", size)
    if fill:
        pdf.set_fill_color(225, 225, 225)
    pdf.set_xy(x, y)
    for h, w, a in zip(headers, widths, aligns, strict=True):
        b = 1 if border == "all" else ("B" if border == "lines" else 0)
        pdf.cell(w, 7, h, border=b, align=a, fill=fill)
    y += 7
    pdf.set_font(font, "", size)
    for row in rows:
        pdf.set_xy(x, y)
        for c, w, a in zip(row, widths, aligns, strict=True):
            b = 1 if border == "all" else ("B" if border == "lines" else 0)
            pdf.cell(w, row_h, c, border=b, align=a)
        y += row_h
    return y


def summary(pdf: Pdf, x: float, w_label: float, w_val: float, y: float,
            rows: list[tuple[str, str, bool]], *, font: str, size: float = 9.5,
            boxed: bool = False, h: float = 6.0) -> float:  # fmt: skip
    """Label/value rows of a totals block, values right-aligned."""
    for label, value, bold in rows:
        pdf.set_font(font, "B" if bold else "", size + (1 if bold else 0))
        pdf.set_xy(x, y)
        pdf.cell(w_label, h, label, border=1 if boxed else 0)
        pdf.cell(w_val, h, value, border=1 if boxed else 0, align="R")
        y += h
    return y


def item_rows(items: list[dict], loc: Locale, style: int) -> list[list[str]]:
    """Table rows of items in one of a few column orders."""
    n = lambda v: fmt_amt(v, loc, cur=False)  # noqa: E731
    rows = []
    for i, it in enumerate(items, 1):
        q = str(it["quantity"])
        if style == 0:
            rows.append([it["description"], q, n(it["unit_price"]), n(it["amount"])])
        elif style == 1:
            rows.append([str(i), it["description"], q, n(it["unit_price"]), n(it["amount"])])
        else:
            rows.append([q, it["description"], n(it["unit_price"]), n(it["amount"])])
    return rows


HEADERS = {
    "en": [["Description", "Qty", "Unit Price", "Amount"],
           ["#", "Item", "Quantity", "Rate", "Total"],
           ["Qty", "Description", "Price", "Line Total"]],
    "de": [["Bezeichnung", "Menge", "Einzelpreis", "Gesamt"],
           ["Pos.", "Beschreibung", "Menge", "E-Preis", "Betrag"],
           ["Menge", "Artikel", "Preis", "Summe"]],
    "fr": [["Désignation", "Qté", "Prix unitaire HT", "Total HT"],
           ["N°", "Description", "Quantité", "P.U. HT", "Montant HT"],
           ["Qté", "Désignation", "Prix", "Montant"]],
}  # fmt: skip


def widths_for(style: int, total_w: float) -> list[float]:
    """Column widths of an item table."""
    if style == 0:
        return [total_w - 75, 15, 30, 30]
    if style == 1:
        return [10, total_w - 85, 20, 27, 28]
    return [15, total_w - 75, 30, 30]


def aligns_for(style: int) -> list[str]:
    """Column alignments of an item table."""
    return {0: ["L", "R", "R", "R"], 1: ["L", "L", "R", "R", "R"], 2: ["R", "L", "R", "R"]}[style]


def amounts(rng: random.Random, loc: Locale, items: list[dict], *, shipping=False, discount=False):
    """Subtotal, discount, shipping, tax rate, tax and total of a list of items."""
    sub = money(sum(it["amount"] for it in items))
    disc = money(-(sub * Decimal(rng.choice([5, 10, 15])) / 100)) if discount else money(0)
    ship = money(rng.choice([4.95, 9.99, 12.5, 25, 45])) if shipping else money(0)
    rate = Decimal(str(rng.choice(loc.rates)))
    tax = money((sub + disc + ship) * rate / 100)
    total = money(sub + disc + ship + tax)
    return sub, disc, ship, rate, tax, total


def rate_text(rate: Decimal, loc: Locale) -> str:
    """A tax rate as printed ('8.25%', '19 %', '5,5 %')."""
    s = f"{rate.normalize():f}"
    if loc.num in ("eu", "fr"):
        s = s.replace(".", ",")
    return s + (" %" if loc.lang in ("fr", "de") else "%")


# ---------------------------------------------------------------- invoices


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


INVOICE_MAKERS = [
    (inv_classic, ("us", "uk", "ie", "au", "ca", "nl", "sg")),
    (inv_boxes, ("us", "uk", "au", "ca")),
    (inv_billing_tool, ("us", "uk", "ie", "ca")),
    (inv_german, ("de", "ch")),
    (inv_french, ("fr",)),
    (inv_utility, ("us", "uk", "au")),
    (inv_simple, ("us", "uk", "de", "nl")),
    (inv_footer_total, ("uk", "ie", "nl", "de", "au")),
    (inv_labels_above, ("us", "ca", "uk", "sg")),
    (inv_gst_india, ("in",)),
    (inv_two_page, ("us", "uk", "nl")),
    (inv_amount_box, ("nl", "ie", "uk", "us", "ch")),
    (inv_grid_pairs, ("uk", "ie", "nl", "us", "sg")),
    (inv_credit_note, ("uk", "us", "au")),
    (inv_tax_inclusive, ("au", "uk", "sg")),
    (inv_balance_header, ("us", "in", "uk", "ca")),
]


# ---------------------------------------------------------------- receipts

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


RECEIPT_MAKERS = [
    (rc_supermarket, ("us", "us", "au", "ca")),
    (rc_restaurant, ("us", "sg", "au", "my")),
    (rc_german, ("de",)),
    (rc_my_tax_invoice, ("my",)),
    (rc_card_slip, ("us", "uk", "au")),
    (rc_fuel, ("uk", "ie")),
    (rc_french, ("fr",)),
    (rc_uk_shop, ("uk",)),
    (rc_pharmacy, ("us", "uk", "us")),
    (rc_au_cafe, ("au",)),
    (rc_sroie, ("my",)),
    (rc_long, ("us", "au", "uk")),
    (rc_58mm, ("sg", "my", "us", "de")),
]


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


# ---------------------------------------------------------------- degradation


def _noise(img: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Blend seeded noise into an image (PIL's own noise is not reproducible)."""
    noise = Image.frombytes("L", img.size, rng.randbytes(img.width * img.height)).convert(img.mode)
    return Image.blend(img, noise, amount)


def _perspective(img: Image.Image, rng: random.Random, strength: float, fill) -> Image.Image:
    """A mild keystone: the page photographed a little off-axis."""
    w, h = img.size
    dx, dy = w * strength, h * strength * 0.5
    quad = (rng.uniform(0, dx), rng.uniform(0, dy), rng.uniform(0, dx), h - rng.uniform(0, dy),
            w - rng.uniform(0, dx), h - rng.uniform(0, dy), w - rng.uniform(0, dx), rng.uniform(0, dy))  # fmt: skip
    return img.transform(
        (w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=fill
    )


def degrade(
    img: Image.Image, rng: random.Random, *, photo: bool, heavy: bool = False
) -> Image.Image:
    """A clean render made to look scanned or photographed: faded, tilted, skewed, noisy."""
    img = img.convert("RGB")
    # Thermal print fades: dark text turns grey and the paper yellows a little.
    fade = rng.uniform(0.45, 0.7) if heavy else rng.uniform(0.55, 1.0)
    paper = rng.choice([(255, 255, 255), (250, 246, 236), (242, 240, 232)])
    gray = img.convert("L").point(lambda v: int(255 - (255 - v) * fade))
    img = Image.merge("RGB", [gray.point(lambda v, p=p: v * p // 255) for p in paper])
    if rng.random() < 0.6:
        img = _perspective(img, rng, rng.uniform(0.01, 0.06 if heavy else 0.04), paper)
    angle = rng.uniform(-3, 3)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
    if photo:
        pad_x, pad_y = (
            int(img.width * rng.uniform(0.05, 0.3)),
            int(img.height * rng.uniform(0.02, 0.08)),
        )
        tone = rng.choice(
            [(95, 80, 60), (60, 62, 70), (150, 130, 110), (35, 40, 38), (200, 200, 205)]
        )
        canvas = Image.new("RGB", (img.width + 2 * pad_x, img.height + 2 * pad_y), tone)
        canvas.paste(img, (pad_x, pad_y))
        img = canvas
    # Uneven light from one side or a corner.
    shade = Image.linear_gradient("L").resize(img.size).rotate(rng.choice([0, 45, 90, 180, 270]))
    dark = Image.new("RGB", img.size, (0, 0, 0))
    img = Image.composite(dark, img, shade.point(lambda v, k=rng.uniform(0.05, 0.35): int(v * k)))
    # Low contrast: everything pulled towards mid grey.
    if rng.random() < 0.4:
        img = Image.blend(img, Image.new("RGB", img.size, (150, 150, 150)), rng.uniform(0.1, 0.3))
    img = img.filter(
        ImageFilter.GaussianBlur(rng.uniform(0.9, 1.4) if heavy else rng.uniform(0.3, 1.1))
    )
    img = _noise(img, rng, rng.uniform(0.06, 0.1) if heavy else rng.uniform(0.02, 0.08))
    if not photo:
        draw = ImageDraw.Draw(img)
        for _ in range(rng.randint(50, 400)):
            x, y = rng.randrange(img.width), rng.randrange(img.height)
            draw.point((x, y), fill=(rng.randint(60, 160),) * 3)
    return img


def to_image_bytes(img: Image.Image, rng: random.Random, fmt: str) -> bytes:
    """JPEG at a low-to-fair quality, or PNG."""
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, format="JPEG", quality=rng.randint(30, 85))
    else:
        img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def scanned_pdf(data: bytes, rng: random.Random) -> bytes:
    """An A4/Letter invoice as an office scan: image-only PDF, grey, skewed, speckled."""
    dpi = rng.choice([150, 200])
    img = render(data, dpi)
    w_mm, h_mm = img.width / dpi * 25.4, img.height / dpi * 25.4
    img = img.convert("L").rotate(
        rng.uniform(-1.5, 1.5), resample=Image.Resampling.BICUBIC, fillcolor=250
    )
    img = img.point(lambda v, k=rng.uniform(0.7, 1.0): int(255 - (255 - v) * k))
    if rng.random() < 0.3:
        # A fax or a cheap sheet-feeder scan: low resolution, black and white.
        small = img.resize(
            (img.width * 110 // dpi, img.height * 110 // dpi), Image.Resampling.BILINEAR
        )
        small = small.point(lambda v, t=rng.randint(150, 190): 0 if v < t else 255)
        img = small.resize(img.size, Image.Resampling.NEAREST)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    img = _noise(img, rng, rng.uniform(0.02, 0.06))
    draw = ImageDraw.Draw(img)
    for _ in range(500):
        draw.point((rng.randrange(img.width), rng.randrange(img.height)), fill=rng.randint(60, 170))
    return image_pdf(img.convert("RGB"), round(w_mm, 1), round(h_mm, 1))


# ---------------------------------------------------------------- the set

INVOICE_PROMPTS = [
    "Extract the invoice number, date and total",
    "Extract invoice number, invoice date, due date, vendor, total and line items",
    '["invoice_number", "date", "total_amount"]',
    None,
]
RECEIPT_PROMPTS = [
    "Extract the receipt number, date and total",
    "Extract the merchant, date and total",
    "Extract the invoice number, date and total",
    None,
]


def generate(out_dir: str | Path, seed: int = 11, *, invoices: int = 75, receipts: int = 78,
             scanned_invoices: int = 15, scanned_receipts: int = 58) -> list[dict[str, Any]]:  # fmt: skip
    """Write the hard evaluation set into out_dir and return its labels."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []

    def add(name: str, data: bytes, dtype: str, fields: dict, mime: str, kind: str, prompt) -> None:
        (out / name).write_bytes(data)
        docs.append({"file": name, "mime_type": mime, "type": dtype, "kind": kind, "prompt": prompt,
                     "fields": fields, "line_items": []})  # fmt: skip

    scan_every = max(1, invoices // max(scanned_invoices, 1)) if scanned_invoices else 0
    for i in range(invoices):
        maker, keys = INVOICE_MAKERS[i % len(INVOICE_MAKERS)]
        loc = LOCALES[keys[(i // len(INVOICE_MAKERS)) % len(keys)]]
        data, fields = maker(rng, loc)
        prompt = INVOICE_PROMPTS[i % len(INVOICE_PROMPTS)]
        if scan_every and i % scan_every == scan_every - 1 and maker is not inv_two_page:
            add(f"hard_invoice_{i:03d}_{maker.__name__}_scan.pdf", scanned_pdf(data, rng), "invoice",
                fields, "application/pdf", "ocr", prompt)  # fmt: skip
        else:
            add(f"hard_invoice_{i:03d}_{maker.__name__}.pdf", data, "invoice", fields,
                "application/pdf", "text", prompt)  # fmt: skip
    for i in range(receipts):
        maker, keys = RECEIPT_MAKERS[i % len(RECEIPT_MAKERS)]
        loc = LOCALES[keys[(i // len(RECEIPT_MAKERS)) % len(keys)]]
        rows, fields = maker(rng, loc)
        data = receipt_pdf(rows, rng, 58 if maker is rc_58mm else 80)
        prompt = RECEIPT_PROMPTS[(i // 2) % len(RECEIPT_PROMPTS)]
        if i < scanned_receipts and i % 7 != 6:
            photo = rng.random() < 0.5
            heavy = rng.random() < 0.25
            dpi = rng.choice([130, 150]) if heavy else rng.choice([150, 170, 200])
            img = degrade(render(data, dpi), rng, photo=photo, heavy=heavy)
            fmt = "JPEG" if photo or heavy or rng.random() < 0.5 else "PNG"
            ext = "jpg" if fmt == "JPEG" else "png"
            add(f"hard_receipt_{i:03d}_{maker.__name__}_{'photo' if photo else 'scan'}.{ext}",
                to_image_bytes(img, rng, fmt), "receipt", fields,
                "image/jpeg" if fmt == "JPEG" else "image/png", "ocr", prompt)  # fmt: skip
        else:
            add(f"hard_receipt_{i:03d}_{maker.__name__}.pdf", data, "receipt", fields,
                "application/pdf", "text", prompt)  # fmt: skip
    (out / "labels.json").write_text(json.dumps(docs, indent=2, ensure_ascii=False))
    return docs


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the documents into")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    docs = generate(args.out, args.seed)
    print(f"wrote {len(docs)} documents to {args.out}")


if __name__ == "__main__":
    main()
