"""The provider interface, the source document, the result shape and the error types."""

from __future__ import annotations

import abc
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Failed extractions carry the project's error codes (unreadable_pdf, encrypted_pdf, no_text,
# provider_error, extraction_failed, too_complex): the one enum, kept in engine/errors.py.
from .errors import ErrorCode  # noqa: F401 - re-exported to the engine's modules

DOCUMENT_TYPES: tuple[str, ...] = (
    "invoice",
    "receipt",
    "bank_statement",
    "contract",
    "resume",
    "id_document",
    "purchase_order",
    "other",
)

# PDFium is not thread-safe: every use in a process (reading text, rendering pages for OCR, the
# LLM providers or the review screen's page images) holds this lock. A web process answering
# two page images at once would otherwise crash.
PDFIUM_LOCK = threading.RLock()

PDF_MIME = "application/pdf"
IMAGE_MIMES = ("image/jpeg", "image/png")


class ExtractionError(Exception):
    """A permanent extraction failure: retrying the same input gives the same answer."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message


class TransientProviderError(ExtractionError):
    """A failure worth retrying later: provider timeout, rate limit, 5xx or lost connection."""

    def __init__(self, message: str, code: str = ErrorCode.PROVIDER_ERROR):
        super().__init__(code, message)


@dataclass
class SourceDocument:
    """A document stored as a local file, with its content type."""

    path: str
    mime_type: str
    filename: str = ""
    page_count: int | None = None

    @property
    def is_pdf(self) -> bool:
        """True when the document is a PDF."""
        return self.mime_type == PDF_MIME or (
            not self.mime_type and str(self.path).lower().endswith(".pdf")
        )


def empty_field() -> dict[str, Any]:
    """The entry of a requested field that was not found."""
    return {"value": None, "confidence": 0.0, "page": None, "bbox": None, "source_text": None}


def json_value(value: Any) -> Any:
    """Turn a typed value into a JSON-friendly one (amounts as numbers with 2 decimals)."""
    if isinstance(value, Decimal):
        return round(float(value), 2)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def build_result(
    *,
    document_type: str | None,
    fields: Mapping[str, Mapping[str, Any]],
    line_items: list[Mapping[str, Any]] | None,
    want_line_items: bool,
    provider: str,
    model: str,
    pages: int,
    started: float,
) -> dict[str, Any]:
    """Assemble the result dict (document_type, data, fields, line_items, meta) from found fields and line items."""
    out_fields: dict[str, dict[str, Any]] = {}
    data: dict[str, Any] = {}
    for name, entry in fields.items():
        value = json_value(entry.get("value"))
        conf = entry.get("confidence") or 0.0
        out_fields[name] = {
            "value": value,
            "confidence": round(float(conf), 3),
            "page": entry.get("page"),
            "bbox": entry.get("bbox"),
            "source_text": entry.get("source_text"),
        }
        data[name] = value
    items = [
        {
            "description": json_value(it.get("description")),
            "quantity": json_value(it.get("quantity")),
            "unit_price": json_value(it.get("unit_price")),
            "amount": json_value(it.get("amount")),
        }
        for it in (line_items or [])
    ]
    if want_line_items:
        data["line_items"] = items
    return {
        "document_type": document_type,
        "data": data,
        "fields": out_fields,
        "line_items": items,
        "meta": {
            "provider": provider,
            "model": model,
            "pages": pages,
            "duration_ms": int((time.perf_counter() - started) * 1000),
        },
    }


class Provider(abc.ABC):
    """One way of classifying documents and extracting fields from them.

    ``classify(doc)`` answers ``(document_type, confidence)`` with a type from DOCUMENT_TYPES;
    ``extract(doc, prompt, document_type=None)`` answers the result dict (document_type, data, fields, line_items, meta). Both raise
    ExtractionError for permanent failures and TransientProviderError for retryable ones.
    """

    name: str = ""
    model: str = ""

    @abc.abstractmethod
    def classify(self, doc: SourceDocument) -> tuple[str, float]:
        """Detect the document type, with a confidence between 0 and 1."""

    @abc.abstractmethod
    def extract(
        self, doc: SourceDocument, prompt: str, document_type: str | None = None
    ) -> dict[str, Any]:
        """Extract the fields the prompt asks for."""

    def warm_up(self) -> None:
        """Load whatever is heavy ahead of the first document (nothing by default)."""
        return None
