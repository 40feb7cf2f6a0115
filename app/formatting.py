"""How numbers, money, sizes and missing values read on every page (Jinja filters).

Pages use these filters so the same kind of value always reads the same way:

- ``count``: whole numbers with thousands separators ("5,000").
- ``number``: quantities without a trailing ".0" ("12", "2.5", "1,250.75").
- ``money``: two decimals and thousands separators, with the currency when known ("EUR 1,586.00").
- ``filesize``: sizes in B, KB, MB, GB of 1,024 (the wizard's script uses the same units).
- ``shown``: a result value as text, "Not found" when it is missing.

CSV and JSON exports do not use these: they keep machine-readable numbers (see
``app/exports/__init__.py``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

MISSING = "Not found"

SIZE_UNITS = ("KB", "MB", "GB", "TB")


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def count(value: Any) -> str:
    """A whole number with thousands separators; '0' for a missing count."""
    number = _decimal(value)
    if number is None:
        return "0" if value is None else str(value)
    return f"{int(number):,}"


def number(value: Any, places: int | None = None) -> str:
    """A quantity with thousands separators and no trailing zeros (or `places` decimals)."""
    parsed = _decimal(value)
    if parsed is None:
        return "" if value is None else str(value)
    if places is not None:
        return f"{parsed:,.{places}f}"
    if parsed == parsed.to_integral_value():
        return f"{int(parsed):,}"
    text = f"{parsed:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Any, currency: Any = None) -> str:
    """An amount with two decimals and thousands separators, led by its currency code if known."""
    parsed = _decimal(value)
    if parsed is None:
        return "" if value is None else str(value)
    text = f"{parsed:,.2f}"
    code = str(currency).strip().upper() if isinstance(currency, str) else ""
    return f"{code} {text}" if len(code) == 3 and code.isalpha() else text


def filesize(value: Any) -> str:
    """Bytes as '812 B', '3.4 KB', '12.0 MB' (units of 1,024)."""
    size = _decimal(value)
    if size is None:
        return ""
    size = float(size)
    if size < 1024:
        return f"{int(size):,} B"
    for unit in SIZE_UNITS:
        size /= 1024
        if size < 1024 or unit == SIZE_UNITS[-1]:
            return f"{size:,.1f} {unit}"
    return ""  # pragma: no cover - the loop always returns


def shown(value: Any, kind: str | None = None, currency: Any = None) -> str:
    """A result value for people: amounts as money, numbers plain, lists joined, or 'Not found'."""
    from app.batches.formatting import cell_value

    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return money(value, currency) if kind == "amount" else number(value)
    return cell_value(value)


def register(app) -> None:
    """Make the filters available to every template."""
    for name, func in {
        "count": count,
        "number": number,
        "money": money,
        "filesize": filesize,
        "shown": shown,
    }.items():
        app.add_template_filter(func, name)
