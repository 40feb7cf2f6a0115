"""Every move of a document from one status to another, each decided here and only here.

    claim      uploaded → processing   (the job; reserves the pages, opens the attempt row)
    complete   processing → completed  (the job; stores the result, counts it)
    fail       processing → failed     (the job, a dead work horse, the sweeper)
    requeue    processing → uploaded   (the job before RQ retries it, the sweeper)
    cancel     uploaded → cancelled    (a job that finds its batch cancelled; cancel_batch)
    reset      failed/cancelled → uploaded (retry and resume)

Each is a guarded UPDATE (`WHERE status IN <allowed sources>`, and for a running attempt
`AND attempts = <n>`) with what goes with it in the same transaction: the attempt's
ExtractionJob row, the batch's counter, the pages reserved or given back, the outbox. So a job
that runs twice, late, or after a cancel or the sweeper changes nothing the second time. The
allowed moves come from `app/models/states.py`.

`claim`, `complete`, `fail`, `requeue` and `cancel` commit and then finalize the batch when its
last document ended; `cancel_documents` and `reset` are parts of a batch action's own transaction
and commit nothing. The statements are plain SQL on the tables (no ORM objects): the same
statements on PostgreSQL and SQLite.

Locks are taken in one order everywhere: document, then batch, then usage row.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

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
    Subscription,
    states,
)
from app.models.types import utcnow
from app.notifications import outbox
from app.services import finalize, quota
from app.services.finalize import log_event

B, D = BatchStatus, DocumentStatus

DOCS = Document.__table__
BATCHES = Batch.__table__
ATTEMPTS = ExtractionJob.__table__
RESULTS = ExtractionResult.__table__
SUBSCRIPTIONS = Subscription.__table__

# What a run needs of its document, read back by the claim itself.
CLAIMED = (
    DOCS.c.attempts,
    DOCS.c.batch_id,
    DOCS.c.user_id,
    DOCS.c.page_count,
    DOCS.c.storage_key,
    DOCS.c.mime_type,
    DOCS.c.original_filename,
    DOCS.c.extraction_prompt,
    DOCS.c.document_type,
    DOCS.c.reserved_pages,
    DOCS.c.usage_id,
    DOCS.c.sha256,
    DOCS.c.reuse,
)


def _sources(new: DocumentStatus, among, *, resume: bool = False) -> list[str]:
    return [s.value for s in states.document_sources(new, among, resume=resume)]


def _batch_sources(new: BatchStatus, among) -> list[str]:
    return [s.value for s in states.batch_sources(new, among)]


def _p(name: str, column: sa.Column) -> sa.BindParameter:
    """A parameter typed as the column it fills; its name starts with `p_`, so that no UPDATE
    takes it for a column to set."""
    return sa.bindparam(f"p_{name}", type_=column.type)


# The job's own statements, built once: each run only binds its values (nothing to build, and
# the compiled form is found in the cache by the statement's identity).
def _of_batch(column):
    return sa.select(column).where(BATCHES.c.id == DOCS.c.batch_id).scalar_subquery()


def _of_owner(column):
    return sa.select(column).where(SUBSCRIPTIONS.c.user_id == DOCS.c.user_id).scalar_subquery()


# The claim reads back, in the same statement, what the rest of the claim needs to know: the
# document (CLAIMED), its batch and its owner's plan (subqueries: the same on both databases).
# It also marks the document's pages as held on the period's usage row, so that the reservation
# that follows (`quota.reserve_pages`) is one UPDATE of the usage row. A waiting document holds no
# pages (every move back to `uploaded` gives them back); one that still does is not claimed by
# this statement: `claim` gives its pages back first, so that they are charged once.
CLAIM = (
    sa.update(DOCS)
    .where(DOCS.c.id == _p("doc", DOCS.c.id))
    .where(DOCS.c.status.in_(_sources(D.PROCESSING, [D.UPLOADED])))
    .where(sa.or_(DOCS.c.reserved_pages == 0, DOCS.c.usage_id.is_(None)))
    .values(
        status=D.PROCESSING.value,
        attempts=DOCS.c.attempts + 1,
        started_at=_p("now", DOCS.c.started_at),
        updated_at=_p("now", DOCS.c.updated_at),
        completed_at=None,
        error_code=None,
        error_message=None,
        reserved_pages=DOCS.c.page_count,
        usage_id=quota.period_usage(DOCS.c.user_id),
    )
    .returning(
        *CLAIMED,
        _of_batch(BATCHES.c.status).label("batch_status"),
        _of_batch(BATCHES.c.prompt_strategy).label("prompt_strategy"),
        _of_batch(BATCHES.c.extraction_prompt).label("batch_prompt"),
        _of_owner(SUBSCRIPTIONS.c.id).label("subscription_id"),
        _of_owner(SUBSCRIPTIONS.c.plan).label("plan"),
        _of_owner(SUBSCRIPTIONS.c.status).label("subscription_status"),
        _of_owner(SUBSCRIPTIONS.c.current_period_start).label("period_start"),
        _of_owner(SUBSCRIPTIONS.c.current_period_end).label("period_end"),
    )
)
MOVE_BATCH = (
    sa.update(BATCHES)
    .where(BATCHES.c.id == _p("batch", BATCHES.c.id))
    .where(BATCHES.c.status.in_(_batch_sources(B.PROCESSING, [B.QUEUED])))
    .values(status=B.PROCESSING.value, updated_at=_p("now", BATCHES.c.updated_at))
)
HOLD = (
    sa.update(DOCS)
    .where(DOCS.c.id == _p("doc", DOCS.c.id))
    .values(
        reserved_pages=_p("pages", DOCS.c.reserved_pages),
        usage_id=_p("usage", DOCS.c.usage_id),
    )
    .returning(*CLAIMED)
)
OPEN_ATTEMPT = sa.insert(ATTEMPTS)


def _completing(keep_reservation: bool):
    stmt = (
        sa.update(DOCS)
        .where(DOCS.c.id == _p("doc", DOCS.c.id))
        .where(DOCS.c.status.in_(_sources(D.COMPLETED, [D.PROCESSING])))
        .where(DOCS.c.attempts == _p("attempt", DOCS.c.attempts))
        .values(
            status=D.COMPLETED.value,
            completed_at=_p("now", DOCS.c.completed_at),
            updated_at=_p("now", DOCS.c.updated_at),
            document_type=sa.func.coalesce(_p("type", DOCS.c.document_type), DOCS.c.document_type),
            reuse_key=_p("reuse_key", DOCS.c.reuse_key),
            reused_from_id=_p("reused_from", DOCS.c.reused_from_id),
            needs_review=_p("review", DOCS.c.needs_review),
        )
    )
    if keep_reservation:  # a reused result: `quota.release_held` gives it back
        return stmt
    return stmt.values(reserved_pages=0, usage_id=None)  # the reservation became use


COMPLETE = {False: _completing(False), True: _completing(True)}
CLOSE_SUCCEEDED = (
    sa.update(ATTEMPTS)
    .where(ATTEMPTS.c.document_id == _p("doc", ATTEMPTS.c.document_id))
    .where(ATTEMPTS.c.attempt == _p("attempt", ATTEMPTS.c.attempt))
    .where(ATTEMPTS.c.status == JobStatus.RUNNING.value)
    .values(
        status=JobStatus.SUCCEEDED.value,
        finished_at=_p("now", ATTEMPTS.c.finished_at),
        duration_ms=_p("ms", ATTEMPTS.c.duration_ms),
        prompt=_p("prompt", ATTEMPTS.c.prompt),
        model=sa.func.coalesce(_p("model", ATTEMPTS.c.model), ATTEMPTS.c.model),
    )
)


# Only a completed document has a result (`reset` removes any other), so storing one is an
# INSERT.
STORE_RESULT = sa.insert(RESULTS)


@dataclass
class Run:
    """One attempt at a document: what every transition out of `processing` is guarded by."""

    document_id: uuid.UUID
    attempt: int
    batch_id: uuid.UUID | None = None


class BatchRow(NamedTuple):
    """What a run needs of its document's batch."""

    status: str
    prompt_strategy: str
    extraction_prompt: str | None


