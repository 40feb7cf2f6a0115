"""Typed values found in text: dates, amounts, currencies, emails, phones, IBANs, tax ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

# Month names in English, German, French, Spanish, Italian, Dutch and Portuguese.
MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january jan januar janv janvier enero ene gennaio genn januari jan. janeiro",
        "february feb februar fev fevr fevrier febrero febbraio februari fevereiro",
        "march mar marz maerz mars marzo maart marco",
        "april apr avril avr abril aprile",
        "may mai mayo maggio mei maio",
        "june jun juni juin junio giugno junho",
        "july jul juli juillet juil julio luglio julho",
        "august aug aout agosto augustus ago",
        "september sep sept septembre septiembre settembre setembro set",
        "october oct oktober octobre octubre ottobre okt oktober outubro out",
        "november nov novembre noviembre novembro",
        "december dec dezember decembre diciembre dicembre dez dic december dezembro",
    ],
    start=1,
):
    for _n in _names.split():
        MONTHS.setdefault(_n.rstrip("."), _num)

_ACCENTS = str.maketrans("äàâáéèêëíîïóôöúûüçñ", "aaaaeeeeiiiooouuucn")
_MONTH_RE = r"[A-Za-zÄÖÜäöüéèêûôîàâçñáíóú]{3,10}\.?"
_ORD = r"(?:st|nd|rd|th|er|e|º|°)?"

# A date ends where digits stop, or where a time printed without a space begins (OCR of
# "14/03/2026  13:45" often loses the gap).
_END = r"(?:(?=[.,]?\d{1,2}:\d{2})|(?![\d/-]|[.,]\d))"

_END_TEXT = r"(?:(?<=\d{4})(?=\d{1,2}:\d{2})|(?!\d))"

DATE_PATTERNS = [
    # 2026-03-14, 2026/03/14, 2026.03.14
    ("ymd", re.compile(r"(?<![\d.,/-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _END)),
    # 14/03/2026, 03-14-26, 14.03.2026
    (
        "dmy",
        # A four-digit year never runs into a colon: '12/04/2420:57' is 12/04/24 at 20:57.
        re.compile(
            r"(?<![\d,/-])(?<!\d\.)(\d{1,2})\s?([-/.])\s?(\d{1,2})\s?\2\s?(\d{4}(?!:)|\d{2})" + _END
        ),
    ),
    # 14 March 2026, 14-Mar-2026, 14th of March, 2026, 14. März 2026
    (
        "d_mon_y",
        re.compile(
            rf"(?<![\d])(\d{{1,2}}){_ORD}\.?[\s\-/]*(?:of\s+|de\s+)?({_MONTH_RE})[\s\-/,]*(?:de\s+)?(\d{{4}}|\d{{2}})"
            + _END_TEXT,
            re.IGNORECASE,
        ),
    ),
    # March 14, 2026, Mar 14 2026, Mar-14-2026
    (
        "mon_d_y",
        re.compile(
            rf"\b({_MONTH_RE})[\s\-/]*(\d{{1,2}}){_ORD}(?:[\s,\-/]+|\.\s+)['’]?(\d{{4}}|\d{{2}})"
            + _END_TEXT,
            re.IGNORECASE,
        ),
    ),
]


@dataclass
class Found:
    """A value found in a piece of text with where it sits in that text."""

    value: object
    start: int
    end: int
    raw: str


def _year(text: str) -> int:
    """Four-digit year from a two- or four-digit one."""
    y = int(text)
    if y < 100:
        y += 2000 if y < 70 else 1900
    return y


def _make_date(y: int, m: int, d: int) -> date | None:
    """A date when the parts are valid and plausible for business documents."""
    if not 1900 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def month_number(word: str) -> int | None:
    """Month number of a month name or abbreviation in several languages."""
    key = word.lower().rstrip(".").translate(_ACCENTS)
    return MONTHS.get(key)


def find_dates(text: str, order: str = "dmy") -> list[Found]:
    """Dates in text as ISO dates; ``order`` ("dmy" or "mdy") settles 03/04/2026."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in DATE_PATTERNS:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = None
            if kind == "ymd":
                value = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            elif kind == "dmy":
                a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
                sep = m.group(2)
                if len(m.group(4)) == 2 and sep == "." and a > 31:
                    continue
                if order == "mdy" and sep != ".":
                    value = _make_date(y, a, b) or _make_date(y, b, a)
                else:
                    value = _make_date(y, b, a) or _make_date(y, a, b)
            elif kind == "d_mon_y":
                mon = month_number(m.group(2))
                if mon:
                    value = _make_date(_year(m.group(3)), mon, int(m.group(1)))
            elif kind == "mon_d_y":
                mon = month_number(m.group(1))
                if mon:
                    value = _make_date(_year(m.group(3)), mon, int(m.group(2)))
            if value is not None:
                found.append(Found(value, m.start(), m.end(), m.group(0)))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    return found


