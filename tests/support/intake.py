"""Posting batch and document create requests as a user, and checking that a refused or failed
create left nothing behind."""

import io
import json

import sqlalchemy as sa

from app.extensions import get_queue
from app.models import AuditAction, AuditEvent, Batch, Document, Usage
from app.storage import get_storage
from tests.pdfgen import make_pdf

PROMPT = "Extract the invoice number, date and total"


def pdf_file(name: str = "invoice.pdf", pages: int = 1) -> tuple[str, bytes]:
    return name, make_pdf(pages)


class Sender:
    """Posts multipart create requests as one user, by API token or by session + CSRF header."""

    def __init__(self, client, headers):
        self.client = client
        self.headers = headers

    def post(self, path, files=(), **fields):
        data = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in fields.items()}
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
        return self.client.post(
            path, data=data, headers=self.headers, content_type="multipart/form-data"
        )

    def batch(self, files=(), **fields):
        return self.post("/api/v1/batches", files, **fields)

    def document(self, files=(), **fields):
        return self.post("/api/v1/documents", files, **fields)


def queued_job_ids() -> list[str]:
    return get_queue("documents").get_job_ids()


def assert_nothing_left(db, pages_used: int = 0) -> None:
    """No batch or document rows, no stored files, no jobs, usage unchanged, no create events."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert list(get_storage().keys()) == []
    assert queued_job_ids() == []
    used = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Usage.pages_used), 0)))
    assert used == pages_used
    created = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_([AuditAction.BATCH_CREATED, AuditAction.DOCUMENT_CREATED]))
    )
    assert created == 0


def error_of(resp) -> dict:
    assert resp.is_json, resp.get_data(as_text=True)[:300]
    return resp.json["error"]