@dataclass
class Claim:
    """What `claim` did: `doc` is None when nothing was claimed, and `why` says why."""

    document_id: uuid.UUID
    doc: Any = None  # the claimed row (CLAIMED columns)
    batch: Any = None  # status, prompt_strategy, extraction_prompt of its batch
    charged: bool = False  # the document's pages are reserved
    why: str | None = None  # not_claimable, batch_deleted, batch_cancelled

    @property
    def run(self) -> Run:
        return Run(self.document_id, self.doc.attempts, self.doc.batch_id)


def _execute(stmt):
    return db.session.execute(stmt)


def guarded(run: Run, new: DocumentStatus = D.PROCESSING):
    """UPDATE of this attempt's document, only while it is still processing this attempt (and
    may move to `new`)."""
    return (
        sa.update(DOCS)
        .where(DOCS.c.id == run.document_id)
        .where(DOCS.c.status.in_(_sources(new, [D.PROCESSING]) if new != D.PROCESSING else [new]))
        .where(DOCS.c.attempts == run.attempt)
    )


def _close_attempt(run: Run, status: JobStatus, **values) -> None:
    """Finish the attempt's ExtractionJob row (the one still running)."""
    if values.get("error_code") is not None:
        values["error_code"] = str(values["error_code"])
    for optional in ("model", "prompt", "duration_ms"):
        if values.get(optional) is None:
            values.pop(optional, None)
    values.update(status=status, finished_at=utcnow())
    _execute(
        sa.update(ATTEMPTS)
        .where(ATTEMPTS.c.document_id == run.document_id)
        .where(ATTEMPTS.c.attempt == run.attempt)
        .where(ATTEMPTS.c.status == JobStatus.RUNNING.value)
        .values(**values)
    )


