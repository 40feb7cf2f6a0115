"""The JSON shapes of batches and documents in the API."""

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


def batch_json(batch: Batch, documents: list[Document] | None = None) -> dict:
    """A batch's status JSON; without documents it is the list form."""
    data = {
        "id": str(batch.id),
        "name": batch.name,
        "description": batch.description,
        "status": str(batch.status),
        "prompt_strategy": str(batch.prompt_strategy),
        "extraction_prompt": batch.extraction_prompt,
        "document_count": batch.document_count,
        "completed_count": batch.completed_count,
        "failed_count": batch.failed_count,
        "cancelled_count": batch.cancelled_count,
        "reused_count": batch.reused_count or 0,
        "needs_review_count": batch.needs_review_count or 0,
        "total_pages": batch.total_pages,
        "progress": batch.progress,
        "created_at": iso(batch.created_at),
        "updated_at": iso(batch.updated_at),
        "completed_at": iso(batch.completed_at),
    }
    if documents is not None:
        data["documents"] = [document_summary(d) for d in documents]
    return data
