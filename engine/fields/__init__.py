"""Field finding: labels and their values (same cell, cell to the right, cell below), typed."""

from __future__ import annotations

import re

from ..prompts import FieldSpec
from .dates import DateFinder
from .docs import DocumentFinder
from .index import (
    MIN_SCORE,
    NOT_FOUND,
    Candidate,
    DocIndex,
    FieldResult,
    Hit,
    candidates_for_hit,
    parse_kind,
)
from .money import MoneyFinder
from .parties import ADDRESS_HINT, COMPANY_SUFFIX, POSTCODE, TITLE_WORDS, PartyFinder

__all__ = [
    "ADDRESS_HINT",
    "COMPANY_SUFFIX",
    "MIN_SCORE",
    "NOT_FOUND",
    "POSTCODE",
    "TITLE_WORDS",
    "Candidate",
    "DocIndex",
    "FieldResult",
    "Finder",
    "Hit",
    "candidates_for_hit",
    "parse_kind",
]


class Finder(MoneyFinder, DateFinder, PartyFinder, DocumentFinder):
    """Finds requested fields in one document."""

    def find(self, spec: FieldSpec) -> FieldResult:
        """The value of one requested field."""
        key = spec.concept.key if spec.concept else None
        special = {
            "total": self.find_total,
            "date": self.find_issue_date,
            "due_date": self.find_due_date,
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
        if key == "tax_id":
            return self.find_tax_id(spec)
        if key in ("email", "phone", "iban", "bic", "website", "linkedin", "card_last4"):
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

    def find_pattern(self, spec: FieldSpec) -> FieldResult:
        """A value recognisable by its shape anywhere in the document (first occurrence)."""
        for line in self.doc.lines:
            v, q = parse_kind(spec.kind, line.text, self.doc)
            if v is not None and spec.kind not in ("text", "party", "person"):
                if spec.kind == "bic" and not re.search(r"\b(?:bic|swift)\b", line.text, re.I):
                    continue
                if spec.kind == "card" and not re.search(r"[*xX•#]{3,}", line.text):
                    continue
                return FieldResult(v, round(0.7 * q, 3), line.page, line.text)
        return NOT_FOUND