def _end(batch_id, may_finalize: bool) -> None:
    """Finalize the batch after a transition was committed. A connection lost meanwhile leaves
    it to the periodic finalizer: the transition itself stands."""
    if not may_finalize:
        return
    try:
        finalize.finalize_batch(batch_id)
    except sa.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log_event("batch.finalize_deferred", batch=batch_id, level=logging.WARNING)


# -- claim -------------------------------------------------------------------------------------


def claim(
    document_id: uuid.UUID, *, job_row_id: uuid.UUID, rq_job_id: str | None, provider: str
) -> Claim:
    """uploaded → processing, in one transaction with the rest of what starting takes.

    The attempt is counted, the batch moves `queued → processing` on its first claim, the
    document's pages are reserved on the usage row (one conditional UPDATE: only within the
    plan's limit) and the attempt's ExtractionJob row is opened. A cancelled batch cancels the
    document instead. Commits. Over the limit, the claim is committed holding nothing: the
    caller fails the document.
    """
    session = db.session
    now = utcnow()
    month = quota.calendar_month(now).start
    found = session.execute(CLAIM, {"p_doc": document_id, "p_now": now, "p_month": month}).first()
    if found is None:  # already running, finished, cancelled or deleted
        session.rollback()
        if _give_back_waiting(document_id):
            return claim(document_id, job_row_id=job_row_id, rq_job_id=rq_job_id, provider=provider)
        return Claim(document_id, why="not_claimable")
    doc, batch = found, None
    if doc.batch_id is not None:
        if found.batch_status is None:
            session.rollback()
            return Claim(document_id, why="batch_deleted")
        if found.batch_status == B.CANCELLED:
            session.rollback()
            cancel(document_id, doc.batch_id)
            return Claim(document_id, why="batch_cancelled")
        batch = BatchRow(found.batch_status, found.prompt_strategy, found.batch_prompt)
        if batch.status in _batch_sources(B.PROCESSING, [B.QUEUED]):
            session.execute(MOVE_BATCH, {"p_batch": doc.batch_id, "p_now": now})
    sub = None
    if found.subscription_id is not None:
        sub = Subscription(
            plan=found.plan,
            status=found.subscription_status,
            current_period_start=found.period_start,
            current_period_end=found.period_end,
        )
    usage_id = quota.reserve_pages(doc.user_id, doc.page_count, quota.allowance_for(sub, now))
    charged = usage_id is not None
    if not charged or usage_id != doc.usage_id:
        # Over the limit, or the period's first reservation (its usage row was created just
        # now): what the document holds is set to what was reserved.
        held = {"p_pages": doc.page_count if charged else 0, "p_usage": usage_id}
        doc = session.execute(HOLD, {"p_doc": document_id, **held}).first()
    session.execute(
        OPEN_ATTEMPT,
        {
            "id": job_row_id,
            "document_id": document_id,
            "attempt": doc.attempts,
            "status": JobStatus.RUNNING.value,
            "rq_job_id": rq_job_id,
            "provider": provider,
            "started_at": now,
        },
    )
    db.session.commit()
    return Claim(document_id, doc, batch, charged)


