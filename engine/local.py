"""The offline provider: text layer or OCR, rule-based classification and field finding."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from . import ocr
from .base import (
    DOCUMENT_TYPES,
    ErrorCode,
    ExtractionError,
    Provider,
    SourceDocument,
    build_result,
)
from .classify import classify_pages
from .fields import DocIndex, Finder
from .lineitems import find_line_items, find_transactions
from .positions import add_boxes
from .prompts import DEFAULT_PROMPTS, FieldSpec, parse_prompt, with_currency
from .text import DocumentText, load_document

log = logging.getLogger(__name__)

LOCAL_MODEL = f"rules-1+{ocr.OCR_MODEL}"
# Pages searched for labelled fields in long documents (line items use every page).
FIELD_PAGES_HEAD = 10
FIELD_PAGES_TAIL = 5


# Words a reader of the result looks for in key names to find the headline fields, per concept.
_HEADLINE_WORDS = {
    "total": ("total",),
    "date": ("date",),
    "document_number": ("invoice", "receipt", "number"),
}


def headline_first(specs: list[FieldSpec]) -> list[str]:
    """Field keys in prompt order, except that the total, the document date and the document
    number come before any other key whose name holds the same word.

    Whoever reads the result by key name ("the first key containing 'total'") then finds
    'total' before 'subtotal' or 'total_tax', 'date' before 'due_date', and 'invoice_number'
    before 'invoice_date', whatever order the prompt named them in.
    """
    keys = [spec.key for spec in specs]
    letters = {k: re.sub(r"[^a-z]", "", k.lower()) for k in keys}
    for concept, words in _HEADLINE_WORDS.items():
        key = next((s.key for s in specs if s.concept and s.concept.key == concept), None)
        if key is None:
            continue
        at = keys.index(key)
        clash = next(
            (i for i, k in enumerate(keys[:at]) if any(w in letters[k] for w in words)), None
        )
        if clash is not None:
            keys.insert(clash, keys.pop(at))
    return keys


class LocalProvider(Provider):
    """Works offline with no key; deterministic for a given file and prompt."""

    name = "local"
    model = LOCAL_MODEL

    def __init__(self, config: Mapping[str, Any] | None = None):
        self.config = dict(config or {})

    def warm_up(self) -> None:
        """Load the OCR models now so the first scanned page is not slower than the rest."""
        ocr.warm_up()

    def _load(self, doc: SourceDocument) -> DocumentText:
        """Document text, with unexpected failures turned into extraction_failed."""
        try:
            return load_document(doc)
        except ExtractionError:
            raise
        except Exception as exc:
            log.exception("reading %s failed", doc.filename or doc.path)
            raise ExtractionError(ErrorCode.EXTRACTION_FAILED, f"Reading failed: {exc}") from exc

    def classify(self, doc: SourceDocument) -> tuple[str, float]:
        """Document type by keywords and layout; ('other', 0.0) when there is no text at all."""
        text = self._load(doc)
        if not any(p.lines for p in text.pages):
            return "other", 0.0
        return classify_pages(text.pages, is_image=not doc.is_pdf)

    def extract(
        self, doc: SourceDocument, prompt: str, document_type: str | None = None
    ) -> dict[str, Any]:
        """Fields the prompt names (or the type's default fields), typed, with provenance."""
        started = time.perf_counter()
        text = self._load(doc)
        if not any(p.lines for p in text.pages):
            # Nothing readable even after OCR: a failure the user can act on (blank or bad scan).
            raise ExtractionError(ErrorCode.NO_TEXT, "No readable text was found in the document.")
        try:
            return self._extract(doc, text, prompt, document_type, started)
        except ExtractionError:
            raise
        except Exception as exc:
            log.exception("extraction of %s failed", doc.filename or doc.path)
            raise ExtractionError(ErrorCode.EXTRACTION_FAILED, f"Extraction failed: {exc}") from exc

    def _extract(
        self,
        doc: SourceDocument,
        text: DocumentText,
        prompt: str,
        document_type: str | None,
        started: float,
    ) -> dict[str, Any]:
        """Extraction proper, once the text is there."""
        if document_type not in DOCUMENT_TYPES:
            document_type = None
        detected = document_type or classify_pages(text.pages, is_image=not doc.is_pdf)[0]
        parsed = parse_prompt(prompt, detected)
        if parsed.empty:
            parsed = parse_prompt(DEFAULT_PROMPTS.get(detected, DEFAULT_PROMPTS["other"]), detected)
        with_currency(parsed)
        pages = text.pages
        if len(pages) > FIELD_PAGES_HEAD + FIELD_PAGES_TAIL:
            # Header fields sit on the first pages and totals on the last ones.
            pages = pages[:FIELD_PAGES_HEAD] + pages[-FIELD_PAGES_TAIL:]
        index = DocIndex(pages, detected)
        finder = Finder(index)
        fields: dict[str, dict[str, Any]] = {}
        # Totals first: the currency found beside the total is the document's currency.
        order = sorted(
            parsed.fields, key=lambda f: 0 if f.concept and f.concept.key == "total" else 1
        )
        found = {spec.key: finder.find(spec) for spec in order}
        for key in headline_first(parsed.fields):
            fields[key] = found[key].as_entry()
        items: list[dict[str, Any]] = []
        all_lines = [line for p in text.pages for line in p.lines]
        if parsed.line_items_key:
            items = find_line_items(all_lines)
        if parsed.transactions_key:
            txns = find_transactions(all_lines, index.date_order)
            fields[parsed.transactions_key] = {
                "value": txns,
                "confidence": 0.6 if txns else 0.0,
                "page": 1 if txns else None,
                "source_text": None,
            }
        result = build_result(
            document_type=detected,
            fields=fields,
            line_items=items,
            want_line_items=bool(parsed.line_items_key),
            provider=self.name,
            model=self.model,
            pages=len(text.pages),
            started=started,
        )
        if parsed.line_items_key and parsed.line_items_key != "line_items":
            result["data"][parsed.line_items_key] = result["data"].pop("line_items")
        add_boxes(result["fields"], text.pages)
        return result
