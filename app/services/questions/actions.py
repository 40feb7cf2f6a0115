"""Question batches: create, read, cancel, retry and delete.

Every read and action takes the owner's id: another user's batch is found exactly as often as an
id that does not exist (never). Functions add to the session and the caller commits, except the
periodic entry points in ``upkeep.py`` (finalize and sweep), which own their units of work. The
rows' moves (cancel, retry) are made by ``lifecycle.py``; the checks of the batch's status, its own
move and the audit record are made here.
Exports are in ``exports.py``. Jobs are enqueued only after the commit that made their rows.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

import sqlalchemy as sa
from redis.exceptions import RedisError

from app.errors import ApiError, DomainError
from app.extensions import db, get_queue
from app.models import (
    BatchStatus,
    Document,
    ErrorCode,
    QuestionBatch,
    QuestionItem,
    QuestionStatus,
    User,
    audit,
    states,
)
from app.models.questions import SCOPE_ALL, SCOPE_BATCH
from app.models.types import utcnow
from app.services import batch_queries, plans, queueing, serializers
from app.services.batch_queries import as_uuid
from app.services.intake_checks import MAX_NAME, check_plan, check_quota, default_name
from app.services.questions import lifecycle, retrieval
from app.services.questions.checks import (  # noqa: F401 - part of this module's interface
    Checked,
    Upload,
    check_file,
    check_upload,
    completed_documents,
    invalid_file,
    preview,
    resolve_documents,
    resolve_scope,
    scope_for,
)
from app.services.questions.retrieval import Scope
from app.services.questions.threads import (
    INDEX_JOB_DESCRIPTION,
    THREAD_JOB_DESCRIPTION,
    index_job_id,
    job_timeout,
    thread_heads,
    thread_job_id,
)

log = logging.getLogger(__name__)

THREAD_JOB = "jobs.questions.answer_thread"
INDEX_JOB = "jobs.questions.index_scope"
QUEUE = "default"
TAG_VERSION = "1"
DEFAULT_PER_PAGE = batch_queries.DEFAULT_PER_PAGE


class Actions:
    """Audit action names of question batches."""

    CREATED = "question_batch.created"
    CANCELLED = "question_batch.cancelled"
    RETRIED = "question_batch.retried"
    DELETED = "question_batch.deleted"
    EXPORTED = "question_batch.exported"


# --- create ---------------------------------------------------------------------------------------


def create(user: User, upload: Upload | None, scope_value: str | None, name: str | None):
    """Check a file and add the batch and its rows to the session; (batch, thread sizes).

    The caller commits, then enqueues with :func:`enqueue_threads`. A rejected file raises
    ApiError and adds nothing.
    """
    limits = plans.user_limits(user)
    check_plan(limits, "question_rows")
    upload = check_upload(upload)
    checked, parsed = check_file(user, upload, scope_value, limits.question_rows)
    if checked is None:
        raise invalid_file(parsed)
    check_quota(user, limits, len(parsed.rows), "questions")
    name = (name or "").strip()[:MAX_NAME] or default_name(
        len(parsed.rows), filename=upload.filename or "", noun="question"
    )
    batch = QuestionBatch(
        id=uuid.uuid4(),
        user_id=user.id,
        name=name,
        source_filename=(upload.filename or "")[:255] or None,
        scope=checked.scope,
        scope_batch_id=checked.scope_batch.id if checked.scope_batch else None,
        status=BatchStatus.PENDING_UPLOAD,
        columns=parsed.columns,
        item_count=len(parsed.rows),
        thread_count=parsed.thread_count,
    )
    db.session.add(batch)
    db.session.flush()
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "question_batch_id": batch.id,
            "row_number": r.row,
            "chat_id": r.chat_id,
            "thread_key": r.thread_key,
            "question": r.question,
            "document_ref": r.document,
            "document_ids": [str(i) for i in checked.documents.get(r.document, [])]
            if r.document
            else None,
            "original": r.cells,
            "status": QuestionStatus.QUEUED,
            "created_at": now,
            "updated_at": now,
        }
        for r in parsed.rows
    ]
    db.session.execute(sa.insert(QuestionItem), rows)
    batch.transition(BatchStatus.QUEUED)
    audit.record(
        Actions.CREATED,
        user_id=user.id,
        batch_id=batch.id,
        kind="question_batch",
        rows=len(rows),
        threads=parsed.thread_count,
        scope=checked.scope,
    )
    sizes: dict[str, int] = {}
    for r in parsed.rows:
        sizes[r.thread_key] = sizes.get(r.thread_key, 0) + 1
    return batch, sizes


# --- queueing -------------------------------------------------------------------------------------


def unindexed_for(
    batch_id: uuid.UUID, scope: Scope, thread_key: str | None = None, limit: int | None = None
) -> list[Document]:
    """Documents a batch (or one of its threads) may search whose page text is not stored yet:
    the scope's, and those named in `document` cells."""
    stmt = sa.select(QuestionItem.document_ids).where(
        QuestionItem.question_batch_id == batch_id, QuestionItem.document_ids.is_not(None)
    )
    if thread_key is not None:
        stmt = stmt.where(QuestionItem.thread_key == thread_key)
    named = {uuid.UUID(i) for ids in db.session.scalars(stmt) for i in ids or []}
    documents = {d.id: d for d in retrieval.unindexed_documents(scope, limit)}
    if named:
        whole = Scope(user_id=scope.user_id).restricted(named)
        documents.update((d.id, d) for d in retrieval.unindexed_documents(whole, limit))
    return list(documents.values())


