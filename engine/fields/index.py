"""Label index of a document and candidate values near labels, typed by kind."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .. import values as V
from ..layout import Line, Page
from ..lineitems import header_columns
from ..prompts import CONCEPTS, FieldSpec

MIN_SCORE = 0.4
PAGE_COUNT = re.compile(
    r"(?:page|seite|pg\.?|blatt|pagina|página)\s*\d+\s*(?:of|von|/|de|di|sur)\s*\d+", re.I
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
    if weight >= 0.6 and _RATE_BEFORE.fullmatch(before):
        # "zzgl. 19 % MwSt.", "plus 20% VAT", "10% discount": the rate comes before the label.
        return True
    return False


_RATE_BEFORE = re.compile(
    r"\W*(?:(?:zzgl|zuzügl|zuzüglich|plus|inkl|incl|including|enthaltene|add)\.?\s*)?"
    r"\d{1,2}(?:[.,]\d{1,3})?\s?%\s*",
    re.IGNORECASE,
)
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


# A number written as money: "135.59", "1,234.50", "1.234,50".
_MONEY_SHAPED = re.compile(r"\d{1,3}(?:[.,\s]\d{3})*[.,]\d{2}$")

# Kinds of value with a shape of their own; the others (text, party, person, address, title) are
# a short piece of prose after their label.
TYPED_KINDS = frozenset(
    "amount date id email phone iban bic tax_id currency percent number time sex url card".split()
)


_NEXT_LABEL = re.compile(r"\s+[-–|,;/]?\s*[^\W\d_][\w.'°-]*(?:\s[^\W\d_][\w.'°-]*){0,3}\s*[:：]")


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
        if PAGE_COUNT.match(s):
            return None, 0.0  # "Page 1 of 2" beside a label is not its value
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
        # "12345678200077 - DUNS : DUNS1235487": the next label in the cell ends the value.
        text = _NEXT_LABEL.split(text, maxsplit=1)[0]
        vat = V.find_vat_ids(text)
        if vat:
            return vat[0].value, 1.0
        m = re.search(r"[A-Z]{0,4}[\s-]?\d[\dA-Z\s./-]{4,20}[\dA-Z]", _strip_value(text))
        if m is None or _MONEY_SHAPED.match(m.group(0).strip()):
            return None, 0.0  # "VAT at 5% on £135.59": an amount, not a registration number
        return re.sub(r"\s+", "", m.group(0)), 0.8
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


def _table_caption(doc: DocIndex, line: Line) -> bool:
    """True for a line of words just below an item table's header row that continues its column
    captions ("VK-Preis / Ohne / MwSt."): what is below it are item rows."""
    i = doc.order[id(line)]
    for back in (1, 2):
        if i - back < 0:
            break
        above = doc.lines[i - back]
        if above.page != line.page or line.y - above.y > 3.5 * max(line.height, 1e-6) * back:
            break
        columns = header_columns(above)
        if columns and any(role == "description" for role, _ in columns):
            return True
        if V.find_amounts(above.text):
            break
    return False


def _in_running_text(hit: Hit) -> bool:
    """True for a label word inside a sentence ("to Preserve its Title (section 1) will", "The
    notation to access the type"), not a label: no colon follows it, and it stands inside its
    cell or on a line of prose (seven words or more, mostly lower-case ones)."""
    cell = hit.line.cells[hit.cell]
    if re.match(r"\s*[:：]", cell.text[hit.end :]):
        return False
    if hit.start > 1:
        return True
    words = re.findall(r"[^\W\d_][\w'’-]*", hit.line.text)
    return len(words) >= 7 and sum(w.islower() for w in words) >= 0.6 * len(words)


def candidates_for_hit(doc: DocIndex, hit: Hit, kind: str) -> list[Candidate]:
    """Values near a label: in its cell, in the cells to its right, then in the cells below."""
    out: list[Candidate] = []
    line = hit.line
    cell = line.cells[hit.cell]
    amount = kind == "amount"
    order = doc.order[id(line)]
    if kind not in TYPED_KINDS and _in_running_text(hit):
        return out
    if _quotes_another_document(hit):
        # "Date de facture associée", "Original invoice no.": the document this one refers to.
        hit = dataclasses.replace(hit, weight=hit.weight * 0.6)
    stop = _next_label_start(doc, hit)
    rest = cell.text[hit.end : stop if stop is not None else None]
    if kind == "id" and stop is None:
        rest = _wrapped_id(doc, line, cell, rest)
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
    if _table_caption(doc, line):
        return out  # a column's caption: the item rows are below it
    x0, x1 = _cell_span(hit)
    # Lines with nothing under the label (prose beside a totals box) do not set the value apart.
    filled = 0
    for depth, nxt in enumerate(doc.next_lines(line, 3)):
        if nxt.y - line.y > 4.5 * max(line.height, 1e-6) * (depth + 1):
            break
        best_ci = _cell_under(nxt, x0, x1)
        if best_ci is None:
            if len(line.cells) == 1 and nxt.cells and depth == 0:
                best_ci = 0
            else:
                continue
        if _cell_is_label(doc, nxt, best_ci):
            break
        v, q = parse_kind(kind, nxt.cells[best_ci].text, doc, rightmost=amount)
        if v is None:
            filled += 1
            continue
        pos = (0.85, 0.72, 0.6)[filled]
        if amount and _column_goes_on(doc, nxt, x0, x1):
            pos *= 0.8  # one row of a breakdown ("Montant TVA" by rate), not a total
            if hit.concept in ("tax", "subtotal"):
                # The tax or net column of a breakdown by rate: its rows add up to the whole.
                v = _column_sum(doc, nxt, x0, x1) or v
        out.append(Candidate(v, hit.weight * q * pos, nxt.page, nxt.text, doc.order[id(nxt)], hit))
        break
    return out


def _column_sum(doc: DocIndex, row: Line, x0: float, x1: float) -> V.Amount | None:
    """The sum of the amounts in a column from `row` down, row after row, until a row without
    one there or with a label (a totals line); None when a row's currency differs."""
    amounts: list[V.Amount] = []
    line: Line | None = row
    while line is not None:
        ci = _cell_under(line, x0, x1)
        found = _cell_amounts(line.cells[ci].text) if ci is not None else []
        if not found or (amounts and doc.line_hits(line)):
            break
        amounts.append(found[-1])
        line = _row_below(doc, line)
    currencies = {a.currency for a in amounts if a.currency}
    if len(amounts) < 2 or len(currencies) > 1:
        return None
    total = sum((a.value for a in amounts), Decimal(0))
    return V.Amount(total, next(iter(currencies), None), any(a.has_decimals for a in amounts))


def _wrapped_id(doc: DocIndex, line: Line, cell, rest: str) -> str:
    """An identifier that a narrow box wrapped after a hyphen or slash ("RE-" / "2026-04117"):
    joined with the start of the next line when that begins under the cell that holds it."""
    if not re.search(r"[A-Za-z0-9][-/]$", rest.rstrip()):
        return rest
    for nxt in doc.next_lines(line, 1):
        if nxt.y - line.y > 2.0 * max(line.height, 1e-6):
            break
        for c in nxt.cells:
            if abs(c.x0 - cell.x0) <= max(line.height, 1.0):
                m = re.match(r"[A-Za-z0-9][A-Za-z0-9/-]*", c.text.strip())
                if m and re.search(r"\d", m.group(0)):
                    return rest.rstrip() + m.group(0)
    return rest


def _cell_under(line: Line, x0: float, x1: float) -> int | None:
    """The cell of a line that overlaps the span x0..x1 the most, if any does."""
    best_ci, best_overlap = None, 0.0
    for ci, c in enumerate(line.cells):
        overlap = min(x1, c.x1) - max(x0, c.x0)
        if overlap > best_overlap:
            best_ci, best_overlap = ci, overlap
    return best_ci


def _row_below(doc: DocIndex, row: Line) -> Line | None:
    """The line after `row` on its page, when it follows as a table's next row would."""
    after = doc.next_lines(row, 1)
    return after[0] if after and after[0].y - row.y <= 3.0 * max(row.height, 1e-6) else None


def _column_goes_on(doc: DocIndex, row: Line, x0: float, x1: float) -> bool:
    """True when the line right after `row` holds another amount in the same column: the
    label heads a column of several rows."""
    nxt = _row_below(doc, row)
    ci = _cell_under(nxt, x0, x1) if nxt is not None else None
    return ci is not None and bool(_cell_amounts(nxt.cells[ci].text))


def _cell_amounts(text: str) -> list[V.Amount]:
    """The money amounts of a table cell ("1.000,00 EUR", "0,45"); none in a sentence."""
    found = V.find_amounts(text)
    rest = text
    for f in reversed(found):
        rest = rest[: f.start] + rest[f.end :]
    if len(re.findall(r"[^\W\d_]", rest)) > 4:
        return []
    return [f.value for f in found if f.value.has_decimals or f.value.currency]


# Words that make a label name another document than this one: "Date de facture associée",
# "N° de facture d'origine", "Original invoice number", "Related invoice".
_OTHER_DOCUMENT_BEFORE = re.compile(
    r"\b(?:original|related|referenced|corrected|cancelled|previous|preceding|ursprüngliche[nr]?|"
    r"bezogene[nr]?)\s+$",
    re.IGNORECASE,
)
_OTHER_DOCUMENT_AFTER = re.compile(
    r"\s*(?:associée?s?|d['’]origine|originale?|initiale?|rectifiée?|corrigée?|précédente?|"
    r"of the original|being corrected|referenced)\b",
    re.IGNORECASE,
)


def _quotes_another_document(hit: Hit) -> bool:
    """True when the words around a label say it is about another document."""
    text = hit.line.cells[hit.cell].text
    return bool(
        _OTHER_DOCUMENT_BEFORE.search(text[: hit.start])
        or _OTHER_DOCUMENT_AFTER.match(text[hit.end :])
    )


# ---------------------------------------------------------------- finders


@dataclass
class FieldResult:
    """The chosen value of a field with its confidence and provenance."""

    value: Any
    confidence: float
    page: int | None
    source_text: str | None

    def as_entry(self) -> dict[str, Any]:
        """The result entry of a field: value, confidence, page and source text."""
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
