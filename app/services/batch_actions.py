"""Cancel, resume, retry and delete: the user's actions on batches and single documents.

Shared by the API, the pages and the command line. Each action is one unit of work: it checks the
state, changes rows with conditional UPDATEs (the counters move in SQL, never read-modify-write),
records an AuditEvent and commits; what must wait for the commit (enqueueing jobs, removing stored
files) happens right after it.

Lock order is documents first, then the batch row, the same order in which a document job finishes
(its document, then the batch counters), so an action racing a worker waits instead of deadlocking.
"""

import logging
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditAction,
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    IllegalTransition,
    User,
    audit,
    states,
)
from app.models.types import utcnow
from app.notifications import outbox
from app.services import lifecycle, page_images, plans, queueing, quota
from app.services.batch_queries import as_uuid
from app.storage import get_storage

log = logging.getLogger(__name__)

B, D = BatchStatus, DocumentStatus


class NotFound(LookupError):
    """No such batch or document for this owner (also another user's id)."""


class InvalidState(Exception):
    """The action does not apply to the batch or document in its current state."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class QuotaExceeded(Exception):
    """The pages left this period do not cover what the action would queue (402 quota_exceeded)."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.message = message
        self.details = details


@dataclass
class RetryOutcome:
    """What a retry did: the batch and the documents put back in the queue."""

    batch: Batch
    document_ids: list[uuid.UUID] = field(default_factory=list)
    enqueued: int = 0

    @property
    def left_failed(self) -> int:
        """Failed documents that stay failed: retrying cannot fix them."""
        return self.batch.failed_count


@dataclass
class ResumeOutcome:
    """What a resume did: the batch and its cancelled documents put back in the queue.

    `enqueued` counts the documents with a job waiting afterwards, new or left from before the
    cancel (0: Redis was unreachable; the sweeper queues them later).
    """

    batch: Batch
    document_ids: list[uuid.UUID] = field(default_factory=list)
    enqueued: int = 0


def _owned(model, owner_id, obj_id):
    obj_id = as_uuid(obj_id)
    if obj_id is None:
        raise NotFound()
    stmt = sa.select(model).where(model.id == obj_id)
    if owner_id is not None:
        stmt = stmt.where(model.user_id == owner_id)
    obj = db.session.scalar(stmt.execution_options(populate_existing=True))
    if obj is None:
        raise NotFound()
    return obj


def _lock_documents(batch_id: uuid.UUID) -> list:
    """Lock the batch's document rows (in id order) and return what the actions need of them."""
    stmt = (
        sa.select(
            Document.id,
            Document.status,
            Document.storage_key,
            Document.reserved_pages,
            Document.usage_id,
            Document.page_count,
        )
        .where(Document.batch_id == batch_id)
        .order_by(Document.id)
        .with_for_update()
    )
    return list(db.session.execute(stmt))