def enqueue_threads(
    batch_id, threads: dict[str, int], fresh: bool = False, unindexed: int = 0
) -> int:
    """Enqueue one job per thread (thread key → rows); a thread whose job is waiting is skipped.

    A thread's job is left alone while it is live and replaced when it is dead, by the rules
    documents follow (`queueing.enqueue_job`). ``fresh`` skips the look-up of earlier jobs (a
    batch just created has none); with
    ``unindexed`` documents to read first, one indexing job runs before the threads, so that
    parallel threads do not all read the same files. Redis being down is logged: the sweeper
    enqueues the threads later.
    """
    from rq.job import Dependency

    if not threads:
        return 0
    heads = thread_heads(batch_id, threads)
    threads = {key: rows for key, rows in threads.items() if key in heads}
    try:
        queue = get_queue(QUEUE)
        conn = queue.connection
        count = 0
        if fresh:
            depends_on = None
            if unindexed:
                index_job = queue.enqueue(
                    INDEX_JOB,
                    str(batch_id),
                    job_id=index_job_id(batch_id),
                    description=INDEX_JOB_DESCRIPTION,
                    job_timeout=job_timeout(unindexed * 2),
                    result_ttl=300,
                )
                depends_on = Dependency(jobs=[index_job], allow_failure=True)
            # RQ registers dependencies in its own transaction, so a shared pipeline is used only
            # for threads that wait for nothing.
            with conn.pipeline() as pipe:
                for key, rows in threads.items():
                    queue.enqueue(
                        THREAD_JOB,
                        str(batch_id),
                        heads[key],
                        job_id=thread_job_id(batch_id, key),
                        description=THREAD_JOB_DESCRIPTION,
                        job_timeout=job_timeout(rows),
                        result_ttl=300,
                        depends_on=depends_on,
                        pipeline=pipe if depends_on is None else None,
                    )
                    count += 1
                pipe.execute()
            return count
        # One round trip for every thread's job (a sweep may look at thousands).
        ids = {key: thread_job_id(batch_id, key) for key in threads}
        known = dict(zip(ids, queueing.fetch_jobs(conn, list(ids.values())), strict=True))
        workers: dict = {}
        for key, rows in threads.items():
            count += queueing.enqueue_job(
                queue,
                THREAD_JOB,
                (str(batch_id), heads[key]),
                ids[key],
                known[key],
                workers,
                description=THREAD_JOB_DESCRIPTION,
                job_timeout=job_timeout(rows),
                result_ttl=300,
            )
        return count
    except RedisError as exc:
        log.warning(
            "question batch %s: could not enqueue %d thread(s): %s; the sweeper will retry",
            batch_id,
            len(threads),
            exc,
        )
        return 0


# --- reads ----------------------------------------------------------------------------------------


def owned(owner_id: uuid.UUID, batch_id) -> QuestionBatch | None:
    """The owner's question batch with this id, else None (another user's is None too)."""
    return batch_queries.owned_batch(owner_id, batch_id, QuestionBatch)


def snapshot(owner_id: uuid.UUID, batch_id) -> tuple[QuestionBatch, str] | None:
    """The owner's batch and the ETag of its status JSON, in one query."""
    batch_id = as_uuid(batch_id)
    if batch_id is None:
        return None
    row = db.session.execute(
        sa.select(
            QuestionBatch, sa.func.max(QuestionItem.updated_at), sa.func.count(QuestionItem.id)
        )
        .outerjoin(QuestionItem, QuestionItem.question_batch_id == QuestionBatch.id)
        .where(QuestionBatch.id == batch_id, QuestionBatch.user_id == owner_id)
        .group_by(QuestionBatch.id)
    ).first()
    if row is None:
        return None
    batch, last_change, count = row
    parts = (
        TAG_VERSION,
        batch.id,
        batch.name,
        batch.status,
        batch.updated_at,
        batch.completed_at,
        batch.item_count,
        batch.completed_count,
        batch.failed_count,
        batch.cancelled_count,
        last_change,
        count,
    )
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode(), usedforsecurity=False)
    return batch, f'"q{digest.hexdigest()[:24]}"'


