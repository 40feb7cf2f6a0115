"""What every finder shares: the document index, labelled candidates and the header lines."""

from __future__ import annotations

from ..layout import Line
from ..prompts import CONCEPTS_BY_KEY, FieldSpec
from .index import (
    MIN_SCORE,
    NOT_FOUND,
    Candidate,
    DocIndex,
    FieldResult,
    _best,
    _result,
    candidates_for_hit,
)


class FinderBase:
    """Finds requested fields in one document (the parts every kind of field uses)."""

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

    def find_labelled(self, spec: FieldSpec) -> FieldResult:
        """Best labelled candidate of a field, unless only weak guesses were found."""
        best = _best(self.labelled(spec))
        # A weak label with an untyped-looking value ("Net 30" as a net amount) is noise.
        return _result(best) if best is not None and best.score >= MIN_SCORE else NOT_FOUND

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

    def _header_lines(self) -> list[Line]:
        """Lines of the first page's upper part."""
        if not self.doc.pages:
            return []
        first = self.doc.pages[0]
        limit = first.height * 0.4 if first.height else None
        lines = [ln for ln in first.lines if limit is None or ln.y <= limit]
        return lines[:25] or first.lines[:12]
