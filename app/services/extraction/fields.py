"""Field finding: labels and their values (same cell, cell to the right, cell below), typed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import values as V
from .layout import Line, Page
from .lineitems import header_columns
from .prompts import CONCEPTS, CONCEPTS_BY_KEY, FieldSpec

COMPANY_SUFFIX = re.compile(
    r"(?-i:[a-z](?:LLC|Ltd|LTD|Inc|GmbH|AG|SA|BV|PLC)\b)|"
    r"(?:\b|(?-i:(?<=[a-z])(?=[A-Z])))(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|co(?=\.)|"
    r"company|gmbh|ag|kg|"
    r"ohg|ug|s\.?a\.?r?\.?l?|s\.?a|s\.?p\.?a|s\.?r\.?l|b\.?v|n\.?v|plc|pty|pte|lp|llp|oy|ab|as|"
    r"aps|sas|sasu|srl|spa|kft|sp\. z o\.o|sdn\.? bhd|bhd|pvt|pte|enterprise|"
    r"group|holdings|bank|trading|services|solutions|"
    r"studio|shop|store|market|supermarket|restaurant|cafe|café|bakery|pharmacy|hotel)\b\.?",
    re.IGNORECASE,
)
TITLE_WORDS = re.compile(
    r"^\W*(?:tax\s+)?(?:invoice|receipt|sales receipt|bill|statement(?: of account)?|"
    r"bank statement|account statement|purchase order|order|quote|quotation|estimate|"
    r"credit note|pro ?forma(?: invoice)?|rechnung|facture|factura|fattura|factuur|"
    r"quittung|beleg|kassenbon|original|copy|duplicate|page \d+(?: of \d+)?)\W*$",
    re.IGNORECASE,
)
ADDRESS_HINT = re.compile(
    r"\b(?:street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|drive|dr\.?|blvd|boulevard|way|"
    r"place|pl\.?|square|sq\.?|suite|ste\.?|floor|fl\.?|unit|building|po box|p\.o\. box|"
    r"straße|strasse|str\.|weg|platz|gasse|allee|rue|avenue|chemin|calle|via|piazza|straat|"
    r"laan|plein)\b|\b\d{4,5}\b|\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b|\b[A-Z]{2} \d{5}\b",
    re.IGNORECASE,
)


_EXCLUDING = re.compile(
    r"\b(?:excl\.?|excluding|exkl\.?|zzgl\.?|before (?:tax|vat)|net of|ex\.? (?:vat|gst|tax)|hors taxes?|"
    r"ht)\b",
    re.IGNORECASE,
)

MIN_SCORE = 0.4
_NOT_DOC_NUMBER = {
    "store", "st", "shop", "reg", "register", "table", "terminal", "term", "tel", "phone", "op",
    "te", "tr", "lane", "cashier", "server", "guest", "guests", "seat", "pos", "till", "ext",
    "unit", "suite", "apt", "box", "mgr", "account", "acct", "card", "customer", "member", "vat",
    "gst", "abn", "tax", "id", "order", "po", "item", "items", "article", "page", "room", "flight",
    "approval", "approved", "auth", "code", "trace", "batch", "rrn", "mid", "tid", "seq", "stan",
    "aid", "pump", "kasse", "bed", "points", "pin", "ref", "invoice",
}  # fmt: skip
POSTCODE = re.compile(
    r"\b[A-Z]{2},? \d{5}(?:-\d{4})?\b|(?:^|,\s*)\d{4,5}\s+[A-Z][a-zäöüé]+|"
    r"\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b"
)


# ---------------------------------------------------------------- label matching


def _label_regex(phrase: str) -> str:
    """Regex source for a label phrase, tolerant of spacing and punctuation between words."""
    tokens = re.findall(r"[^\s.]+|\.", phrase)
    parts = []
    for tok in tokens:
        if tok == ".":
            continue
        parts.append(re.escape(tok))
    body = r"[\s.\-_/]*".join(parts)
    prefix = r"(?<![A-Za-z0-9])" if phrase[:1].isalnum() else ""
    # A label glued to digits ("PO-1234", "INV/77") is the start of a value, not a label.
    suffix = (
        r"\.?(?![A-Za-z0-9])(?![-/]\d)" if phrase[-1:].isalnum() or phrase.endswith(".") else ""
    )
    return prefix + body + suffix


@lru_cache(maxsize=512)
def _compile_labels(labels: tuple[tuple[str, float], ...]) -> tuple[re.Pattern, dict[str, float]]:
    """One regex for a set of label phrases (longest first) and the weight of each phrase."""
    ordered = sorted(labels, key=lambda lw: -len(lw[0]))
    src = "|".join(f"(?:{_label_regex(p)})" for p, _ in ordered)
    return re.compile(src, re.IGNORECASE), {p.lower(): w for p, w in ordered}


def _weight_of(matched: str, weights: dict[str, float]) -> tuple[str, float]:
    """The label phrase a matched text stands for, with its weight."""
    norm = re.sub(r"[\s.\-_/]+", " ", matched.lower()).strip()
    best = ("", 0.0)
    for phrase, w in weights.items():
        p = re.sub(r"[\s.\-_/]+", " ", phrase).strip()
        if p == norm:
            return phrase, w
        if p.replace(" ", "") == norm.replace(" ", "") and w > best[1]:
            best = (phrase, w)
    return best if best[0] else (norm, min(weights.values()) if weights else 0.5)


@dataclass
class Hit:
    """A label found on a line: which concept, how strong, and where."""

    concept: str
    label: str
    weight: float
    line: Line
    cell: int
    start: int
    end: int


@dataclass
class Candidate:
    """A possible value of a field, with a score and its provenance."""

    value: Any
    score: float
    page: int | None
    source: str
    order: int = 0
    hit: Hit | None = None


def _label_position_ok(text: str, start: int, end: int, label: str, weight: float) -> bool:
    """Accept a label at the start of a cell, or anywhere when a colon or '#' follows it."""
    before = text[:start]
    after = text[end:]
    at_start = not re.search(r"[A-Za-z0-9]", before)
    followed = bool(re.match(r"\s*[:#№]", after)) or bool(re.match(r"\s*\(", after))
    if at_start:
        if len(label.replace(" ", "")) <= 3 and weight < 0.9:
            # Short generic labels ("no", "to", "ref") need punctuation or a value right after.
            return followed or not after.strip() or bool(re.match(r"\s*[.]?\s*\S", after))
        return True
    if followed:
        if weight < 0.6 and re.search(r"[A-Za-z]{2,}\.?\s*$", before):
            # "Customer No.:", "Order #:": a generic label belongs to the word before it.
            return False
        # "Invoice No: 12  Date: 3/4/26" holds a second label mid-cell.
        return bool(re.search(r"[\s:|/]$", before)) or before == ""
    if weight >= 0.85 and re.fullmatch(r"\W*\d{1,3}\W*\s", before):
        # A count or a line number printed before a strong label ("5 BALANCE DUE").
        return True
    if weight >= 0.6 and _ENDS_WITH_TIME.search(before):
        # "03/04/26 14:22 Receipt 1234": a till prints date, time and number on one line.
        return True
    return False


_ENDS_WITH_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:[AaPp]\.?[Mm]\.?)?\s+$")


class DocIndex:
    """Lines of a document and the labels of every known concept found on them."""

    def __init__(self, pages: list[Page], document_type: str | None = None):
        self.pages = pages
        self.document_type = document_type
        self.lines: list[Line] = [line for p in pages for line in p.lines]
        self.order = {id(line): i for i, line in enumerate(self.lines)}
        self.text = "\n".join(line.text for line in self.lines)
        self.date_order = V.date_order_hint(self.text)
        self.page_height = {p.number: p.height or 1.0 for p in pages}
        self.page_width = {p.number: p.width or 1.0 for p in pages}
        self.hits: dict[int, list[Hit]] = {}
        head = "\n".join(line.text for line in self.lines[:15])
        # A credit note quotes the invoice it corrects: its "Invoice no./date" are not its own.
        self.credit_note = bool(
            re.search(r"\bcredit (?:note|memo)\b|\bgutschrift\b|\bavoir\b", head, re.I)
        )
        self._all_hits()

    def _all_hits(self) -> None:
        """Find labels of every concept on every line, longest label winning overlaps."""
        for line in self.lines:
            found: list[Hit] = []
            for ci, cell in enumerate(line.cells):
                raw: list[Hit] = []
                for concept in CONCEPTS:
                    if not concept.labels:
                        continue
                    rx, weights = _compile_labels(concept.labels)
                    for m in rx.finditer(cell.text):
                        if m.end() == m.start():
                            continue
                        label, w = _weight_of(m.group(0), weights)
                        if not _label_position_ok(cell.text, m.start(), m.end(), label, w):
                            continue
                        raw.append(Hit(concept.key, label, w, line, ci, m.start(), m.end()))
                found.extend(_resolve(raw))
            self.hits[id(line)] = found

    def hits_for(self, spec: FieldSpec) -> list[Hit]:
        """Label hits for a requested field (its concept's labels, or its own phrase)."""
        if spec.concept is not None and spec.concept.labels:
            key = spec.concept.key
            out = [h for hs in self.hits.values() for h in hs if h.concept == key]
            extra = [(lab, w) for lab, w in spec.labels() if lab not in dict(spec.concept.labels)]
            if extra:
                out.extend(self._phrase_hits(spec, tuple(extra)))
            return sorted(out, key=lambda h: (self.order[id(h.line)], h.cell, h.start))
        labels = tuple(spec.labels())
        return self._phrase_hits(spec, labels) if labels else []

    def _phrase_hits(self, spec: FieldSpec, labels: tuple[tuple[str, float], ...]) -> list[Hit]:
        """Hits of labels outside the known set, unless a longer known label covers them."""
        rx, weights = _compile_labels(labels)
        out = []
        for line in self.lines:
            for ci, cell in enumerate(line.cells):
                for m in rx.finditer(cell.text):
                    label, w = _weight_of(m.group(0), weights)
                    if not _label_position_ok(cell.text, m.start(), m.end(), label, w):
                        continue
                    covered = any(
                        h.cell == ci
                        and h.start <= m.start()
                        and h.end >= m.end()
                        and (h.end - h.start) > (m.end() - m.start())
                        for h in self.hits[id(line)]
                    )
                    if not covered:
                        key = spec.concept.key if spec.concept else spec.key
                        out.append(Hit(key, label, w, line, ci, m.start(), m.end()))
        return out

    def line_hits(self, line: Line) -> list[Hit]:
        """Label hits on one line."""
        return self.hits.get(id(line), [])

    def next_lines(self, line: Line, count: int) -> list[Line]:
        """Up to ``count`` lines after this one on the same page."""
        i = self.order[id(line)]
        out = []
        for nxt in self.lines[i + 1 : i + 1 + count]:
            if nxt.page != line.page:
                break
            out.append(nxt)
        return out


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Keep the longest labels where labels overlap; equal spans of several concepts all stay."""
    hits.sort(key=lambda h: (-(h.end - h.start), h.start))
    kept: list[Hit] = []
    for h in hits:
        clash = False
        for k in kept:
            if h.start < k.end and k.start < h.end:
                if (k.start, k.end) != (h.start, h.end):
                    clash = True
                    break
        if not clash:
            kept.append(h)
    return kept


# ---------------------------------------------------------------- value parsing by kind


def _strip_value(text: str) -> str:
    """Value text without the separators that follow a label."""
    return re.sub(r"^[\s:#.\-–=|№)]+", "", text).strip()


def parse_kind(
    kind: str, text: str, doc: DocIndex, *, rightmost: bool = False
) -> tuple[Any, float]:
    """A typed value of the given kind from text, with a quality between 0 and 1."""
    text = text.strip()
    if not text:
        return None, 0.0
    if kind == "amount":
        amounts = V.find_amounts(text)
        if not amounts:
            return None, 0.0
        with_dec = [a for a in amounts if a.value.has_decimals or a.value.currency]
        pool = with_dec or amounts
        pick = pool[-1] if rightmost else pool[0]
        amt: V.Amount = pick.value
        return amt, 1.0 if (amt.has_decimals or amt.currency) else 0.6
    if kind == "date":
        dates = V.find_dates(text, doc.date_order)
        return (dates[0].value.isoformat(), 1.0) if dates else (None, 0.0)
    if kind == "id":
        s = _strip_value(text)
        if V.find_emails(s):
            return None, 0.0
        found = V.find_identifier(s)
        if found is None or found.start > 14:
            return None, 0.0
        value = found.value
        if len(value) > 32:
            return None, 0.0
        return value, 1.0 if re.search(r"\d", value) else 0.5
    if kind == "email":
        found = V.find_emails(text)
        return (found[0].value, 1.0) if found else (None, 0.0)
    if kind == "phone":
        found = V.find_phones(text)
        return (found[0].value, 1.0) if found else (None, 0.0)
    if kind == "iban":
        found = V.find_ibans(text) or V.find_ibans(text, strict=False)
        return (found[0].value, 1.0) if found else (None, 0.0)
    if kind == "bic":
        m = V.BIC_RE.search(_strip_value(text))
        return (m.group(1), 1.0) if m else (None, 0.0)
    if kind == "tax_id":
        vat = V.find_vat_ids(text)
        if vat:
            return vat[0].value, 1.0
        m = re.search(r"[A-Z]{0,4}[\s-]?\d[\dA-Z\s./-]{4,20}[\dA-Z]", _strip_value(text))
        return (re.sub(r"\s+", "", m.group(0)), 0.8) if m else (None, 0.0)
    if kind == "currency":
        cur = V.find_currencies(text)
        return (cur[0], 1.0) if cur else (None, 0.0)
    if kind == "percent":
        m = re.search(r"(\d+(?:[.,]\d+)?)\s?%", text)
        if m:
            num = V.parse_number(m.group(1))
            return (float(num) if num is not None else None), 1.0
        return None, 0.0
    if kind == "number":
        q = V.find_quantity(text)
        return (float(q) if q is not None else None), 0.8 if q is not None else 0.0
    if kind == "time":
        m = re.search(r"\b(\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)\b", text)
        return (m.group(1), 1.0) if m else (None, 0.0)
    if kind == "sex":
        m = re.search(r"\b(M|F|X|male|female|männlich|weiblich)\b", text, re.IGNORECASE)
        if not m:
            return None, 0.0
        v = m.group(1).upper()
        return {"MALE": "M", "FEMALE": "F", "MÄNNLICH": "M", "WEIBLICH": "F"}.get(v, v), 1.0
    if kind == "url":
        m = V.URL_RE.search(text) or re.search(r"\b[\w.-]+\.(?:com|org|net|io|de|uk|fr)/\S*", text)
        return (m.group(0).rstrip(".,"), 1.0) if m else (None, 0.0)
    if kind == "card":
        m = re.search(r"(?:[*xX#•]{2,}[\s-]?)+(\d{4})\b", text)
        return (m.group(1), 1.0) if m else (None, 0.0)
    # text, party, person, address, title and anything else: a short piece of prose.
    s = _strip_value(text)
    s = re.split(r"\s{3,}", s)[0].strip(" ,;")
    letters = len(re.findall(r"[^\W\d_]", s))
    if letters < 2 or len(s) > 120:
        return None, 0.0
    return s, 0.9


# ---------------------------------------------------------------- candidates from labels


def _cell_span(hit: Hit) -> tuple[float, float]:
    """Horizontal extent of the label itself (and what follows it in its cell)."""
    cell = hit.line.cells[hit.cell]
    n = max(len(cell.text), 1)
    x0 = cell.x0 + (cell.x1 - cell.x0) * hit.start / n
    return x0, cell.x1


def _next_label_start(doc: DocIndex, hit: Hit) -> int | None:
    """Where the next label starts in the same cell after this hit."""
    starts = [
        h.start
        for h in doc.line_hits(hit.line)
        if h.cell == hit.cell and h.start >= hit.end and h.weight >= 0.6
    ]
    return min(starts) if starts else None


def _cell_is_label(doc: DocIndex, line: Line, ci: int) -> bool:
    """True when a cell starts with a label of some concept."""
    return any(h.cell == ci and h.start <= 1 for h in doc.line_hits(line))


def candidates_for_hit(doc: DocIndex, hit: Hit, kind: str) -> list[Candidate]:
    """Values near a label: in its cell, in the cells to its right, then in the cells below."""
    out: list[Candidate] = []
    line = hit.line
    cell = line.cells[hit.cell]
    amount = kind == "amount"
    order = doc.order[id(line)]
    stop = _next_label_start(doc, hit)
    rest = cell.text[hit.end : stop if stop is not None else None]
    value, q = parse_kind(kind, rest, doc, rightmost=False)
    right_values: list[tuple[Any, float, str]] = []
    if value is not None:
        right_values.append((value, q, cell.text))
    if stop is None:
        for ci in range(hit.cell + 1, len(line.cells)):
            if _cell_is_label(doc, line, ci) and right_values:
                break
            if _cell_is_label(doc, line, ci):
                break
            v, q2 = parse_kind(kind, line.cells[ci].text, doc, rightmost=amount)
            if v is not None:
                right_values.append((v, q2 * (0.97 if ci > hit.cell + 1 else 1.0), line.text))
                if not amount:
                    break
    if right_values:
        # Amounts: the rightmost of a label's line is the one totals columns end with.
        value, q, src = right_values[-1] if amount else right_values[0]
        out.append(Candidate(value, hit.weight * q, line.page, src, order, hit))
        return out
    x0, x1 = _cell_span(hit)
    for depth, nxt in enumerate(doc.next_lines(line, 3)):
        if nxt.y - line.y > 4.5 * max(line.height, 1e-6) * (depth + 1):
            break
        best_ci, best_overlap = None, 0.0
        for ci, c in enumerate(nxt.cells):
            overlap = min(x1, c.x1) - max(x0, c.x0)
            if overlap > best_overlap:
                best_ci, best_overlap = ci, overlap
        if best_ci is None:
            if len(line.cells) == 1 and nxt.cells and depth == 0:
                best_ci = 0
            else:
                continue
        if _cell_is_label(doc, nxt, best_ci):
            break
        v, q = parse_kind(kind, nxt.cells[best_ci].text, doc, rightmost=amount)
        if v is not None:
            pos = (0.85, 0.72, 0.6)[depth]
            out.append(
                Candidate(v, hit.weight * q * pos, nxt.page, nxt.text, doc.order[id(nxt)], hit)
            )
            break
    return out


# ---------------------------------------------------------------- finders


@dataclass
class FieldResult:
    """The chosen value of a field with its confidence and provenance."""

    value: Any
    confidence: float
    page: int | None
    source_text: str | None

    def as_entry(self) -> dict[str, Any]:
        """The SPEC §6 entry of a field."""
        return {
            "value": self.value,
            "confidence": self.confidence,
            "page": self.page,
            "source_text": self.source_text,
        }


NOT_FOUND = FieldResult(None, 0.0, None, None)


def _best(cands: list[Candidate]) -> Candidate | None:
    """Highest score; ties go to the earlier one."""
    if not cands:
        return None
    return max(cands, key=lambda c: (round(c.score, 4), -c.order))


def _result(c: Candidate | None, *, cap: float = 0.99) -> FieldResult:
    """FieldResult of a candidate (amounts stay Decimal until JSON time)."""
    if c is None:
        return NOT_FOUND
    value = c.value.value if isinstance(c.value, V.Amount) else c.value
    return FieldResult(value, round(min(cap, c.score), 3), c.page, (c.source or "")[:300])


def _label_after_amount(hit: Hit) -> bool:
    """True when a figure is printed before the label on its line: a number in a cell to its
    left, or an amount or a percentage earlier in its own cell."""
    line = hit.line
    if any(re.search(r"\d", c.text) for c in line.cells[: hit.cell]):
        return True
    before = line.cells[hit.cell].text[: hit.start]
    if "%" in before or "=" in before:
        return True
    return any(f.value.has_decimals or f.value.currency for f in V.find_amounts(before))


def _address_number(c: Candidate) -> bool:
    """True for a weakly labelled number that is a house number ('No. 12, Jalan SS 2')."""
    if c.hit is None or c.hit.weight >= 0.6:
        return False
    after = c.hit.line.cells[c.hit.cell].text[c.hit.end :]
    return bool(re.match(r"\W*\d{1,4}[A-Za-z]?[,.]\s+\w", after))


# Lines whose amount is never the total when no total label is printed.
_NOT_TOTAL_LINES = {"amount_paid", "change", "tax", "discount", "tip", "rounding", "quantity"}


def _code_like(amount: V.Amount) -> bool:
    """True for a long whole number with no currency: an authorisation or reference code."""
    return not amount.has_decimals and amount.currency is None and abs(amount.value) >= 10000


def _misread_sign(value: Decimal) -> Decimal | None:
    """The amount without its first digit when that digit may be a misread '$' or 'S'."""
    text = f"{value:.2f}"
    if len(text) >= 5 and text[0] in "856":
        return Decimal(text[1:])
    return None


class Finder:
    """Finds requested fields in one document."""

    def __init__(self, doc: DocIndex):
        self.doc = doc
        self._cache: dict[str, list[Candidate]] = {}
        self.total_currency: str | None = None

    def labelled(self, spec: FieldSpec, kind: str | None = None) -> list[Candidate]:
        """Candidates from the labels of a field."""
        key = f"{spec.key}|{spec.concept.key if spec.concept else ''}|{kind or spec.kind}"
        if key not in self._cache:
            out: list[Candidate] = []
            for hit in self.doc.hits_for(spec):
                out.extend(candidates_for_hit(self.doc, hit, kind or spec.kind))
            self._cache[key] = out
        return self._cache[key]

    def concept_candidates(self, concept_key: str) -> list[Candidate]:
        """Candidates of a known concept, whatever the prompt called it."""
        concept = CONCEPTS_BY_KEY[concept_key]
        return self.labelled(FieldSpec(concept_key, concept, concept.synonyms[0], concept.kind))

    def find(self, spec: FieldSpec) -> FieldResult:
        """The value of one requested field."""
        key = spec.concept.key if spec.concept else None
        special = {
            "total": self.find_total,
            "date": self.find_issue_date,
            "document_number": self.find_document_number,
            "vendor": self.find_vendor,
            "bank_name": self.find_vendor,
            "currency": self.find_currency,
            "customer": self.find_party_block,
            "ship_to": self.find_party_block,
            "account_holder": self.find_party_block,
            "address": self.find_address,
            "parties": self.find_parties,
            "title": self.find_title,
            "full_name": self.find_person_name,
            "governing_law": self.find_governing_law,
            "location": self.find_location,
        }
        if key in special:
            return special[key](spec)
        if spec.kind == "section":
            return self.find_section(spec)
        if key in ("effective_date", "statement_date"):
            res = self.find_labelled(spec)
            return res if res.value is not None else self.first_date(0.5)
        if key in ("period_start", "period_end"):
            res = self.find_labelled(spec)
            return res if res.value is not None else self.find_period(spec, key == "period_end")
        if key in ("email", "phone", "iban", "tax_id", "bic", "website", "linkedin", "card_last4"):
            res = self.find_labelled(spec)
            return res if res.value is not None else self.find_pattern(spec)
        if key == "time":
            res = self.find_labelled(spec)
            return res if res.value is not None else self.find_pattern(spec)
        if key in (
            "surname",
            "given_names",
            "id_number",
            "nationality",
            "sex",
            "date_of_birth",
            "expiry_date",
            "issuing_country",
        ):
            res = self.find_labelled(spec)
            return res if res.value is not None else self.find_from_mrz(spec)
        return self.find_labelled(spec)

    def find_labelled(self, spec: FieldSpec) -> FieldResult:
        """Best labelled candidate of a field, unless only weak guesses were found."""
        best = _best(self.labelled(spec))
        # A weak label with an untyped-looking value ("Net 30" as a net amount) is noise.
        return _result(best) if best is not None and best.score >= MIN_SCORE else NOT_FOUND

    # -- totals and amounts

    def _amounts_of(self, concept_key: str, limit: int = 4) -> list[Decimal]:
        """Distinct amounts found under a concept's labels, best first."""
        cands = sorted(self.concept_candidates(concept_key), key=lambda c: -c.score)
        out: list[Decimal] = []
        for c in cands:
            if isinstance(c.value, V.Amount) and c.value.value not in out:
                out.append(c.value.value)
        return out[:limit]

    def _sums(self) -> set[Decimal]:
        """Totals the summary lines add up to: subtotal plus tax, shipping, discount, tip."""
        subs = self._subtotals()
        if not subs:
            return set()
        extras = [
            [Decimal(0)] + self._amounts_of(key)
            for key in ("tax", "shipping", "discount", "tip", "rounding")
        ]
        out: set[Decimal] = set()
        for s in subs:
            for t in extras[0]:
                for sh in extras[1]:
                    for d in extras[2]:
                        for tip in extras[3]:
                            for r in extras[4]:
                                if t == sh == d == tip == r == 0:
                                    continue  # the subtotal alone says nothing
                                # Signs follow the subtotal's (a credit note is all negative).
                                sign = -1 if s < 0 else 1
                                base = s + t + sh + tip + r
                                out.add(base - sign * abs(d))
                                if d:
                                    out.add(base + sign * abs(d))
        return out

    def _total_from_parts(self, weak: Candidate) -> FieldResult:
        """Subtotal plus every other summary amount found, at low confidence."""
        parts = {
            key: (self._amounts_of(key) or [Decimal(0)])[0]
            for key in ("subtotal", "tax", "shipping", "discount", "tip", "rounding")
        }
        parts["subtotal"] = self._subtotals()[0]
        sign = -1 if parts["subtotal"] < 0 else 1
        value = sum(v for k, v in parts.items() if k != "discount") - sign * abs(parts["discount"])
        self.total_currency = weak.value.currency
        return FieldResult(value, 0.4, weak.page, None)

    def _subtotals(self) -> list[Decimal]:
        """Subtotal amounts, with totals marked 'excluding tax' counted as subtotals."""
        subs = self._amounts_of("subtotal")
        for c in self.concept_candidates("total"):
            if isinstance(c.value, V.Amount) and _EXCLUDING.search(c.source or ""):
                if c.value.value not in subs:
                    subs.append(c.value.value)
        return subs[:4]

    def _ocr_page(self, page: int | None) -> bool:
        """True when a page's text came from OCR."""
        return any(p.number == page and p.source == "ocr" for p in self.doc.pages)

    def find_total(self, spec: FieldSpec) -> FieldResult:
        """The amount to pay: strongest total label, checked against the summary arithmetic.

        Among labelled candidates the score favours the one that equals subtotal + tax
        (+ shipping - discount), the largest of the strong ones (a net 'Total' row comes before
        the gross total; 'Balance due' after a payment is smaller), and the later one; it
        penalises 'excl. VAT' totals, column headers named 'Total', and labels printed after
        another amount on their line (a tip suggestion table: '18% = 4.10  Total 27.80').
        """
        cands = [
            c
            for c in self.labelled(spec, "amount")
            if isinstance(c.value, V.Amount) and not _code_like(c.value)
        ]
        nonzero = [c for c in cands if c.value.value != 0]
        if nonzero:
            cands = nonzero
        cands = [c for c in cands if c.value.value > 0] or cands
        if cands:
            sums = self._sums()
            last = max(c.order for c in cands) or 1
            scored = []
            for c in cands:
                amount = c.value
                bonus = 0.0
                if _EXCLUDING.search(c.source or ""):
                    # "Total (excl. VAT)" is a subtotal whatever its label says.
                    bonus -= 0.3
                if c.hit is not None and _label_after_amount(c.hit):
                    bonus -= 0.25
                if c.hit is not None and header_columns(c.hit.line):
                    bonus -= 0.2
                if sums:
                    if any(abs(x - amount.value) <= Decimal("0.02") for x in sums):
                        bonus += 0.12
                    elif self._ocr_page(c.page):
                        alt = _misread_sign(amount.value)
                        if alt is not None and any(abs(x - alt) <= Decimal("0.02") for x in sums):
                            # '$47.41' read as '847.41': the sum settles it.
                            amount = V.Amount(alt, amount.currency, amount.has_decimals)
                            bonus += 0.1
                # The final figure comes last (after tax lines, rounding, per-page totals).
                bonus += 0.02 * c.order / last
                scored.append(Candidate(amount, c.score + bonus, c.page, c.source, c.order, c.hit))
            strong = [c for c in scored if c.score >= 0.7]
            if len(strong) > 1:
                # Largest in size (a credit note's total is the most negative); a rounded total
                # a few cents off the largest counts as the largest too.
                top = max(abs(c.value.value) for c in strong)
                scored = [
                    Candidate(c.value, c.score + 0.06, c.page, c.source, c.order, c.hit)
                    if c.score >= 0.7 and top - abs(c.value.value) <= Decimal("0.10")
                    else c
                    for c in scored
                ]
            best = max(scored, key=lambda c: (c.score, c.order))
            if sums and (best.score < 0.35 or _EXCLUDING.search(best.source or "")):
                # The total's own figure is unreadable (a faded scan) but its parts are there.
                return self._total_from_parts(best)
            self.total_currency = best.value.currency
            return _result(Candidate(best.value, min(best.score, 0.99), best.page, best.source))
        # No total label: the largest amount with cents, at low confidence, leaving out what was
        # handed over (cash tendered), given back (change) and the tax and discount lines.
        pool, other = [], []
        for line in self.doc.lines:
            concepts = {h.concept for h in self.doc.line_hits(line)}
            for f in V.find_amounts(line.text):
                if f.value.has_decimals and f.value.value > 0:
                    c = Candidate(f.value, 0.3, line.page, line.text, self.doc.order[id(line)])
                    (other if concepts & _NOT_TOTAL_LINES else pool).append(c)
        pool = pool or other
        if not pool:
            return NOT_FOUND
        best = max(pool, key=lambda c: (c.value.value, c.order))
        self.total_currency = best.value.currency
        return _result(best)

    def find_currency(self, spec: FieldSpec) -> FieldResult:
        """Currency of the document: written beside the total, else the most named one."""
        labelled = _best(self.labelled(spec, "currency"))
        if labelled is not None:
            return _result(labelled)
        if self.total_currency is None:
            total_spec = FieldSpec("total", CONCEPTS_BY_KEY["total"], "total", "amount")
            self.find_total(total_spec)
        if self.total_currency:
            code = self.total_currency
            if code == "USD":
                # A bare '$' is the dollar of the country the document comes from.
                code = V.dollar_of(self.doc.text)
            return FieldResult(code, 0.9, None, None)
        found = V.find_currencies(self.doc.text)
        if not found:
            if V.US_ADDRESS.search(self.doc.text):
                # No sign or code printed, but a US address: dollars.
                return FieldResult("USD", 0.4, None, None)
            return NOT_FOUND
        counts = Counter(found)
        code, n = counts.most_common(1)[0]
        if code == "USD":
            code = V.dollar_of(self.doc.text)
        return FieldResult(code, 0.7 if n > 1 else 0.55, None, None)

    # -- dates

    def _own(self, cands: list[Candidate]) -> list[Candidate]:
        """Candidates with 'invoice' labels weakened on a credit note (they quote the invoice)."""
        if not self.doc.credit_note:
            return cands
        return [
            Candidate(c.value, c.score * 0.7, c.page, c.source, c.order, c.hit)
            if c.hit is not None and "invoice" in c.hit.label
            else c
            for c in cands
        ]

    def find_issue_date(self, spec: FieldSpec) -> FieldResult:
        """The document date: a date label, else the first date not claimed by another label."""
        best = _best(self._own(self.labelled(spec, "date")))
        if best is not None:
            return _result(best)
        claimed = set()
        other_dates = [c.key for c in CONCEPTS if c.kind == "date" and c.key != "date"]
        for key in other_dates:
            for cand in self.concept_candidates(key):
                claimed.add(cand.value)
        for line in self.doc.lines:
            for f in V.find_dates(line.text, self.doc.date_order):
                iso = f.value.isoformat()
                if iso in claimed:
                    continue
                hits = self.doc.line_hits(line)
                if any(CONCEPTS_BY_KEY[h.concept].kind == "date" for h in hits):
                    continue
                return FieldResult(iso, 0.5, line.page, line.text)
        return NOT_FOUND

    def first_date(self, confidence: float) -> FieldResult:
        """The first date printed in the document."""
        for line in self.doc.lines:
            found = V.find_dates(line.text, self.doc.date_order)
            if found:
                return FieldResult(found[0].value.isoformat(), confidence, line.page, line.text)
        return NOT_FOUND

    def find_period(self, spec: FieldSpec, end: bool) -> FieldResult:
        """Start or end of a period written as 'from X to Y' or 'X - Y'."""
        rx = re.compile(r"(?:period|from|statement)", re.IGNORECASE)
        for line in self.doc.lines:
            dates = V.find_dates(line.text, self.doc.date_order)
            if len(dates) >= 2 and (rx.search(line.text) or len(line.cells) <= 3):
                pick = dates[1] if end else dates[0]
                return FieldResult(pick.value.isoformat(), 0.7, line.page, line.text)
        return NOT_FOUND

    # -- identifiers

    def find_document_number(self, spec: FieldSpec) -> FieldResult:
        """Invoice/receipt number: labels weighted by the words the prompt used.

        A till slip often prints only an order or check number: on receipts those labels count
        too, a little below the receipt's own.
        """
        phrase = spec.phrase.lower()
        cands = [c for c in self._own(self.labelled(spec, "id")) if not _address_number(c)]
        if self.doc.document_type == "receipt":
            cands.extend(
                Candidate(c.value, c.score * 0.85, c.page, c.source, c.order, c.hit)
                for c in self.concept_candidates("po_number")
            )
        if cands:
            words = set(re.findall(r"[a-z]+", phrase)) - {"number", "no", "id", "num"}
            rescored = []
            for c in cands:
                src = (c.source or "").lower()
                bonus = 0.05 if words and any(w in src for w in words) else 0.0
                rescored.append(Candidate(c.value, c.score + bonus, c.page, c.source, c.order))
            best = _best(rescored)
            if best is not None and best.score >= 0.3:
                return _result(best)
        # Unlabelled: a token shaped like a document number near the top.
        rx = re.compile(r"(?:^|\s)(?:#|No\.?|Nr\.?)\s?([A-Z0-9][A-Z0-9\-/]{2,20})\b", re.IGNORECASE)
        for line in self.doc.lines[:40]:
            for m in rx.finditer(line.text):
                before = line.text[: m.start()].lower().split()
                if before and before[-1].strip(":") in _NOT_DOC_NUMBER:
                    continue  # "Store #123", "Table No. 4": numbers of something else
                if re.search(r"\d", m.group(1)):
                    return FieldResult(m.group(1), 0.35, line.page, line.text)
        return NOT_FOUND

    def find_pattern(self, spec: FieldSpec) -> FieldResult:
        """A value recognisable by its shape anywhere in the document (first occurrence)."""
        for line in self.doc.lines:
            v, q = parse_kind(spec.kind, line.text, self.doc)
            if v is not None and spec.kind not in ("text", "party", "person"):
                if spec.kind == "tax_id" and not V.find_vat_ids(line.text):
                    continue
                if spec.kind == "bic" and not re.search(r"\b(?:bic|swift)\b", line.text, re.I):
                    continue
                if spec.kind == "card" and not re.search(r"[*xX•#]{3,}", line.text):
                    continue
                return FieldResult(v, round(0.7 * q, 3), line.page, line.text)
        return NOT_FOUND

    # -- parties and names

    def _header_lines(self) -> list[Line]:
        """Lines of the first page's upper part."""
        if not self.doc.pages:
            return []
        first = self.doc.pages[0]
        limit = first.height * 0.4 if first.height else None
        lines = [ln for ln in first.lines if limit is None or ln.y <= limit]
        return lines[:25] or first.lines[:12]

    def _party_line_ok(self, text: str, line: Line) -> bool:
        """True when a line could name a company or person (not a title, date, amount, contact)."""
        t = text.strip()
        letters = len(re.findall(r"[^\W\d_]", t))
        if letters < 3 or len(t) > 70:
            return False
        if TITLE_WORDS.match(t) or V.find_emails(t) or V.URL_RE.search(t):
            return False
        priced = any(f.value.has_decimals or f.value.currency for f in V.find_amounts(t))
        if V.find_dates(t) or V.find_phones(t) or (priced and letters < 6):
            return False
        if re.search(
            r"\b(?:tel|phone|fax|email|vat|iban|page|date|www|cashier|server|clerk|operator|"
            r"table|terminal|register|till|welcome|thank|thanks|reg|regn|registration|gst|sst|"
            r"abn|siret|siren|tax id|co\.? no|company no|ust-idnr)\b",
            t,
            re.IGNORECASE,
        ):
            return False
        if re.match(r"^\d", t) and ADDRESS_HINT.search(t):
            return False
        if POSTCODE.search(t) and len(t.split()) <= 5:
            return False  # "Denver, CO 80202", "10115 Berlin": a city line
        return True

    def find_vendor(self, spec: FieldSpec) -> FieldResult:
        """The issuer: a seller label, else the most company-like line at the top of page 1."""
        best = _best([c for c in self.labelled(spec, "party") if c.score >= 0.5])
        if best is not None:
            return _result(best)
        customer_cells = self._customer_block_cells()
        header = self._header_lines()
        # Nothing from the items table down names the issuer; on a till slip the items start
        # at the first priced line.
        for i, line in enumerate(header):
            priced = self.doc.document_type == "receipt" and any(
                f.value.has_decimals for f in V.find_amounts(line.text)
            )
            if header_columns(line) or priced:
                header = header[:i]
                break
        if not header:
            return NOT_FOUND
        heights = sorted(ln.height for ln in header)
        median_h = heights[len(heights) // 2] or 1.0
        scored: list[tuple[float, Line, str]] = []
        for rank, line in enumerate(header):
            for ci, cell in enumerate(line.cells[:2]):
                if (id(line), ci) in customer_cells:
                    continue
                # "Muster GmbH · Hauptstr. 1 · Berlin": the name comes before the separator.
                text = re.split(r"\s[·•|]\s|\s-\s(?=\d)", cell.text.strip())[0].strip()
                hits = [h for h in self.doc.line_hits(line) if h.start == 0 and h.weight >= 0.6]
                if hits and any(line.cells[h.cell] is cell for h in hits):
                    continue
                if not self._party_line_ok(text, line):
                    continue
                score = 0.35 - 0.04 * min(rank, 5) - 0.01 * max(rank - 5, 0)
                if COMPANY_SUFFIX.search(text):
                    score += 0.3
                if line.height > 1.25 * median_h:
                    score += 0.2
                if text.isupper() and len(text) > 3:
                    score += 0.05
                scored.append((score, line, text))
        if not scored:
            return NOT_FOUND
        score, line, text = max(scored, key=lambda s: s[0])
        return FieldResult(text, round(min(0.8, max(0.3, score)), 3), line.page, line.text)

    def _customer_block_cells(self) -> set[tuple[int, int]]:
        """(line, cell) pairs of a 'Bill to' style block, so they are not taken as the vendor."""
        out: set[tuple[int, int]] = set()
        for line in self.doc.lines[:60]:
            for h in self.doc.line_hits(line):
                if h.concept in ("customer", "ship_to") and h.weight >= 0.8:
                    out.add((id(line), h.cell))
                    x0, x1 = _cell_span(h)
                    for nxt in self.doc.next_lines(line, 4):
                        for ci, c in enumerate(nxt.cells):
                            if min(x1, c.x1) - max(x0, c.x0) > 0:
                                out.add((id(nxt), ci))
        return out

    def find_party_block(self, spec: FieldSpec) -> FieldResult:
        """A party under a 'Bill to' style label: the label's value or the first line below."""
        return _result(_best(self.labelled(spec, "party")))

    def find_address(self, spec: FieldSpec) -> FieldResult:
        """An address: a labelled one, else the lines under the vendor name."""
        labelled = self.labelled(spec, "text")
        best = _best(labelled)
        if best is not None:
            return _result(best)
        vendor = self.find_vendor(FieldSpec("vendor", CONCEPTS_BY_KEY["vendor"], "vendor", "party"))
        if vendor.value is None:
            return NOT_FOUND
        start = None
        for line in self.doc.lines[:30]:
            if vendor.value in line.text:
                start = line
                break
        if start is None:
            return NOT_FOUND
        cell = next((c for c in start.cells if vendor.value in c.text), start.cells[0])
        parts = []
        for nxt in self.doc.next_lines(start, 4):
            near = [c for c in nxt.cells if abs(c.x0 - cell.x0) < 3 * max(nxt.height, 1)]
            if not near:
                break
            text = near[0].text.strip()
            if V.find_emails(text) or V.find_phones(text) or self.doc.line_hits(nxt):
                break
            parts.append(text)
            if not ADDRESS_HINT.search(text) and len(parts) > 1:
                break
        if not parts or not any(ADDRESS_HINT.search(p) for p in parts):
            return NOT_FOUND
        return FieldResult(", ".join(parts), 0.5, start.page, " / ".join(parts))

    def find_location(self, spec: FieldSpec) -> FieldResult:
        """A place: labelled, else an address-like line in the header."""
        best = _best(self.labelled(spec, "text"))
        if best is not None:
            return _result(best)
        for line in self._header_lines()[:8]:
            for cell in line.cells:
                t = cell.text.strip()
                if V.find_emails(t) or V.find_phones(t) or V.URL_RE.search(t):
                    continue
                if re.fullmatch(r"[A-Z][\w .'-]+,\s?[A-Z][\w .'-]+", t):
                    return FieldResult(t, 0.45, line.page, line.text)
        return NOT_FOUND

    def find_parties(self, spec: FieldSpec) -> FieldResult:
        """Parties of an agreement from 'between X and Y' or party labels."""
        text = " ".join(line.text for line in self.doc.lines[:80])
        text = re.sub(r"\s+", " ", text)
        m = re.search(
            r"\bbetween:?\s+(.{3,120}?)(?:\s*\(|,|\s+hereinafter)(.{0,200}?)\band:?\s+"
            r"(.{3,120}?)(?:\s*\(|,|\.|\s+hereinafter)",
            text,
            re.IGNORECASE,
        )
        if m:
            parties = [_clean_party(m.group(1)), _clean_party(m.group(3))]
            return FieldResult([p for p in parties if p], 0.7, 1, m.group(0)[:300])
        names = []
        for line in self.doc.lines[:60]:
            mm = re.match(
                r"^\s*(?:party\s*(?:a|b|1|2|one|two)|client|provider|contractor|employer|employee|"
                r"landlord|tenant|licensor|licensee|buyer|seller|supplier|customer|company)\s*:\s*(.+)$",
                line.text,
                re.IGNORECASE,
            )
            if mm:
                names.append(_clean_party(mm.group(1)))
        if names:
            return FieldResult(names, 0.6, 1, None)
        return NOT_FOUND

    def find_title(self, spec: FieldSpec) -> FieldResult:
        """The document title: labelled, else the tallest of the first lines."""
        best = _best(self.labelled(spec, "text"))
        if best is not None and best.score >= 0.6:
            return _result(best)
        header = self._header_lines()[:8]
        if not header:
            return NOT_FOUND
        cands = [ln for ln in header if len(re.findall(r"[^\W\d_]", ln.text)) >= 4]
        if not cands:
            return NOT_FOUND
        line = max(cands, key=lambda ln: (ln.height, -self.doc.order[id(ln)]))
        return FieldResult(line.cells[0].text.strip(), 0.6, line.page, line.text)

    def find_person_name(self, spec: FieldSpec) -> FieldResult:
        """A person's name: labelled, else from the MRZ, else a name-shaped line at the top."""
        best = _best(self.labelled(spec, "person"))
        if best is not None and best.score >= 0.5:
            return _result(best)
        mrz = self._mrz()
        if mrz and mrz.get("full_name"):
            return FieldResult(mrz["full_name"], 0.8, mrz["page"], mrz["source"])
        for line in self._header_lines()[:6]:
            t = line.cells[0].text.strip()
            if re.fullmatch(r"[A-ZÀ-Ý][\w'’.-]+(?:\s+[A-ZÀ-Ý][\w'’.-]+){1,3}", t) and not (
                TITLE_WORDS.match(t) or COMPANY_SUFFIX.search(t)
            ):
                if t.lower() in ("curriculum vitae", "resume", "résumé"):
                    continue
                return FieldResult(t, 0.6, line.page, line.text)
        return NOT_FOUND

    def find_governing_law(self, spec: FieldSpec) -> FieldResult:
        """Governing law from 'governed by the laws of X'."""
        text = re.sub(r"\s+", " ", self.doc.text)
        m = re.search(
            r"governed by(?: and construed in accordance with)?,? the laws? of (?:the )?"
            r"([A-Z][\w .'-]{2,60}?)(?:[,.;(]| without\b| excluding\b)",
            text,
        )
        if m:
            return FieldResult(m.group(1).strip(), 0.8, None, m.group(0)[:300])
        return self.find_labelled(spec)

    def find_section(self, spec: FieldSpec) -> FieldResult:
        """Lines under a section heading (skills, experience...) up to the next heading."""
        names = {spec.phrase.lower()}
        if spec.concept is not None:
            names.update(s.lower() for s in spec.concept.synonyms)
        headings = {s.lower() for c in CONCEPTS if c.kind == "section" for s in c.synonyms}
        headings |= {"contact", "references", "projects", "interests", "hobbies", "awards",
                     "publications", "personal details", "personal information"}  # fmt: skip
        lines = self.doc.lines
        for i, line in enumerate(lines):
            head = re.sub(r"[^\w\s]", "", line.text).strip().lower()
            if head not in names:
                continue
            body: list[str] = []
            for nxt in lines[i + 1 : i + 40]:
                h2 = re.sub(r"[^\w\s]", "", nxt.text).strip().lower()
                if h2 in headings:
                    break
                body.append(nxt.text.strip())
            if not body:
                continue
            listy = spec.concept is not None and spec.concept.key in ("skills", "languages")
            if listy:
                items = [
                    p.strip(" •-*·")
                    for b in body
                    for p in re.split(r"[,;•|·]|\s{3,}", b)
                    if p.strip(" •-*·")
                ]
                return FieldResult(items, 0.7, line.page, "\n".join(body)[:300])
            return FieldResult("\n".join(body), 0.7, line.page, "\n".join(body)[:300])
        return NOT_FOUND

    # -- machine-readable zone of passports and ID cards

    def _mrz(self) -> dict[str, Any] | None:
        """Fields of a TD3 (passport) or TD1 (ID card) machine-readable zone, if printed."""
        if hasattr(self, "_mrz_cache"):
            return self._mrz_cache
        rows = []
        for line in self.doc.lines:
            t = line.text.replace(" ", "").replace("«", "<")
            if t.count("<") >= 3 and re.fullmatch(r"[A-Z0-9<]{28,46}", t):
                rows.append((t, line))
        out = None
        if len(rows) >= 2:
            first, second = rows[-2][0], rows[-1][0]
            if len(rows) >= 3 and len(rows[-3][0]) == 30:
                first, second, third = rows[-3][0], rows[-2][0], rows[-1][0]
                out = _parse_td1(first, second, third)
            else:
                out = _parse_td3(first, second)
            if out:
                out["page"] = rows[-1][1].page
                out["source"] = "\n".join(r[0] for r in rows[-3:])
        self._mrz_cache = out
        return out

    def find_from_mrz(self, spec: FieldSpec) -> FieldResult:
        """A field read from the machine-readable zone."""
        mrz = self._mrz()
        key = spec.concept.key if spec.concept else spec.key
        if mrz and mrz.get(key):
            return FieldResult(mrz[key], 0.85, mrz["page"], mrz["source"])
        return NOT_FOUND


def _clean_party(text: str) -> str:
    """A party name without leading articles and trailing punctuation."""
    t = re.sub(r"^(?:the\s+|1\.\s*|2\.\s*)", "", text.strip(), flags=re.IGNORECASE)
    return t.strip(" ,;:\"'“”")


def _mrz_date(yymmdd: str, future: bool = False) -> str | None:
    """ISO date from an MRZ YYMMDD (birth dates in the past, expiry dates in the future)."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = 2000 + yy if future or yy <= 30 else 1900 + yy
    d = V._make_date(year, mm, dd)
    return d.isoformat() if d else None


def _mrz_names(field: str) -> tuple[str, str]:
    """Surname and given names from an MRZ name field."""
    sur, _, given = field.partition("<<")
    return sur.replace("<", " ").strip(), given.replace("<", " ").strip()


def _parse_td3(l1: str, l2: str) -> dict[str, Any] | None:
    """Passport MRZ (2 lines of 44)."""
    if len(l1) < 40 or len(l2) < 40 or l1[0] not in "PV":
        return None
    sur, given = _mrz_names(l1[5:])
    return {
        "issuing_country": l1[2:5].replace("<", ""),
        "surname": sur,
        "given_names": given,
        "full_name": f"{given} {sur}".strip(),
        "id_number": l2[0:9].replace("<", ""),
        "nationality": l2[10:13].replace("<", ""),
        "date_of_birth": _mrz_date(l2[13:19]),
        "sex": l2[20] if l2[20] in "MFX" else None,
        "expiry_date": _mrz_date(l2[21:27], future=True),
    }


def _parse_td1(l1: str, l2: str, l3: str) -> dict[str, Any] | None:
    """ID card MRZ (3 lines of 30)."""
    if len(l1) < 28 or len(l2) < 28:
        return None
    sur, given = _mrz_names(l3)
    return {
        "issuing_country": l1[2:5].replace("<", ""),
        "id_number": l1[5:14].replace("<", ""),
        "date_of_birth": _mrz_date(l2[0:6]),
        "sex": l2[7] if l2[7] in "MFX" else None,
        "expiry_date": _mrz_date(l2[8:14], future=True),
        "nationality": l2[15:18].replace("<", ""),
        "surname": sur,
        "given_names": given,
        "full_name": f"{given} {sur}".strip(),
    }