def _give_back_waiting(document_id: uuid.UUID) -> bool:
    """A waiting document that still holds pages (left by an earlier attempt): give them back
    and commit; whether it did. Its claim then reserves them again."""
    waiting = _execute(
        sa.select(DOCS.c.id)
        .where(DOCS.c.id == document_id)
        .where(DOCS.c.status.in_(_sources(D.PROCESSING, [D.UPLOADED])))
        .where(DOCS.c.reserved_pages > 0, DOCS.c.usage_id.is_not(None))
        .with_for_update()
    ).first()
    if waiting is None or not quota.release_held(document_id):
        db.session.rollback()
        return False
    db.session.commit()
    return True


# -- out of processing -------------------------------------------------------------------------


def complete(
    run: Run,
    result: dict,
    *,
    provider: str,
    model: str | None,
    prompt: str | None,
    duration_ms: int,
    reuse_key: str | None = None,
    reused_from: uuid.UUID | None = None,
    needs_review: bool = False,
    document_type: str | None = None,
    **log_fields,
) -> bool:
    """processing → completed with its result; False (nothing changed) when this attempt no
    longer holds the document. Commits, then finalizes the batch if this was its last document.

    The pages stay charged (the reservation became use), except for a reused result, which costs
    nothing: its reservation is given back.
    """
    session = db.session
    now = utcnow()
    keep = reused_from is not None
    done = session.execute(
        COMPLETE[keep],
        {
            "p_doc": run.document_id,
            "p_attempt": run.attempt,
            "p_now": now,
            "p_type": document_type or None,
            "p_reuse_key": reuse_key,
            "p_reused_from": reused_from,
            "p_review": needs_review,
        },
    ).rowcount
    if done != 1:
        session.rollback()
        return False
    meta = result.get("meta") or {}
    session.execute(
        STORE_RESULT,
        {
            "id": uuid.uuid4(),
            "document_id": run.document_id,
            "data": result,
            "provider": meta.get("provider") or provider,
            "model": meta.get("model"),
            "created_at": now,
            "updated_at": now,
        },
    )
    session.execute(
        CLOSE_SUCCEEDED,
        {
            "p_doc": run.document_id,
            "p_attempt": run.attempt,
            "p_now": now,
            "p_ms": duration_ms,
            "p_prompt": prompt,
            "p_model": meta.get("model") or model,
        },
    )
    may_finalize = finalize.bump(
        run.batch_id,
        D.COMPLETED,
        needs_review_count=int(needs_review),
        reused_count=int(reused_from is not None),
    )
    if reused_from is not None:
        quota.release_held(run.document_id)
    db.session.commit()
    if reused_from is not None:
        log_fields["reused_from"] = reused_from
    log_event("document.completed", batch=run.batch_id, document=run.document_id, **log_fields)
    _end(run.batch_id, may_finalize)
    return True


def fail(
    run: Run,
    code: ErrorCode,
    message: str,
    *,
    detail: str | None = None,
    attempt_status: JobStatus = JobStatus.FAILED,
    attempt_row: dict | None = None,
    **log_fields,
) -> bool:
    """processing → failed with a stable code and a message the user can act on; the pages are
    given back. False (nothing changed) when this attempt no longer holds the document.
    Commits, then finalizes the batch if this was its last document."""
    now = utcnow()
    failed = _execute(
        guarded(run, D.FAILED).values(
            status=D.FAILED.value,
            error_code=str(code),
            error_message=message,
            completed_at=now,
            updated_at=now,
        )
    ).rowcount
    if failed != 1:
        db.session.rollback()
        return False
    _close_attempt(
        run,
        attempt_status,
        error_code=code,
        error_message=(detail or message)[:2000],
        **(attempt_row or {}),
    )
    outbox.document_failed(run.document_id)
    may_finalize = finalize.bump(run.batch_id, D.FAILED)
    released = quota.release_held(run.document_id)
    db.session.commit()
    log_event(
        "document.failed",
        batch=run.batch_id,
        document=run.document_id,
        level=logging.WARNING,
        code=code,
        released_pages=released,
        **log_fields,
    )
    _end(run.batch_id, may_finalize)
    return True


