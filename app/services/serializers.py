"""The JSON shapes of batches and documents in the API."""

from collections.abc import Callable
from typing import Any

from app.models import Batch, Document, states


def iso(value) -> str | None:
    """An ISO 8601 timestamp or None."""
    return value.isoformat() if value is not None else None


def error_json(doc: Document) -> dict | None:
    """A document's error as {"code", "message"} or None."""
    if doc.error_code is None:
        return None
    return {
        "code": str(doc.error_code),
        "message": doc.error_message or "",
        "retryable": states.retryable(doc.error_code),
    }


def document_summary(doc: Document) -> dict:
    """A document as listed inside a batch's status JSON."""
    return {
        "id": str(doc.id),
        "filename": doc.original_filename,
        "status": str(doc.status),
        "page_count": doc.page_count,
        "document_type": doc.document_type,
        "extraction_prompt": doc.extraction_prompt,
        "error": error_json(doc),
        "needs_review": bool(getattr(doc, "needs_review", False)),
    }


def document_json(doc: Document, result: dict | None = None) -> dict:
    """GET /api/v1/documents/<id>: the summary plus batch_id and the result once completed."""
    data = document_summary(doc)
    data.update(
        batch_id=str(doc.batch_id) if doc.batch_id else None,
        mime_type=doc.mime_type,
        size_bytes=doc.size_bytes,
        sha256=doc.sha256,
        attempts=doc.attempts,
        created_at=iso(doc.created_at),
        updated_at=iso(doc.updated_at),
        completed_at=iso(doc.completed_at),
        result=result,
    )
    return data


def document_batch_fields(batch: Batch) -> dict:
    """What a document batch's status JSON adds to the fields every batch has."""
    return {
        "description": batch.description,
        "prompt_strategy": str(batch.prompt_strategy),
        "extraction_prompt": batch.extraction_prompt,
        "document_count": batch.document_count,
        "reused_count": batch.reused_count or 0,
        "needs_review_count": batch.needs_review_count or 0,
        "total_pages": batch.total_pages,
    }


def batch_json(
    batch,
    children: list | None = None,
    *,
    fields: Callable[[Any], dict] = document_batch_fields,
    children_key: str = "documents",
    child_json: Callable[[Any], dict] = document_summary,
) -> dict:
    """A batch's status JSON; without children (its documents) it is the list form.

    Every batch has an id, name, status, counters, progress and times; `fields` adds what its
    kind has of its own, and `child_json` lists its children under `children_key` (question
    batches: their rows under "items").
    """
    data = {
        "id": str(batch.id),
        "name": batch.name,
        "status": str(batch.status),
        "completed_count": batch.completed_count,
        "failed_count": batch.failed_count,
        "cancelled_count": batch.cancelled_count,
        "progress": batch.progress,
        "created_at": iso(batch.created_at),
        "updated_at": iso(batch.updated_at),
        "completed_at": iso(batch.completed_at),
        **fields(batch),
    }
    if children is not None:
        data[children_key] = [child_json(c) for c in children]
    return data
