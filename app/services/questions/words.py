"""Words, stems and identifiers of questions and documents: how question text is compared."""

from __future__ import annotations

import functools
import re

# "invoice 42", "invoice no. 42", "PO #A-17", "contract number C-2024-7", "#42"
IDENTIFIER = re.compile(
    r"(?:\b(?P<label>invoice|inv|receipt|bill|order|po|contract|agreement|statement|document|"
    r"doc|reference|ref|ticket)s?[\s_\-]*(?:(?:no|nr|num|number|id)\b\.?|#)?[\s_:\-#]*"
    r"|#\s*)(?P<id>(?=[a-z0-9\-/.]*\d)[a-z0-9](?:[a-z0-9\-/.]*[a-z0-9])?)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_DATE_LIKE = re.compile(
    r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|\b\d{1,2}\s+[A-Za-z]{3,9}\s+\d{4}\b|"
    r"\b[A-Za-z]{3,9}\s+\d{1,2},?\s+\d{4}\b"
)


def stem(word: str) -> str:
    """A light English stem so that 'governs', 'governed' and 'governing' meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("sses"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def tokens(text: str) -> list[str]:
    """Words of a text, in order, as written."""
    return _WORD.findall(text or "")


@functools.lru_cache(maxsize=4096)
def stems(text: str) -> frozenset[str]:
    """The set of stems of a text's words (cached: the same pages are read for many questions)."""
    return frozenset(stem(t) for t in tokens(text))


def normalize_id(value: str) -> str:
    """Identifier for comparison: lower-case alphanumerics, leading zeros of numbers dropped."""
    s = re.sub(r"[^a-z0-9]", "", str(value).lower())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", s)


def ids_match(a: str, b: str) -> bool:
    """True when two identifiers name the same thing ('INV-0042' and '42' do)."""
    na, nb = normalize_id(a), normalize_id(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    da, db_ = re.sub(r"\D", "", na).lstrip("0"), re.sub(r"\D", "", nb).lstrip("0")
    la, lb = re.sub(r"\d", "", na), re.sub(r"\d", "", nb)
    return bool(da) and da == db_ and (not la or not lb or la == lb)


def identifiers_in(text: str) -> list[tuple[str, str | None, tuple[int, int]]]:
    """Identifiers named in a text: (identifier, label word or None, span)."""
    found = []
    for m in IDENTIFIER.finditer(text or ""):
        ident = m.group("id").strip(".-/")
        if _DATE_LIKE.fullmatch(ident):
            continue
        label = (m.group("label") or "").lower() or None
        found.append((ident, label, m.span()))
    return found


def id_variants(ident: str) -> list[str]:
    """Search terms that find an identifier however it is padded ('42' → 42, 042, 0042...)."""
    out = [p for p in re.findall(r"[a-z0-9]+", ident.lower()) if re.search(r"\d", p)]
    digits = re.sub(r"\D", "", ident)
    digits = digits.lstrip("0") or digits[-1:]
    if digits and len(digits) < 6:
        out += [digits.zfill(n) for n in range(len(digits), 7)]
    return list(dict.fromkeys(out))


def split_units(text: str) -> list[str]:
    """Sentences and label lines of a page, the pieces an answer quotes."""
    units: list[str] = []
    lines = [ln.strip() for ln in (text or "").splitlines()]
    merged: list[str] = []
    for line in lines:
        if not line:
            continue
        if merged and merged[-1][-1:] not in ".:;!?" and line[:1].islower():
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    for line in merged:
        units.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return units


def clip(text: str, limit: int) -> str:
    """Text cut at a word boundary to at most limit characters."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