def requeue(
    run: Run,
    code: ErrorCode,
    message: str,
    *,
    attempt_status: JobStatus = JobStatus.FAILED,
    attempt_row: dict | None = None,
    event: str = "document.retrying",
    **log_fields,
) -> bool:
    """processing → uploaded with the pages given back, so that the document is claimed again
    (RQ's retry, or the sweeper's new job). False when this attempt no longer holds it."""
    moved = _execute(
        guarded(run, D.UPLOADED).values(status=D.UPLOADED.value, updated_at=utcnow())
    ).rowcount
    if moved != 1:
        db.session.rollback()
        return False
    _close_attempt(
        run, attempt_status, error_code=code, error_message=message[:2000], **(attempt_row or {})
    )
    released = quota.release_held(run.document_id)
    db.session.commit()
    log_event(
        event,
        batch=run.batch_id,
        document=run.document_id,
        level=logging.WARNING,
        attempt=run.attempt,
        released_pages=released,
        **log_fields,
    )
    return True


# -- waiting documents -------------------------------------------------------------------------


def cancel(document_id: uuid.UUID, batch_id: uuid.UUID) -> bool:
    """A waiting document of a cancelled batch: uploaded → cancelled and counted. Commits, then
    finalizes the batch if this was its last document."""
    now = utcnow()
    cancelled = _execute(
        sa.update(DOCS)
        .where(DOCS.c.id == document_id)
        .where(DOCS.c.status.in_(_sources(D.CANCELLED, [D.UPLOADED])))
        .values(status=D.CANCELLED.value, completed_at=now, updated_at=now)
    ).rowcount
    if cancelled != 1:
        db.session.rollback()
        return False
    may_finalize = finalize.bump(batch_id, D.CANCELLED)
    quota.release_held(document_id)
    db.session.commit()
    log_event("document.cancelled", batch=batch_id, document=document_id)
    _end(batch_id, may_finalize)
    return True


def cancel_documents(batch_id: uuid.UUID, now) -> int:
    """Every document of a batch that may still be cancelled → cancelled; how many. Part of the
    batch's cancel: the caller counts them on the batch and commits. Running documents are
    not among them: they finish, and are counted when they do."""
    return _execute(
        sa.update(DOCS)
        .where(DOCS.c.batch_id == batch_id)
        .where(DOCS.c.status.in_(_sources(D.CANCELLED, list(D))))
        .values(status=D.CANCELLED.value, updated_at=now, completed_at=now)
    ).rowcount


def reset(batch_id: uuid.UUID, now, sources, *where, resume: bool = False) -> list[uuid.UUID]:
    """Documents of the batch in `sources` (and matching `where`) go back to `uploaded`, their
    error and times cleared and any result removed (only a completed document has one): failed
    ones for a retry, cancelled ones for a resume (`resume`); their ids. Part of the batch
    action's transaction: the caller adjusts the batch's counters, commits and enqueues."""
    ids = list(
        _execute(
            sa.update(DOCS)
            .where(DOCS.c.batch_id == batch_id)
            .where(DOCS.c.status.in_(_sources(D.UPLOADED, sources, resume=resume)))
            .where(*where)
            .values(
                status=D.UPLOADED.value,
                error_code=None,
                error_message=None,
                started_at=None,
                completed_at=None,
                updated_at=now,
            )
            .returning(DOCS.c.id)
        ).scalars()
    )
    if ids:
        _execute(sa.delete(RESULTS).where(RESULTS.c.document_id.in_(ids)))
    return ids
