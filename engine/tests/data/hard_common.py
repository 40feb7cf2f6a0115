"""Locales, money and date formatting, names and items, and the PDF table helpers of the hard
evaluation set."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from eval_pdf import Pdf

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