_SLASHED = re.compile(r"(?<![\d.,/-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|[.,]\d)")
# Intervals (days) that separate an issue date from a due or delivery date, or a period's ends.
_USUAL_GAPS = {7, 10, 14, 15, 20, 21, 28, 29, 30, 31, 45, 60, 90}
# Country cues with their weights. Month-first: US addresses, phone numbers and taxes.
_MDY_CUES = (
    (re.compile(r"\bsales tax\b|\bUSD\b|US\$|\bzip(?: code)?\b", re.IGNORECASE), 1.5),
    (re.compile(r"\(\d{3}\)\s?\d{3}-\d{4}"), 1.0),
    # A 12-hour clock and a bare 'TAX' line are weak hints on their own.
    (re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s?[AP]\.?M\b", re.IGNORECASE), 0.5),
    (re.compile(r"^\s*tax\b(?! invoice)", re.IGNORECASE | re.MULTILINE), 0.5),
)
# Day-first: European money and taxes, and the dollar countries that write the day first.
_DMY_CUES = (
    (re.compile(r"€|£|\b(?:EUR|GBP|CHF|AUD|NZD|SGD|INR|MYR|ZAR|HKD)\b"), 1.5),
    (re.compile(r"\b(?:A|AU|NZ|S|HK)\$|\bRM\s?\d|\bRs\.?\s?\d"), 1.5),
    (re.compile(r"\b(?:VAT|MwSt|USt|TVA|IVA|BTW)\b"), 1.0),
    # Tax registrations that name the country (Australia, India, Malaysia), and GST itself.
    (re.compile(r"\b(?:ABN|GSTIN|SST)\b"), 1.5),
    (re.compile(r"\bGST\b"), 1.0),
    (re.compile(r"\b(?:Pty|Sdn\.? Bhd|Pte\.? Ltd|GmbH)\b"), 1.0),
    # Phone numbers with a two-digit area code in brackets (Australia) or a +44/+61 prefix.
    (re.compile(r"\(0\d\)\s?\d{4}\s?\d{4}|\+(?:44|61|64|65|60|91|353)\b"), 1.0),
    # Australian state and postcode, British postcode: as telling as a US state and ZIP code.
    (
        re.compile(r"\b(?:NSW|VIC|QLD|TAS|ACT)\s\d{4}\b|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b"),
        2.0,
    ),
)
_DOLLAR = re.compile(r"(?<![A-Za-z])\$\s?\d")


def _gap_votes(dates: list[tuple[int, int, int]]) -> tuple[int, int]:
    """Votes from the intervals between ambiguous dates read day-first and month-first."""
    votes = {"dmy": 0, "mdy": 0}
    for order in votes:
        parsed = []
        for a, b, y in dates:
            d = _make_date(y, b, a) if order == "dmy" else _make_date(y, a, b)
            if d is not None:
                parsed.append(d)
        uniq = sorted(set(parsed))
        for i, first in enumerate(uniq):
            for second in uniq[i + 1 :]:
                gap = (second - first).days
                same_day_next_month = second.day == first.day and gap in range(28, 32)
                if gap in _USUAL_GAPS or same_day_next_month:
                    votes[order] += 1
    return votes["dmy"], votes["mdy"]


def date_order_hint(text: str, default: str = "dmy") -> str:
    """Whether slashed dates in a document read day-first or month-first.

    Evidence, strongest first: a slashed date whose first part is above 12 (or second part is);
    the intervals between the ambiguous dates (an issue date and a due date 14 or 30 days later
    read naturally one way only); then country cues: US addresses, phone numbers and sales tax
    and a bare dollar sign read month-first; euros, pounds, VAT, GST registrations, Australian,
    Singaporean, Malaysian and Indian money read day-first.
    """
    dmy = mdy = 0
    ambiguous: list[tuple[int, int, int]] = []
    for m in _SLASHED.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        if a > 12 >= b:
            dmy += 1
        elif b > 12 >= a:
            mdy += 1
        elif a <= 12 and b <= 12 and a != b:
            ambiguous.append((a, b, y))
    if dmy != mdy:
        return "dmy" if dmy > mdy else "mdy"
    # Intervals and country cues weigh together; each kind of cue counts once (a long invoice
    # repeating '€' is no more European).
    gd, gm = _gap_votes(ambiguous)
    day_first = min(gd, 2) * 0.75 + sum(w for rx, w in _DMY_CUES if rx.search(text))
    month_first = min(gm, 2) * 0.75 + sum(w for rx, w in _MDY_CUES if rx.search(text))
    month_first += 2 if US_ADDRESS.search(text) else 0
    if _DOLLAR.search(text) and not re.search(r"\b(?:A|AU|NZ|S|HK|C|CA)\$", text):
        month_first += 1.5
    if month_first != day_first:
        return "mdy" if month_first > day_first else "dmy"
    return default


US_ADDRESS = re.compile(
    r"\b(?:A[KLRZ]|C[AOT]|DC|DE|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|"
    r"S[CD]|T[NX]|UT|V[AT]|W[AIVY]),? \d{5}(?:-\d{4})?\b"
)


# ---------------------------------------------------------------- amounts and currencies

CURRENCY_SYMBOLS = {
    "US$": "USD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "R$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₱": "PHP",
    "zł": "PLN",
    "Kč": "CZK",
    "Fr.": "CHF",
    "RS.": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "RM": "MYR",
    "Rp": "IDR",
    "₫": "VND",
    "₦": "NGN",
    "฿": "THB",
}
CURRENCY_CODES = {
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "RMB", "CAD", "AUD", "NZD", "INR", "SEK", "NOK",
    "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "HRK", "TRY", "RUB", "UAH", "BRL", "MXN", "ARS",
    "CLP", "COP", "PEN", "ZAR", "NGN", "KES", "EGP", "MAD", "AED", "SAR", "QAR", "ILS", "SGD",
    "HKD", "TWD", "KRW", "THB", "MYR", "IDR", "PHP", "VND", "PKR", "BDT", "LKR", "ISK",
}  # fmt: skip
_CODE_RE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(CURRENCY_CODES)) + r")(?![A-Za-z])")
_SYMBOLS_SORTED = sorted(CURRENCY_SYMBOLS, key=len, reverse=True)
_SYM_RE = "|".join(
    (r"(?<![A-Za-z])" + re.escape(s)) if s[0].isalpha() else re.escape(s) for s in _SYMBOLS_SORTED
)
_CODES_ALT = "|".join(sorted(CURRENCY_CODES))
_CUR = rf"(?:{_SYM_RE}|(?<![A-Za-z])(?:{_CODES_ALT})(?![A-Za-z]))"

