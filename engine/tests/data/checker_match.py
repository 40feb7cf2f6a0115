"""How the outside-in checker reads an extraction result: by key name, with loose values.

It takes the first key of ``result["data"]`` (nested objects flattened to dotted names) whose
letters contain the word it looks for ("total", "date", "invoice" then "number"), and compares
amounts after stripping currency signs and reading either decimal convention, and text after
lowercasing and dropping everything but letters and digits. The bench and the tests score
results the same way.
"""

from __future__ import annotations

import re


def norm_amount(v):
    """An amount as the checker reads it: currency stripped, either decimal convention."""
    if v is None:
        return None
    if isinstance(v, dict):
        v = v.get("value", v.get("amount"))
    s = re.sub(r"[^\d.,-]", "", str(v))
    if "," in s and "." in s:
        if s.rfind(".") > s.rfind(","):
            s = s.replace(",", "")
        else:
            s = s.replace(".", "").replace(",", ".")
    elif "," in s:
        s = s.replace(",", ".") if len(s.split(",")[-1]) == 2 else s.replace(",", "")
    try:
        return round(float(s), 2)
    except ValueError:
        return None


def norm_text(v):
    """Text as the checker compares it: lowercase letters and digits only."""
    if isinstance(v, dict):
        v = v.get("value")
    return re.sub(r"[^a-z0-9]", "", str(v or "").lower())


def find_field(data, *names):
    """The value of the first key in data whose normalised name contains one of names."""
    flat = {}

    def walk(d, prefix=""):
        for k, v in d.items():
            key = prefix + str(k).lower()
            if isinstance(v, dict) and "value" not in v:
                walk(v, key + ".")
            else:
                flat[key] = v

    if isinstance(data, dict):
        walk(data)
    for n in names:
        for k, v in flat.items():
            if n in re.sub(r"[^a-z]", "", k):
                return v
    return None


def checker_total(data):
    """The total the checker finds in a result's data."""
    return find_field(data, "total")


def checker_date(data):
    """The date the checker finds in a result's data."""
    return find_field(data, "date")


def checker_number(data):
    """The invoice or receipt number the checker finds in a result's data."""
    return find_field(data, "invoice", "number")
