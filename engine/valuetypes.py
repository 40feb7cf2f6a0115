"""Typing of field values: one place for what extraction returns and what users correct.

A model's answer, and a value a user types in the review screen, go through `typed_value` with
the field's kind (from the prompt's concept vocabulary): amounts become numbers rounded to cents,
dates ISO dates, currencies three-letter codes, text stripped text. `strict=True` (corrections)
refuses what cannot be typed; extraction keeps what a model wrote when it cannot be typed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from . import values as V


class InvalidValue(ValueError):
    """A value that cannot be typed as its field's kind; the message says what is expected."""


def _amount(value: Any, strict: bool) -> float | None:
    if isinstance(value, bool):
        if strict:
            raise InvalidValue("Enter an amount, such as 1234.50.")
        return None
    if isinstance(value, int | float | Decimal):
        return round(float(value), 2)
    text = str(value).strip()
    found = V.find_amounts(text)
    if found:
        return round(float(found[0].value.value), 2)
    number = V.parse_number(re.sub(r"[^\d.,'\s-]", "", text)) if re.search(r"\d", text) else None
    if number is not None and (not strict or re.fullmatch(r"[-+]?[\d.,'\s]+", text)):
        return round(float(number), 2)
    if strict:
        raise InvalidValue("Enter an amount, such as 1234.50.")
    return None


def _date(value: Any, strict: bool) -> str | None:
    text = str(value).strip()
    found = V.find_dates(text)
    if found:
        return found[0].value.isoformat()
    if strict:
        raise InvalidValue("Enter a real date, such as 2026-03-31 or 31 March 2026.")
    return text


def _currency(value: Any, strict: bool) -> str | None:
    text = str(value).strip()
    code = V.currency_of(text) or text
    if strict and not re.fullmatch(r"[A-Za-z]{3}", code):
        raise InvalidValue("Enter a currency code such as EUR or USD, or its sign (€, $, £).")
    return code.upper()[:3]


def typed_value(kind: str | None, value: Any, *, strict: bool = False) -> Any:
    """The value typed as `kind` (amount, date, currency, or text); None stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "amount":
        return _amount(value, strict)
    if kind == "date":
        return _date(value, strict)
    if kind == "currency":
        return _currency(value, strict)
    if isinstance(value, str):
        return value.strip()
    if strict and isinstance(value, dict | list):
        raise InvalidValue("Enter the value as text.")
    return value