_NUMBER = (
    r"(?:\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?"  # 12,34,567.89 (Indian grouping)
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"  # 1,234.56
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"  # 1.234,56
    r"|\d{1,3}(?:'\d{3})+(?:\.\d{1,2})?"  # 1'234.56
    r"|\d{1,3}(?:[\u00a0\u202f ]\d{3})+,\d{2}"  # 1 234,56
    r"|\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:\.\d{2})?"  # 1 234.56 with no-break spaces
    r"|\d+(?:[.,]\d{1,2})?)"  # 1234.56 / 1234,56 / 1234
)
AMOUNT_RE = re.compile(
    rf"(?P<neg1>(?<![\w.,/])[-−]|\()?\s?"
    rf"(?:(?P<cur1>{_CUR})\s?(?P<neg2>[-−])?\s?|(?<![\w.,/])(?<!\w-))"
    rf"(?P<num>{_NUMBER})"
    rf"(?!\d|/(?!-)|[.,:]\d|-\d)(?!(?!{_CUR})[A-Za-z])"  # "Rs. 450/-" is 450 rupees
    rf"(?:\s?(?P<cur2>{_CUR}))?(?P<neg3>-(?!\s?\d)|\))?",
)


def parse_number(text: str) -> Decimal | None:
    """A decimal from a number written with any usual grouping and decimal mark."""
    s = text.replace("\u00a0", "").replace("\u202f", "").replace("'", "").strip()
    if not s:
        return None
    if re.fullmatch(r"\d{1,3}( \d{3})+,\d{2}", s):
        s = s.replace(" ", "")
    s = s.replace(" ", "")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        if s.count(",") == 1 and len(tail) in (1, 2):
            s = head + "." + tail
        else:
            s = s.replace(",", "")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    elif "." in s and len(s.rpartition(".")[2]) == 3 and re.fullmatch(r"\d{1,3}\.\d{3}", s):
        # 1.234 is a thousand-grouped integer far more often than an amount to the tenth of a cent.
        s = s.replace(".", "")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


