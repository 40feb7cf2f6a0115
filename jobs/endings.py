"""How a document job leaves `processing` other than by completing: fail, requeue, cancel.

Each is one guarded UPDATE with what goes with it (the attempt's row closed, the pages given
back, the batch's counter, the finalize decision), mixed into the pipeline of jobs/documents.py.
"""

import logging

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    BatchStatus,
    Document,
    DocumentStatus,
    ErrorCode,
    ExtractionJob,
    JobStatus,
    Usage,
    states,
)
from app.models.types import utcnow
from app.notifications import outbox
from app.services import finalize, quota
from app.services.finalize import log_event
from jobs.outcomes import (
    MESSAGES,
    is_transient,
)

log = logging.getLogger("jobs.documents")

B, D = BatchStatus, DocumentStatus


class Endings:
    """The pipeline's transitions out of `processing`, and the attempt row they close."""

    def fail(self, code: ErrorCode, message: str, detail: str | None = None) -> None:
        """processing → failed with a stable code, releasing the reservation; commits."""
        now = utcnow()
        failed = db.session.execute(
            self.guarded(sa.update(Document), D.FAILED)
            .values(
                status=D.FAILED,
                error_code=code,
                error_message=message,
                completed_at=now,
                updated_at=now,
                reserved_pages=0,
                usage_id=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if failed != 1:
            db.session.rollback()
            log_event(
                "document.skipped",
                batch=self.batch_id,
                document=self.document_id,
                reason="claim_lost",
            )
            return
        self.close_attempt(JobStatus.FAILED, error_code=code, error_message=detail or message)
        outbox.document_failed(self.document_id)
        may_finalize = self.batch_id is not None and finalize.bump(self.batch_id, D.FAILED)
        released = self.release()
        db.session.commit()
        log_event(
            "document.failed",
            batch=self.batch_id,
            document=self.document_id,
            level=logging.WARNING,
            code=code,
            released_pages=released,
            ms=self.elapsed_ms(),
        )
        if may_finalize:
            finalize.finalize_batch(self.batch_id)

    def requeue(self, exc: Exception) -> None:
        """processing → uploaded with the reservation released, so RQ's retry can claim again."""
        db.session.rollback()
        moved = db.session.execute(
            self.guarded(sa.update(Document), D.UPLOADED)
            .values(status=D.UPLOADED, updated_at=utcnow(), reserved_pages=0, usage_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            db.session.rollback()
            return
        self.close_attempt(
            JobStatus.FAILED,
            error_code=ErrorCode.PROVIDER_ERROR
            if is_transient(exc)
            else ErrorCode.EXTRACTION_FAILED,
            error_message=f"will retry: {exc!r}"[:2000],
        )
        released = self.release()
        db.session.commit()
        log_event(
            "document.retrying",
            batch=self.batch_id,
            document=self.document_id,
            level=logging.WARNING,
            attempt=self.attempt,
            released_pages=released,
            error=type(exc).__name__,
        )

    def cancel(self) -> None:
        """The document's batch was cancelled: uploaded → cancelled and counted; commits."""
        now = utcnow()
        cancelled = db.session.execute(
            sa.update(Document)
            .where(
                Document.id == self.document_id,
                Document.status.in_(states.document_sources(D.CANCELLED, [D.UPLOADED])),
            )
            .values(status=D.CANCELLED, completed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if cancelled != 1:
            db.session.rollback()
            return
        may_finalize = finalize.bump(self.batch_id, D.CANCELLED)
        quota.release_held(self.document_id)
        db.session.commit()
        log_event("document.cancelled", batch=self.batch_id, document=self.document_id)
        if may_finalize:
            finalize.finalize_batch(self.batch_id)

    # -- shared by the steps -----------------------------------------------------------------

    def guarded(self, stmt, new: DocumentStatus | None = None):
        """Restrict an UPDATE to this run's claim: still processing, same attempt."""
        sources = states.document_sources(new, [D.PROCESSING]) if new else [D.PROCESSING]
        return stmt.where(
            Document.id == self.document_id,
            Document.status.in_(sources),
            Document.attempts == self.attempt,
        )

    def release(self) -> int:
        """Give back the pages this run holds (its guarded UPDATE has just zeroed them)."""
        usage_id, pages = self.held
        quota.release(usage_id, pages)
        self.held = (None, 0)
        return pages if usage_id else 0

    def open_attempt(self) -> None:
        """This attempt's ExtractionJob row."""
        db.session.execute(
            sa.insert(ExtractionJob).values(
                id=self.job_row_id,
                document_id=self.document_id,
                attempt=self.attempt,
                status=JobStatus.RUNNING,
                rq_job_id=getattr(self.rq_job, "id", None),
                provider=self.provider_name,
                started_at=utcnow(),
            )
        )

    def close_attempt(self, status: JobStatus, **values) -> None:
        """Finish this attempt's ExtractionJob row."""
        if values.get("error_code") is not None:
            values["error_code"] = str(values["error_code"])
        values.update(status=status, finished_at=utcnow(), duration_ms=self.elapsed_ms())
        if self.resolved is not None:
            values.setdefault("prompt", self.resolved.prompt)
        model = values.pop("model", None) or getattr(self.provider, "model", None)
        if model:
            values["model"] = model
        db.session.execute(
            sa.update(ExtractionJob)
            .where(ExtractionJob.id == self.job_row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def quota_message(self, pages: int) -> str:
        """Why the quota stopped this document, and what the user can do."""
        allowed = quota.allowance(self.doc.user_id)
        used = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Usage.pages_used), 0)).where(
                Usage.user_id == self.doc.user_id,
                Usage.period_start == allowed.period.start,
            )
        )
        return MESSAGES[ErrorCode.QUOTA_EXCEEDED].format(
            pages=pages,
            s="" if pages == 1 else "s",
            left=max(allowed.limit - int(used or 0), 0),
            limit=allowed.limit,
            period_end=allowed.period.end.date().isoformat(),
        )
