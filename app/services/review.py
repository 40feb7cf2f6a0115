"""Review and correction of results: which need a look, corrections typed like extraction, approval.

- `needs_review(result, threshold)`: decided when a result is stored: a requested field is
  missing, or its confidence is below `REVIEW_CONFIDENCE`.
- `correct(document, user_id, data, line_items)`: sets values; each is typed by the same function
  that types extraction (`extraction.valuetypes.typed_value`, with the kind of the field from the
  prompt's vocabulary). A corrected field gets `corrected: true`, `original` (the extracted value,
  kept from the first correction on) and confidence 1.0; the result's `data` follows, so exports
  and question answers use the corrected values. An audit event `correct` records who and what.
- `approve(document, user_id)`: clears `needs_review` (and the batch's count); audit `review`.

Both work on completed documents only (`InvalidState` otherwise) and lock the document row, so
two corrections at once apply one after the other.
"""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditAction, Batch, Document, DocumentStatus, ExtractionResult
from app.models.audit import record
from app.models.types import utcnow

MAX_LINE_ITEMS = 500
MAX_FIELDS = 200
MAX_NAME_CHARS = 100
MAX_VALUE_CHARS = 2000
LINE_ITEM_KINDS = {
    "description": "text",
    "quantity": "amount",
    "unit_price": "amount",
    "amount": "amount",
}


class InvalidState(Exception):
    """The document is not completed: there is no result to correct or approve."""


class Gone(Exception):
    """The document was deleted meanwhile."""


class InvalidValue(Exception):
    """A value that cannot be typed as its field; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def needs_review(result: dict | None, threshold: float) -> bool:
    """True when a requested field is missing or below the confidence threshold."""
    if not result:
        return False
    for entry in (result.get("fields") or {}).values():
        if not isinstance(entry, dict):
            continue
        if entry.get("corrected"):
            continue
        if entry.get("value") is None or float(entry.get("confidence") or 0) < threshold:
            return True
    return False


def field_kinds(document: Document, result: dict) -> dict[str, str]:
    """The kind (amount, date, currency, text, ...) of each field of a document's result."""
    from engine.prompts import parse_prompt

    prompt = document.extraction_prompt
    if not prompt and document.batch_id is not None:
        prompt = db.session.scalar(
            sa.select(Batch.extraction_prompt).where(Batch.id == document.batch_id)
        )
    parsed = parse_prompt(prompt or "", result.get("document_type"))
    kinds = {f.key: f.kind for f in parsed.fields}
    for name, entry in (result.get("fields") or {}).items():
        if name in kinds:
            continue
        guess = parse_prompt(name.replace("_", " "), result.get("document_type")).fields
        kinds[name] = guess[0].kind if guess else "text"
        value = entry.get("value") if isinstance(entry, dict) else None
        if kinds[name] == "text" and isinstance(value, int | float):
            kinds[name] = "amount"
    return kinds


def _locked(document_id) -> tuple[Document, ExtractionResult]:
    doc = db.session.execute(
        sa.select(Document).where(Document.id == document_id).with_for_update()
    ).scalar_one_or_none()
    if doc is None:
        db.session.rollback()
        raise Gone(document_id)
    row = db.session.scalar(
        sa.select(ExtractionResult).where(ExtractionResult.document_id == document_id)
    )
    if doc.status != DocumentStatus.COMPLETED or row is None:
        db.session.rollback()
        raise InvalidState(
            f"The document is {doc.status}: only a completed document's result can be changed."
        )
    return doc, row


def check_text(field: str, name: str, raw: Any) -> None:
    """Names and text values: bounded, without control characters (PostgreSQL stores no NUL)."""
    from app.services.cleantext import CONTROL_CHARS

    if not name or len(name) > MAX_NAME_CHARS or CONTROL_CHARS.search(name):
        raise InvalidValue(
            field[:MAX_NAME_CHARS] or "data",
            f"Field names have 1 to {MAX_NAME_CHARS} characters and no control characters.",
        )
    if isinstance(raw, str) and (len(raw) > MAX_VALUE_CHARS or CONTROL_CHARS.search(raw)):
        raise InvalidValue(
            field,
            f"Values have at most {MAX_VALUE_CHARS} characters and no control characters.",
        )