def items_of(batch_id: uuid.UUID) -> list[QuestionItem]:
    """The rows of a batch in file order."""
    return list(
        db.session.scalars(
            sa.select(QuestionItem)
            .where(QuestionItem.question_batch_id == batch_id)
            .order_by(QuestionItem.row_number)
        )
    )


def list_batches(
    owner_id: uuid.UUID,
    status: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> batch_queries.BatchPage:
    """A page of the owner's question batches, newest first, filtered by status and name."""
    return batch_queries.list_batches(
        owner_id,
        batch_queries.parse_status(status),
        q,
        page=page,
        per_page=per_page,
        model=QuestionBatch,
    )


def scope_of(batch: QuestionBatch) -> Scope:
    """The retrieval scope of a stored question batch."""
    return scope_for(batch.user_id, batch.scope, batch.scope_batch_id)


# --- JSON -----------------------------------------------------------------------------------------


def item_json(item: QuestionItem) -> dict:
    """A row of a question batch as the status JSON lists it."""
    error = None
    if item.error_code:
        error = {"code": item.error_code, "message": item.error_message or ""}
    return {
        "id": str(item.id),
        "row": item.row_number,
        "chat_id": item.chat_id,
        "thread": item.thread_key,
        "question": item.question,
        "document": item.document_ref,
        "status": str(item.status),
        "answer": item.answer,
        "sources": item.sources or [],
        "error": error,
    }


def batch_fields(batch: QuestionBatch) -> dict:
    """What a question batch's status JSON adds to the fields every batch has."""
    scope = str(batch.scope_batch_id) if batch.scope == SCOPE_BATCH else SCOPE_ALL
    if batch.scope == SCOPE_BATCH and batch.scope_batch_id is None:
        scope = "deleted_batch"
    return {
        "scope": scope,
        "scope_batch_id": str(batch.scope_batch_id) if batch.scope_batch_id else None,
        "filename": batch.source_filename,
        "columns": list(batch.columns or []),
        "item_count": batch.item_count,
        "thread_count": batch.thread_count,
    }


def status_json(batch: QuestionBatch, items: list[QuestionItem] | None = None) -> dict:
    """A question batch's status JSON; without items it is the list form."""
    return serializers.batch_json(
        batch, items, fields=batch_fields, children_key="items", child_json=item_json
    )


# --- cancel, retry, delete ------------------------------------------------------------------------


def invalid_state(message: str) -> ApiError:
    return DomainError(ErrorCode.INVALID_STATE, message)


def cancel(batch: QuestionBatch, user_id: uuid.UUID) -> int:
    """Cancel the rows not started yet and the batch; 409 when the batch is finished."""
    if batch.status not in states.BATCH_ACTIVE:
        raise invalid_state(
            f"The batch is {batch.status}; only a queued or running batch can be cancelled."
        )
    cancelled = lifecycle.cancel(batch.id)
    db.session.refresh(batch)
    batch.transition(BatchStatus.CANCELLED)
    audit.record(Actions.CANCELLED, user_id=user_id, batch_id=batch.id, rows=cancelled)
    return cancelled


def retry(batch: QuestionBatch, user_id: uuid.UUID) -> dict[str, int]:
    """Send the failed rows back to the queue; their threads (key → rows) to enqueue later."""
    if batch.status in (BatchStatus.COMPLETED, BatchStatus.CANCELLED, BatchStatus.PENDING_UPLOAD):
        raise invalid_state(f"The batch is {batch.status}; there is nothing to retry.")
    keys = lifecycle.reset(batch.id)
    if not keys:
        raise invalid_state("No question of this batch failed: there is nothing to retry.")
    db.session.refresh(batch)
    if batch.is_final:
        batch.transition(BatchStatus.QUEUED)
    else:
        batch.updated_at = utcnow()
    audit.record(Actions.RETRIED, user_id=user_id, batch_id=batch.id, rows=len(keys))
    threads: dict[str, int] = {}
    for key in keys:
        threads[key] = threads.get(key, 0) + 1
    return threads


def delete(batch: QuestionBatch, user_id: uuid.UUID) -> None:
    """Delete a batch and its rows (running jobs find nothing left and stop)."""
    audit.record(
        Actions.DELETED, user_id=user_id, batch_id=batch.id, name=batch.name, rows=batch.item_count
    )
    # Rows first, then the batch: the order jobs lock them in, so the two never wait on each other.
    lifecycle.give_back_answering(batch.id)
    db.session.execute(sa.delete(QuestionItem).where(QuestionItem.question_batch_id == batch.id))
    db.session.delete(batch)
