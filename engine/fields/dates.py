"""Document dates, periods and document numbers."""

from __future__ import annotations

import re

from .. import values as V
from ..prompts import CONCEPTS, CONCEPTS_BY_KEY, FieldSpec
from .base import FinderBase
from .index import NOT_FOUND, Candidate, FieldResult, _best, _result

_NOT_DOC_NUMBER = {
    "store", "st", "shop", "reg", "register", "table", "terminal", "term", "tel", "phone", "op",
    "te", "tr", "lane", "cashier", "server", "guest", "guests", "seat", "pos", "till", "ext",
    "unit", "suite", "apt", "box", "mgr", "account", "acct", "card", "customer", "member", "vat",
    "gst", "abn", "tax", "id", "order", "po", "item", "items", "article", "page", "room", "flight",
    "approval", "approved", "auth", "code", "trace", "batch", "rrn", "mid", "tid", "seq", "stan",
    "aid", "pump", "kasse", "bed", "points", "pin", "ref", "invoice",
}  # fmt: skip


# A payment sentence up to its deadline: "payable within 14 days by", "zahlbar bis zum",
# "à régler au plus tard le", "te betalen vóór".
_DEADLINE_BEFORE = re.compile(
    r"\b(?:zahlbar|zahlung|payable|payment|pay|due|régler|regler|payer|règlement|"
    r"reglement|paiement|pagadero|pagar|pago|pagare|pagamento|betalen|betaling)\b"
    r"[^.;]{0,60}?\b(?:bis(?:\s+zum|\s+spätestens)?|spätestens(?:\s+am|\s+bis)?|by|before|"
    r"on or before|no later than|avant le|au plus tard le|antes del?|entro il|vóór|voor)"
    r"\s*(?:the\s+|le\s+|den\s+)?$",
    re.IGNORECASE,
)


def _address_number(c: Candidate) -> bool:
    """True for a weakly labelled number that is a house number ('No. 12, Jalan SS 2')."""
    if c.hit is None or c.hit.weight >= 0.6:
        return False
    after = c.hit.line.cells[c.hit.cell].text[c.hit.end :]
    return bool(re.match(r"\W*\d{1,4}[A-Za-z]?[,.]\s+\w", after))


class DateFinder(FinderBase):
    """Dates and identifiers of the document itself."""

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

    def find_due_date(self, spec: FieldSpec) -> FieldResult:
        """The due date: a due-date label, else a payment sentence's deadline ("Zahlbar
        innerhalb von 14 Tagen bis zum 23.03.2026", "Please pay by 4 May 2026")."""
        found = self.find_labelled(spec)
        if found.value is not None:
            return found
        for line in self.doc.lines:
            for f in V.find_dates(line.text, self.doc.date_order):
                if _DEADLINE_BEFORE.search(line.text[: f.start]):
                    return FieldResult(f.value.isoformat(), 0.6, line.page, line.text)
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
