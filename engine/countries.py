"""The country a document comes from, as far as its currency goes: which dollar a bare '$' is, and
which currency a document that prints none is in, from its tax ids, tax names and place names."""

import re

from .values import US_ADDRESS, VAT_RE

# Where a bare '$' is not the US dollar: the country's own code, name or usual cues.
_DOLLAR_COUNTRIES = (
    ("AUD", re.compile(r"\bAUD\b|\bA\$|\bABN\b|\bAustralia\b|\b(?:NSW|VIC|QLD|TAS|ACT)\s\d{4}\b")),
    (
        "CAD",
        re.compile(
            r"\bCAD\b|\bC\$|\bCanada\b|\b(?:ON|QC|BC|AB|MB|NS|NB|SK)\s[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|\bHST\b"
        ),
    ),
    ("NZD", re.compile(r"\bNZD\b|\bNZ\$|\bNew Zealand\b")),
    ("SGD", re.compile(r"\bSGD\b|\bS\$|\bSingapore\b")),
    ("HKD", re.compile(r"\bHKD\b|\bHK\$|\bHong Kong\b")),
)


def dollar_of(text: str) -> str:
    """The currency a bare '$' stands for in a document: USD unless the country says otherwise."""
    if US_ADDRESS.search(text) or re.search(r"\bUSD\b|\bUS\$", text):
        return "USD"
    for code, rx in _DOLLAR_COUNTRIES:
        if rx.search(text):
            return code
    return "USD"


# Euro countries by their own names (a document from there writes its country so).
_EURO_COUNTRIES = (
    "Deutschland",
    "Österreich",
    "France",
    "España",
    "Italia",
    "Portugal",
    "Nederland",
    "België",
    "Belgique",
    "Suomi",
    "Eesti",
    "Latvija",
    "Lietuva",
    "Hrvatska",
    "Slovenija",
    "Slovensko",
)

# The prefixes of the euro countries' VAT ids (values.VAT_RE reads the ids themselves).
_EURO_VAT_PREFIXES = frozenset(
    "AT BE CY DE EE EL ES FI FR HR IE IT LT LU LV MT NL PT SI SK".split()
)

# Countries named by their tax ids, tax names or words, for documents that print no currency.
_COUNTRY_CUES = (
    (
        "INR",
        re.compile(
            r"\bGSTIN\b|\b[CSI]GST\b|\bIndia\b|\bRupees?\b|\b\d{2}[A-Z]{5}\d{4}[A-Z]\dZ[\dA-Z]\b"
        ),
    ),
    (
        "MYR",
        re.compile(
            r"\bSST\b|\bSdn\.? Bhd\b|\bS/B\b|\bMalaysia\b|\bRinggit\b|\bKuala Lumpur\b|"
            r"\bSelangor\b|\bJohor\b|\bPulau Pinang\b|\bPenang\b|\bSabah\b|\bSarawak\b|"
            r"\bMelaka\b|\bPerak\b|\bKedah\b|\bPetaling Jaya\b",
            re.IGNORECASE,
        ),
    ),
    ("SGD", re.compile(r"\bNETS\b|\bPayNow\b|\bUEN\b")),
    ("GBP", re.compile(r"\bUnited Kingdom\b|\bPounds? sterling\b")),
    (
        "CHF",
        re.compile(
            r"\bSchweiz\b|\bSuisse\b|\bSvizzera\b|\bSwitzerland\b|\bCHE[- ]?\d{3}\.\d{3}\.\d{3}\b"
        ),
    ),
    ("PLN", re.compile(r"\bzł\b|\bPolska\b|\bNIP\b")),
    (
        "EUR",
        re.compile(
            # Tax ids' names in euro countries, and those countries' own names.
            r"\bUSt[-.]?Id|\bSteuernummer\b|\b[Pp]artita IVA\b|\bP\.\s?IVA\b|\b[Cc]odice [Ff]iscale\b"
            r"|\bBTW\b|\bKvK\b|\bSIRE[NT]\b|\bTVA [Ii]ntracommunautaire\b|\bNIF\b|\bNIPC\b"
            r"|\b(?:"
            + "|".join(n for name in _EURO_COUNTRIES for n in (name, name.upper()))
            + r")\b"
        ),
    ),
)


def country_currency(text: str) -> str | None:
    """The currency of the country a document's tax ids or words name, if they name one."""
    for code, rx in _COUNTRY_CUES:
        if rx.search(text) or (code == "EUR" and _names_a_euro_vat_id(text)):
            return code
    for code, rx in _DOLLAR_COUNTRIES:
        if rx.search(text):
            return code
    return None


def _names_a_euro_vat_id(text: str) -> bool:
    return any(m.group(1)[:2] in _EURO_VAT_PREFIXES for m in VAT_RE.finditer(text))