@dataclass
class Amount:
    """A money amount with the currency written beside it, if any."""

    value: Decimal
    currency: str | None
    has_decimals: bool


def currency_of(token: str | None) -> str | None:
    """ISO code of a currency symbol or code."""
    if not token:
        return None
    token = token.strip()
    if token.upper() in CURRENCY_CODES:
        code = token.upper()
        return "CNY" if code == "RMB" else code
    return CURRENCY_SYMBOLS.get(token)


def _mask_non_amounts(text: str) -> str:
    """Blank out dates, times, percentages and long digit runs so they are not read as money."""
    out = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            out[i] = "\x00"

    for f in find_dates(text):
        blank(f.start, f.end)
    for m in re.finditer(r"\b\d{1,2}:\d{2}(?::\d{2})?\b", text):
        blank(m.start(), m.end())
    for m in re.finditer(r"\d+(?:[.,]\d+)?\s?%", text):
        blank(m.start(), m.end())
    return "".join(out)


def find_amounts(text: str) -> list[Found]:
    """Money amounts in text (values are Amount), left to right."""
    masked = _mask_non_amounts(text)
    found = []
    for m in AMOUNT_RE.finditer(masked):
        num = m.group("num")
        value = parse_number(num)
        if value is None:
            continue
        digits = re.sub(r"\D", "", num)
        if len(digits) > 12:
            continue
        neg = bool(m.group("neg2")) or m.group("neg1") in ("-", "−")
        neg = neg or (m.group("neg1") == "(" and m.group("neg3") == ")")
        neg = neg or m.group("neg3") == "-"
        if neg:
            value = -value
        cur = currency_of(m.group("cur1")) or currency_of(m.group("cur2"))
        has_dec = bool(re.search(r"[.,]\d{1,2}$", num)) and not re.fullmatch(
            r"\d{1,3}(,\d{3})+", num
        )
        found.append(
            Found(Amount(value, cur, has_dec), m.start(), m.end(), text[m.start() : m.end()])
        )
    return found


def find_currencies(text: str) -> list[str]:
    """Currency codes named in text, by symbol or ISO code, in order."""
    hits: list[tuple[int, str]] = []
    for m in _CODE_RE.finditer(text):
        code = currency_of(m.group(1))
        if code:
            hits.append((m.start(), code))
    for sym in _SYMBOLS_SORTED:
        if sym[0].isalpha():
            # Letter symbols (RM, Rp, Fr.) count only right before a number.
            rx = re.compile(r"(?<![A-Za-z])" + re.escape(sym) + r"(?=\s?\d)")
        else:
            rx = re.compile(re.escape(sym))
        for m in rx.finditer(text):
            if sym == "$" and re.search(
                r"(?<![A-Za-z])(?:US|AU|A|CA|C|NZ|HK|S|R)$", text[: m.start()]
            ):
                continue  # part of a longer symbol (US$, C$...) counted above
            hits.append((m.start(), CURRENCY_SYMBOLS[sym]))
    hits.sort()
    return [code for _, code in hits]


# ---------------------------------------------------------------- contact and bank details

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s,;]+", re.IGNORECASE)
PHONE_RE = re.compile(r"(?<![\w+])(\+?\(?\d[\d ()./\-]{6,18}\d)(?![\w])")
IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")
BIC_RE = re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")
VAT_RE = re.compile(
    r"\b((?:ATU\d{8}|BE ?0?\d{9,10}|BG\d{9,10}|CHE[- ]?\d{3}\.?\d{3}\.?\d{3}(?: ?(?:MWST|TVA|IVA))?"
    r"|CY\d{8}[A-Z]|CZ\d{8,10}|DE ?\d{9}|DK ?\d{8}|EE\d{9}|EL\d{9}|ES ?[A-Z0-9]\d{7}[A-Z0-9]"
    r"|FI\d{8}|FR ?[A-Z0-9]{2} ?\d{9}|GB ?\d{3} ?\d{4} ?\d{2}(?:\d{3})?|HR\d{11}|HU\d{8}"
    r"|IE\d[A-Z0-9+*]\d{5}[A-Z]{1,2}|IT ?\d{11}|LT\d{9,12}|LU\d{8}|LV\d{11}|MT\d{8}"
    r"|NL ?\d{9} ?B ?\d{2}|PL ?\d{10}|PT ?\d{9}|RO\d{2,10}|SE ?\d{12}|SI\d{8}|SK\d{10}))\b"
)


