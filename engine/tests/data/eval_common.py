"""Names, locales, money and date formatting and line items of the tidy evaluation set."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")

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