def _lock_batch(batch_id: uuid.UUID) -> Batch:
    """Lock the batch row and reload it."""
    stmt = (
        sa.select(Batch)
        .where(Batch.id == batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    batch = db.session.scalar(stmt)
    if batch is None:
        raise NotFound()
    return batch


def _label(status) -> str:
    return str(status).replace("_", " ")


def cancel_batch(batch_id, owner_id: uuid.UUID | None, actor_id: uuid.UUID | None = None) -> Batch:
    """Cancel a queued or processing batch: waiting documents are cancelled, running ones finish.

    The batch is `cancelled` at once; its completed_at is set when every document is terminal
    (now, if none is still running; otherwise by the job or the finalizer that ends the last one).
    """
    batch = _owned(Batch, owner_id, batch_id)
    try:
        states.check_batch(batch.status, B.CANCELLED)
    except IllegalTransition:
        raise InvalidState(f"A {_label(batch.status)} batch cannot be cancelled.") from None
    _lock_documents(batch.id)
    batch = _lock_batch(batch.id)
    try:
        states.check_batch(batch.status, B.CANCELLED)
    except IllegalTransition:
        db.session.rollback()
        raise InvalidState(f"A {_label(batch.status)} batch cannot be cancelled.") from None

    now = utcnow()
    cancelled = lifecycle.cancel_documents(batch.id, now)
    all_terminal = (
        Batch.completed_count + Batch.failed_count + Batch.cancelled_count + cancelled
        >= Batch.document_count
    )
    moved = db.session.execute(
        sa.update(Batch)
        .where(Batch.id == batch.id, Batch.status.in_(states.batch_sources(B.CANCELLED, list(B))))
        .values(
            status=B.CANCELLED,
            cancelled_count=Batch.cancelled_count + cancelled,
            updated_at=now,
            completed_at=sa.case((all_terminal, now), else_=None),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        raise InvalidState("The batch changed state while it was being cancelled; try again.")
    if db.session.scalar(sa.select(Batch.completed_at).where(Batch.id == batch.id)) is not None:
        outbox.batch_finished(batch.id)
    audit.record(
        AuditAction.BATCH_CANCELLED,
        user_id=actor_id or owner_id,
        batch_id=batch.id,
        cancelled_documents=cancelled,
    )
    db.session.commit()
    log.info("batch %s cancelled: %d document(s) cancelled", batch.id, cancelled)
    return _owned(Batch, None, batch.id)


def _record_and_enqueue(
    action: str, batch_id, ids: list, user_id, count_key: str, *, count_waiting: bool = False
) -> int:
    """Audit the documents put back in the queue, commit, then enqueue their jobs (after the
    commit, never before); the jobs enqueued."""
    audit.record(action, user_id=user_id, batch_id=batch_id, **{count_key: len(ids)})
    db.session.commit()
    return queueing.enqueue_documents(ids, count_waiting=count_waiting)


def retry_batch(
    batch_id, owner_id: uuid.UUID | None, actor_id: uuid.UUID | None = None
) -> RetryOutcome:
    """Put the failed documents of a batch back in the queue under the same batch.

    Errors are cleared, failed_count goes down in SQL, a finished batch reopens as `queued` (a
    processing one stays processing); the jobs are enqueued after the commit. Attempts keep
    counting: each new run adds one ExtractionJob row.
    """
    batch = _owned(Batch, owner_id, batch_id)
    _check_retry(batch)
    _lock_documents(batch.id)
    batch = _lock_batch(batch.id)
    try:
        _check_retry(batch)
    except InvalidState:
        db.session.rollback()
        raise

    now = utcnow()
    ids = lifecycle.reset(
        batch.id,
        now,
        [D.FAILED],
        sa.or_(
            Document.error_code.is_(None),
            Document.error_code.notin_(sorted(states.NOT_RETRYABLE)),
        ),
    )
    if not ids:
        db.session.rollback()
        raise InvalidState(
            f"Nothing to retry: the {batch.failed_count} failed document"
            f"{'s' if batch.failed_count != 1 else ''} of this batch cannot be fixed by retrying "
            "(unreadable, encrypted, unsupported or too complex files). Fix the files and upload "
            "them again."
        )
    values = {
        "failed_count": quota.less(Batch.failed_count, len(ids)),
        "updated_at": now,
        "completed_at": None,
    }
    stmt = sa.update(Batch).where(Batch.id == batch.id)
    if batch.status in states.BATCH_FINAL:
        stmt = stmt.where(Batch.status.in_(states.batch_sources(B.QUEUED, states.BATCH_FINAL)))
        values["status"] = B.QUEUED
    else:
        stmt = stmt.where(Batch.status == batch.status)
    moved = db.session.execute(
        stmt.values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        raise InvalidState("The batch changed state while it was being retried; try again.")
    enqueued = _record_and_enqueue(
        AuditAction.BATCH_RETRIED, batch.id, ids, actor_id or owner_id, "retried_documents"
    )
    log.info("batch %s retried: %d document(s) queued again", batch.id, len(ids))
    return RetryOutcome(_owned(Batch, None, batch.id), ids, enqueued)


def _check_retry(batch: Batch) -> None:
    if batch.status in (B.CANCELLED, B.COMPLETED, B.PENDING_UPLOAD):
        raise InvalidState(f"A {_label(batch.status)} batch cannot be retried.")
    if batch.failed_count <= 0:
        raise InvalidState("Nothing to retry: no document of this batch has failed.")


def resume_batch(
    batch_id, owner_id: uuid.UUID | None, actor_id: uuid.UUID | None = None
) -> ResumeOutcome:
    """Put the cancelled documents of a cancelled batch back in the queue under the same batch.

    The same unit of work as a retry: the cancelled documents go back to `uploaded`,
    cancelled_count goes down in SQL, the batch reopens as `queued` with completed_at cleared, and
    the jobs are enqueued after the commit. Documents that completed or failed stay as they are;
    one still running when the batch was cancelled just goes on. As at creation, the pages left
    this period must cover the pages of the documents resumed (402 quota_exceeded otherwise, and
    nothing changes); the job still reserves each document's pages when it starts.
    """
    batch = _owned(Batch, owner_id, batch_id)
    _check_resume(batch)
    docs = _lock_documents(batch.id)
    batch = _lock_batch(batch.id)
    try:
        _check_resume(batch)
        cancelled = [d for d in docs if d.status == D.CANCELLED]
        if not cancelled:
            raise InvalidState("Nothing to resume: no document of this batch was cancelled.")
        _check_resume_quota(batch.user_id, cancelled)
    except (InvalidState, QuotaExceeded):
        db.session.rollback()
        raise

    now = utcnow()
    ids = lifecycle.reset(batch.id, now, [D.CANCELLED], resume=True)
    moved = db.session.execute(
        sa.update(Batch)
        .where(
            Batch.id == batch.id,
            Batch.status.in_(states.batch_sources(B.QUEUED, [B.CANCELLED], resume=True)),
        )
        .values(
            status=B.QUEUED,
            cancelled_count=quota.less(Batch.cancelled_count, len(ids)),
            updated_at=now,
            completed_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1 or not ids:
        db.session.rollback()
        raise InvalidState("The batch changed state while it was being resumed; try again.")
    # A job enqueued before the cancel may still be waiting: it is left in place and now claims
    # its document again, so it counts as queued (0 only when Redis is unreachable).
    enqueued = _record_and_enqueue(
        AuditAction.BATCH_RESUMED,
        batch.id,
        ids,
        actor_id or owner_id,
        "resumed_documents",
        count_waiting=True,
    )
    log.info("batch %s resumed: %d cancelled document(s) queued again", batch.id, len(ids))
    return ResumeOutcome(_owned(Batch, None, batch.id), ids, enqueued)


def _check_resume(batch: Batch) -> None:
    if batch.status != B.CANCELLED:
        raise InvalidState(
            f"A {_label(batch.status)} batch cannot be resumed: only a cancelled batch can."
        )
    if batch.cancelled_count <= 0:
        raise InvalidState("Nothing to resume: no document of this batch was cancelled.")


def _check_resume_quota(user_id: uuid.UUID, docs) -> None:
    """The create path's quota check, for the pages of the documents to resume.

    A document still holding a reservation (left by an earlier attempt) is already counted in
    pages_used; its claim gives those pages back before reserving them again, so only the others
    need pages left.
    """
    pages = sum(d.page_count for d in docs if not (d.reserved_pages and d.usage_id))
    user = db.session.get(User, user_id)
    left = max(plans.user_limits(user).pages_per_month - quota.pages_used(user), 0)
    if left < pages:
        raise QuotaExceeded(
            f"You have {left} page{'s' if left != 1 else ''} left this period and resuming this "
            f"batch needs {pages} page{'s' if pages != 1 else ''}. Upgrade your plan or wait for "
            "the next period.",
            {"pages_left": left, "pages": pages},
        )


def delete_batch(batch_id, owner_id: uuid.UUID | None, actor_id: uuid.UUID | None = None) -> int:
    """Delete a batch in any state with its documents, attempts, results and stored files.

    Pages reserved by documents that never completed are given back. A job that later meets one
    of the deleted documents finds no row and ends without doing anything. Returns the number of
    documents deleted.
    """
    batch = _owned(Batch, owner_id, batch_id)
    batch_id, name = batch.id, batch.name
    docs = _lock_documents(batch_id)
    _lock_batch(batch_id)
    _release_unfinished(docs)
    db.session.execute(
        sa.delete(Document)
        .where(Document.batch_id == batch_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(Batch).where(Batch.id == batch_id).execution_options(synchronize_session=False)
    )
    audit.record(
        AuditAction.BATCH_DELETED,
        user_id=actor_id or owner_id,
        batch_id=batch_id,
        name=name,
        deleted_documents=len(docs),
    )
    db.session.expunge(batch)
    db.session.commit()
    _remove_files(d.storage_key for d in docs)
    log.info("batch %s deleted with %d document(s)", batch_id, len(docs))
    return len(docs)


def delete_document(
    document_id, owner_id: uuid.UUID | None, actor_id: uuid.UUID | None = None
) -> None:
    """Delete a single upload (a document without a batch) with its results and stored file."""
    doc = _owned(Document, owner_id, document_id)
    if doc.batch_id is not None:
        raise InvalidState(
            "This document belongs to a batch: delete the batch, or open it to manage its documents."
        )
    row = db.session.execute(
        sa.select(
            Document.id,
            Document.status,
            Document.storage_key,
            Document.reserved_pages,
            Document.usage_id,
        )
        .where(Document.id == doc.id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound()
    _release_unfinished([row])
    db.session.execute(
        sa.delete(Document)
        .where(Document.id == doc.id)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        AuditAction.DOCUMENT_DELETED,
        user_id=actor_id or owner_id,
        document_id=row.id,
        filename=doc.original_filename,
    )
    db.session.expunge(doc)
    db.session.commit()
    _remove_files([row.storage_key])
    log.info("document %s deleted", row.id)


def _release_unfinished(docs) -> None:
    """Give back pages still reserved by documents that will now never complete."""
    for d in docs:
        if d.status in (D.UPLOADED, D.PROCESSING) and d.reserved_pages and d.usage_id:
            quota.release(d.usage_id, d.reserved_pages)


def _remove_files(keys) -> None:
    """Remove stored files with the page images rendered from them."""
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
            page_images.remove_all(key)
        except Exception:  # noqa: BLE001 - rows are gone; a leftover file is only logged
            log.exception("could not remove stored file %s", key)