def find_emails(text: str) -> list[Found]:
    """Email addresses in text."""
    return [
        Found(m.group(0).rstrip("."), m.start(), m.end(), m.group(0))
        for m in EMAIL_RE.finditer(text)
    ]


def iban_valid(candidate: str) -> bool:
    """ISO 13616 check digits of an IBAN."""
    s = candidate.replace(" ", "").upper()
    if not 15 <= len(s) <= 34 or not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False
    moved = s[4:] + s[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def find_ibans(text: str, *, strict: bool = True) -> list[Found]:
    """IBANs in text (check digits verified unless ``strict`` is False), without spaces."""
    out = []
    for m in IBAN_RE.finditer(text.upper()):
        value = m.group(1).replace(" ", "")
        if not strict or iban_valid(value):
            out.append(Found(value, m.start(), m.end(), m.group(1)))
    return out


def find_phones(text: str) -> list[Found]:
    """Phone numbers in text (8 to 15 digits, not dates or amounts)."""
    out = []
    for m in PHONE_RE.finditer(text):
        raw = m.group(1).strip()
        digits = re.sub(r"\D", "", raw)
        if not 8 <= len(digits) <= 15:
            continue
        if find_dates(raw) or re.fullmatch(r"[\d,.]+", raw):
            continue
        if re.search(r"\d[.,]\d{2}$", raw) and "+" not in raw and " " not in raw:
            continue
        out.append(Found(raw, m.start(1), m.end(1), raw))
    return out


def find_vat_ids(text: str) -> list[Found]:
    """European VAT numbers written with their country prefix."""
    return [
        Found(m.group(1).replace(" ", ""), m.start(), m.end(), m.group(1))
        for m in VAT_RE.finditer(text)
    ]


# ---------------------------------------------------------------- identifiers and quantities

# A series and its number ("2026/123", "A/45"): after a type code, the code is part of the number.
_SERIES = re.compile(r"[A-Z0-9]+/\d+")
ID_RE = re.compile(r"[#№]?\s?([A-Za-z0-9][A-Za-z0-9\-/._]*[A-Za-z0-9]|[0-9])")


def find_identifier(text: str) -> Found | None:
    """The first document-number-like token in text (must hold a digit; not a date or amount)."""
    s = text
    offset = 0
    # Skip what commonly sits between a label and its value.
    m = re.match(r"^[\s:#.\-–=№]*(?:(?:no|nr|n°|num|number|#)\b\.?[\s:#.]*)?", s, re.IGNORECASE)
    if m:
        offset = m.end()
    code = None  # a document-type code before a series/number ("FT 2026/123")
    for tok in re.finditer(r"[A-Za-z0-9][A-Za-z0-9\-/._]*", s[offset:]):
        raw = tok.group(0).rstrip("._-/")
        if not raw:
            continue
        start = offset + tok.start()
        if not re.search(r"\d", raw):
            # A word before the number (e.g. "INV 123") ends the search only if long.
            if len(raw) > 4 or tok.start() > 12:
                return None
            code = tok if raw.isupper() and tok.group(0) == raw else None
            continue
        if code is not None and tok.start() == code.end() + 1 and _SERIES.fullmatch(raw):
            start = offset + code.start()
            raw = f"{code.group(0)} {raw}"
        if find_dates(raw) and not re.search(r"[A-Za-z]", raw):
            return None
        if any(f.start == 0 for f in find_dates(s[start:])):
            # "14 March 2026" is a date, not document number 14.
            return None
        if re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", raw):
            return None
        end = offset + tok.end()
        if re.fullmatch(r"\d{3,8}", raw):
            # A number printed in groups ('1941 9936 893') is one number.
            groups = re.match(r"(?: \d{3,6}){1,3}(?![\w/.,:-])", s[end:])
            if groups:
                raw, end = raw + groups.group(0), end + groups.end()
        return Found(raw, start, end, raw)
    return None


def find_quantity(text: str) -> Decimal | None:
    """A plain quantity (integer or decimal) from a cell such as '2', '1.5 kg', 'x3'."""
    m = re.search(r"(?<![\d.,])(\d+(?:[.,]\d+)?)", text)
    if not m:
        return None
    return parse_number(m.group(1))