def typed_changes(kinds: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    """Each changed value typed as its field; InvalidValue names the first that cannot be."""
    from engine.valuetypes import InvalidValue as Untyped
    from engine.valuetypes import typed_value

    if len(data) > MAX_FIELDS:
        raise InvalidValue("data", f"Send at most {MAX_FIELDS} fields at once.")
    typed = {}
    for name, raw in data.items():
        check_text(str(name), str(name), raw)
        try:
            typed[name] = typed_value(kinds.get(name, "text"), raw, strict=True)
        except Untyped as exc:
            raise InvalidValue(name, str(exc)) from None
    return typed


def typed_line_items(items: list) -> list[dict[str, Any]]:
    """Line items typed column by column (description text; quantity and amounts numbers)."""
    from engine.valuetypes import InvalidValue as Untyped
    from engine.valuetypes import typed_value

    if not isinstance(items, list) or len(items) > MAX_LINE_ITEMS:
        raise InvalidValue("line_items", f"Send a list of at most {MAX_LINE_ITEMS} rows.")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidValue(f"line_items[{i}]", "Each row is an object of its columns.")
        row = {}
        for column, raw in item.items():
            check_text(f"line_items[{i}].{column}", str(column), raw)
            try:
                row[str(column)] = typed_value(
                    LINE_ITEM_KINDS.get(column, "text"), raw, strict=True
                )
            except Untyped as exc:
                raise InvalidValue(f"line_items[{i}].{column}", str(exc)) from None
        out.append(row)
    return out


def correct(
    document_id, user_id, data: dict[str, Any], line_items: list | None = None
) -> dict[str, Any]:
    """Apply corrections to a completed document's result; commits; the new result."""
    doc, row = _locked(document_id)
    result = copy.deepcopy(row.data)
    try:
        typed = typed_changes(field_kinds(doc, result), data)
        items = typed_line_items(line_items) if line_items is not None else None
    except InvalidValue:
        db.session.rollback()
        raise
    fields = result.setdefault("fields", {})
    values = result.setdefault("data", {})
    changed = {}
    for name, value in typed.items():
        entry = fields.get(name) or {
            "value": None,
            "confidence": 0.0,
            "page": None,
            "bbox": None,
            "source_text": None,
        }
        if entry.get("value") == value and not entry.get("corrected"):
            continue  # the extracted value, sent back unchanged
        if not entry.get("corrected"):
            entry["original"] = entry.get("value")
        entry.update(value=value, confidence=1.0, corrected=True)
        fields[name] = entry
        values[name] = value
        changed[name] = value
    if items is not None:
        key = next((k for k in values if isinstance(values[k], list)), "line_items")
        if result.get("line_items") != items:
            result.setdefault("original_line_items", result.get("line_items"))
            result["line_items"] = items
            values[key] = items
            changed["line_items"] = len(items)
    if changed:
        row.data = result
        row.updated_at = utcnow()
        doc.updated_at = utcnow()
        record(
            AuditAction.DOCUMENT_CORRECTED,
            user_id=user_id,
            batch_id=doc.batch_id,
            document_id=doc.id,
            fields=sorted(changed),
        )
    db.session.commit()
    return result


def approve(document_id, user_id) -> None:
    """Clear a completed document's needs_review (and its batch's count); commits."""
    doc, _row = _locked(document_id)
    if doc.needs_review:
        doc.needs_review = False
        doc.updated_at = utcnow()
        if doc.batch_id is not None:
            db.session.execute(
                sa.update(Batch)
                .where(Batch.id == doc.batch_id, Batch.needs_review_count > 0)
                .values(needs_review_count=Batch.needs_review_count - 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
    record(
        AuditAction.DOCUMENT_REVIEWED, user_id=user_id, batch_id=doc.batch_id, document_id=doc.id
    )
    db.session.commit()
