"""Rows for the batch page, status, action and export tests: many documents at once, results,
and the document job's own state changes (claim, finish) applied as the job applies them."""

import hashlib
import itertools
import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Batch,
    Document,
    DocumentStatus,
    ErrorCode,
)
from app.services import lifecycle

_seq = itertools.count(1)

INVOICE_RESULT = {
    "document_type": "invoice",
    "data": {
        "invoice_number": "INV-1001",
        "date": "2026-03-14",
        "total": 120.5,
        "vendor": {"name": "ACME GmbH", "address": {"city": "Berlin"}},
        "note": '=HYPERLINK("http://evil.example")',
    },
    "fields": {
        "invoice_number": {
            "value": "INV-1001",
            "confidence": 0.97,
            "page": 1,
            "source_text": "Invoice No. INV-1001",
        },
        "date": {"value": "2026-03-14", "confidence": 0.9, "page": 1, "source_text": "Date"},
        "total": {"value": 120.5, "confidence": 0.88, "page": 1, "source_text": "Total: 120.50"},
    },
    "line_items": [
        {"description": "Widget", "quantity": 2, "amount": 20.0},
        {"description": "Service", "quantity": 1, "amount": 100.5},
    ],
    "meta": {"provider": "local", "model": "rules", "pages": 1, "duration_ms": 12},
}


def add_documents(
    user,
    batch: Batch,
    count: int,
    status: DocumentStatus = DocumentStatus.UPLOADED,
    pages: int = 1,
    prefix: str = "doc",
) -> list[uuid.UUID]:
    """Insert count document rows in one statement (no stored files); counters follow."""
    ids = [uuid.uuid4() for _ in range(count)]
    rows = []
    for i, doc_id in enumerate(ids):
        n = next(_seq)
        rows.append(
            {
                "id": doc_id,
                "user_id": user.id,
                "batch_id": batch.id,
                "original_filename": f"{prefix}-{i:04d}.pdf",
                "storage_key": f"{uuid.uuid4().hex}.pdf",
                "mime_type": "application/pdf",
                "size_bytes": 100,
                "sha256": hashlib.sha256(str(n).encode()).hexdigest(),
                "page_count": pages,
                "status": status,
                "attempts": 0,
                "reserved_pages": 0,
            }
        )
    db.session.execute(sa.insert(Document), rows)
    counter = {
        DocumentStatus.COMPLETED: "completed_count",
        DocumentStatus.FAILED: "failed_count",
        DocumentStatus.CANCELLED: "cancelled_count",
    }.get(status)
    values = {
        "document_count": Batch.document_count + count,
        "total_pages": Batch.total_pages + count * pages,
    }
    if counter:
        values[counter] = getattr(Batch, counter) + count
    db.session.execute(sa.update(Batch).where(Batch.id == batch.id).values(**values))
    db.session.commit()
    return ids


def claim(doc_id) -> bool:
    """What the job does first (the lifecycle's claim): uploaded -> processing, pages reserved,
    the batch processing."""
    claimed = lifecycle.claim(doc_id, job_row_id=uuid.uuid4(), rq_job_id=None, provider="local")
    return claimed.doc is not None


def finish(
    doc_id,
    status: DocumentStatus = DocumentStatus.COMPLETED,
    result: dict | None = None,
    error_code: ErrorCode | None = None,
    error_message: str | None = None,
) -> bool:
    """What the job does last (the lifecycle's complete or fail): counters, pages, finalize.

    Returns False, changing nothing, when the document is no longer processing or is gone.
    """
    row = db.session.execute(
        sa.select(Document.attempts, Document.batch_id).where(
            Document.id == doc_id, Document.status == DocumentStatus.PROCESSING
        )
    ).first()
    db.session.rollback()
    if row is None:
        return False
    run = lifecycle.Run(doc_id, row.attempts, row.batch_id)
    if status == DocumentStatus.COMPLETED:
        return lifecycle.complete(
            run, result or INVOICE_RESULT, provider="local", model=None, prompt=None, duration_ms=42
        )
    return lifecycle.fail(
        run,
        error_code or ErrorCode.EXTRACTION_FAILED,
        error_message or "Nothing could be extracted.",
        attempt_row={"duration_ms": 42},
    )


def run_document(doc_id, status=DocumentStatus.COMPLETED, **kw) -> bool:
    """Claim and finish one document."""
    return claim(doc_id) and finish(doc_id, status, **kw)


def reload(model, obj_id):
    """A fresh copy of a row from the database."""
    db.session.expire_all()
    return db.session.get(model, obj_id)
