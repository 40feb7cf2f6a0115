"""Totals, amounts and the document's currency."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from .. import countries as C
from .. import values as V
from ..lineitems import header_columns
from ..prompts import CONCEPTS_BY_KEY, FieldSpec
from .base import FinderBase
from .index import NOT_FOUND, Candidate, FieldResult, Hit, _best, _result

_EXCLUDING = re.compile(
    r"\b(?:excl\.?|excluding|exkl\.?|zzgl\.?|before (?:tax|vat)|net of|ex\.? (?:vat|gst|tax)|"
    r"hors taxes?|ht)\b",
    re.IGNORECASE,
)


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


# A section number at the start of a line, followed by its heading.
_NUMBERED_HEADING = re.compile(r"^\s*\d+(?:\.\d+)+\.?\s+[^\W\d_]")

# A word that makes the number after it a reference: "See Section 2.11", "version 4.19".
# (The section sign is written as its code point.)
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:sections?|chapters?|version|v|figure|fig\.|table|page|clause|article|art\.|rule|"
    r"step|appendix|annex|paragraph|para\.|item|no\.|nr\.)|\u00a7)\s*$",
    re.IGNORECASE,
)

# Documents that are about money: a currency sign anywhere on them is the document's currency.
_PRICED_TYPES = frozenset({"invoice", "receipt", "purchase_order", "bank_statement", None})


class MoneyFinder(FinderBase):
    """Totals and currency."""

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
        # No real total label (a weak "Amount" column at most) but a payment receipt's
        # "Amount paid": what was paid is the total (not cash tendered, which may exceed it).
        paid = [
            c
            for c in self.concept_candidates("amount_paid")
            if isinstance(c.value, V.Amount)
            and c.value.value > 0
            and c.hit is not None
            and c.hit.label in ("amount paid", "total paid", "paid amount")
        ]
        if paid and all(c.score < 0.5 for c in cands):
            cands = []
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
        if paid:
            best = max(paid, key=lambda c: (c.score, c.order))
            self.total_currency = best.value.currency
            return _result(Candidate(best.value, min(best.score, 0.8), best.page, best.source))
        # No total label: the largest amount with cents, at low confidence, leaving out what was
        # handed over (cash tendered), given back (change) and the tax and discount lines. A
        # number with one decimal and no currency, or one that numbers a heading ("4.5 Auxiliary
        # functions", "2.17. The magic files": a manual's contents), is not money.
        pool, other = [], []
        for line in self.doc.lines:
            concepts = {h.concept for h in self.doc.line_hits(line)}
            for f in V.find_amounts(line.text):
                money = f.value.currency or (
                    f.value.value.as_tuple().exponent <= -2
                    and not _NUMBERED_HEADING.match(line.text[f.start :])
                    and not _REFERENCE_BEFORE.search(line.text[: f.start])
                )
                if f.value.has_decimals and f.value.value > 0 and money:
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
                code = C.dollar_of(self.doc.text)
            return FieldResult(code, 0.9, None, None)
        priced = self.doc.document_type in _PRICED_TYPES
        if priced:
            found = V.find_currencies(self.doc.text)
        else:
            # A manual's or a letter's "$" is a shell prompt or a variable as often as money:
            # only a sign or code written with an amount counts.
            found = [f.value.currency for f in V.find_amounts(self.doc.text) if f.value.currency]
        if not found:
            if not priced:
                return NOT_FOUND  # a letter or a manual naming its country names no currency
            cue = C.country_currency(self.doc.text)
            if cue is not None:
                # No sign or code printed, but the tax ids or the address name the country.
                return FieldResult(cue, 0.45, None, None)
            if V.US_ADDRESS.search(self.doc.text):
                # No sign or code printed, but a US address: dollars.
                return FieldResult("USD", 0.4, None, None)
            return NOT_FOUND
        counts = Counter(found)
        code, n = counts.most_common(1)[0]
        if code == "USD":
            code = C.dollar_of(self.doc.text)
        return FieldResult(code, 0.7 if n > 1 else 0.55, None, None)
