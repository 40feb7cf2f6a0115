"""Rows for the batch page, status, action and export tests: many documents at once, results,
and the document job's own state changes (claim, finish) applied as the job applies them."""

import hashlib
import itertools
import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ErrorCode,
    ExtractionJob,
    ExtractionResult,
    JobStatus,
    states,
)
from app.models.types import utcnow
from app.services import finalize

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
    """What the job does first: uploaded -> processing, and the batch starts processing."""
    now = utcnow()
    doc = db.session.execute(
        sa.update(Document)
        .where(
            Document.id == doc_id,
            Document.status.in_(states.document_sources(DocumentStatus.PROCESSING, ["uploaded"])),
        )
        .values(
            status=DocumentStatus.PROCESSING,
            started_at=now,
            attempts=Document.attempts + 1,
            updated_at=now,
        )
        .returning(Document.batch_id, Document.attempts)
    ).first()
    if doc is None:
        db.session.rollback()
        return False
    db.session.add(
        ExtractionJob(document_id=doc_id, attempt=doc.attempts, status=JobStatus.RUNNING)
    )
    if doc.batch_id is not None:
        db.session.execute(
            sa.update(Batch)
            .where(
                Batch.id == doc.batch_id,
                Batch.status.in_(states.batch_sources(BatchStatus.PROCESSING, ["queued"])),
            )
            .values(status=BatchStatus.PROCESSING, updated_at=now)
        )
    db.session.commit()
    return True


def finish(
    doc_id,
    status: DocumentStatus = DocumentStatus.COMPLETED,
    result: dict | None = None,
    error_code: ErrorCode | None = None,
    error_message: str | None = None,
) -> bool:
    """What the job does last: processing -> completed/failed (conditional), counters, finalize.

    Returns False, changing nothing, when the document is no longer processing or is gone.
    """
    now = utcnow()
    values = {"status": status, "completed_at": now, "updated_at": now}
    if status == DocumentStatus.FAILED:
        values.update(
            error_code=error_code or ErrorCode.EXTRACTION_FAILED,
            error_message=error_message or "Nothing could be extracted.",
        )
    row = db.session.execute(
        sa.update(Document)
        .where(
            Document.id == doc_id,
            Document.status.in_(states.document_sources(status, ["processing"])),
        )
        .values(**values)
        .returning(Document.batch_id)
    ).first()
    if row is None:
        db.session.rollback()
        return False
    if status == DocumentStatus.COMPLETED:
        db.session.add(ExtractionResult(document_id=doc_id, data=result or INVOICE_RESULT))
    db.session.execute(
        sa.update(ExtractionJob)
        .where(ExtractionJob.document_id == doc_id, ExtractionJob.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.SUCCEEDED if status == DocumentStatus.COMPLETED else JobStatus.FAILED,
            finished_at=now,
            duration_ms=42,
            error_code=values.get("error_code"),
            error_message=values.get("error_message"),
        )
    )
    may_finalize = row.batch_id is not None and finalize.bump(row.batch_id, status)
    db.session.commit()
    if may_finalize:
        finalize.finalize_batch(row.batch_id)
    return True


def run_document(doc_id, status=DocumentStatus.COMPLETED, **kw) -> bool:
    """Claim and finish one document."""
    return claim(doc_id) and finish(doc_id, status, **kw)


def reload(model, obj_id):
    """A fresh copy of a row from the database."""
    db.session.expire_all()
    return db.session.get(model, obj_id)
