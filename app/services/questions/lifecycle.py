"""Every move of a question row from one status to another, each decided here and only here.

    claim      queued → answering     (the thread job; its batch queued → processing)
    complete   answering → completed  (the thread job; stores the answer, counts it)
    fail       answering → failed     (the thread job; the sweeper after the last attempt)
    requeue    answering → queued     (the sweeper, when the row's worker was lost)
    cancel     queued → cancelled     (a batch's cancel: every waiting row, counted)
    reset      failed → queued        (a batch's retry: every failed row, counted down)

Each is a guarded UPDATE (`WHERE status IN <allowed sources>`, and for a row being answered
`AND attempts = <n>`, the attempt its claim counted) with what goes with it in the same
transaction: the batch's counter, the row's reservation dropped and its page given back (`held`).
So a job that runs twice, late, or after a cancel or the sweeper changes nothing the second time,
and gives back nothing: whoever took the row over gave its page back. The allowed moves come from `app/models/states.py`
(`question_sources`).

None of them commits: each is part of its caller's unit of work (the thread job and the sweeper
commit after each row, the batch actions with their audit record). `claim` rolls back when the
row is no longer waiting, as the job then stops.

Each function locks the row first, then the usage row (what it gives back), then the batch.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import BatchStatus, QuestionBatch, QuestionItem, QuestionStatus, states
from app.models.types import utcnow
from app.services import quota

B, Q = BatchStatus, QuestionStatus

# A reservation still on a usage row: (usage id, pages); nothing to give back by default.
NOTHING_HELD: tuple[uuid.UUID | None, int] = (None, 0)


def _guarded(new: QuestionStatus, among, *where):
    """UPDATE of the rows matching `where` that may move to `new` from a status in `among`."""
    return sa.update(QuestionItem).where(
        *where, QuestionItem.status.in_(states.question_sources(new, among))
    )


def _count(batch_id: uuid.UUID, **values) -> None:
    """The batch's counters (and whatever else) in SQL, never read-modify-write."""
    db.session.execute(
        sa.update(QuestionBatch).where(QuestionBatch.id == batch_id).values(**values)
    )


# -- claim -------------------------------------------------------------------------------------


def claim(item_id: uuid.UUID, batch_id: uuid.UUID) -> int | None:
    """queued → answering in one conditional UPDATE, the attempt counted; the batch starts
    running with it (queued → processing). The attempt's number, which guards the row's way out
    of answering; None, rolled back, when the row is not waiting."""
    now = utcnow()
    attempt = db.session.execute(
        _guarded(Q.ANSWERING, [Q.QUEUED], QuestionItem.id == item_id)
        .values(
            status=Q.ANSWERING,
            attempts=QuestionItem.attempts + 1,
            started_at=now,
            updated_at=now,
        )
        .returning(QuestionItem.attempts)
    ).scalar()
    if attempt is None:
        db.session.rollback()
        return None
    db.session.execute(
        sa.update(QuestionBatch)
        .where(
            QuestionBatch.id == batch_id,
            QuestionBatch.status.in_(states.batch_sources(B.PROCESSING, [B.QUEUED])),
        )
        .values(status=B.PROCESSING, updated_at=now)
    )
    return attempt


# -- out of answering --------------------------------------------------------------------------


def _answering(item_id, attempt: int):
    """The row while it is still answering this attempt."""
    return (QuestionItem.id == item_id, QuestionItem.attempts == attempt)


def _finish(
    item_id, batch_id, attempt: int, new: QuestionStatus, counter: str, now, held, **values
) -> bool:
    """answering → a terminal status, the reservation in `held` given back and the batch's
    counter bumped in the same transaction."""
    finished = db.session.execute(
        _guarded(new, [Q.ANSWERING], *_answering(item_id, attempt)).values(
            status=new, completed_at=now, updated_at=now, **values
        )
    ).rowcount
    if finished:
        quota.release(*held)
        _count(batch_id, **{counter: getattr(QuestionBatch, counter) + 1, "updated_at": now})
    return bool(finished)


def complete(item_id, batch_id, attempt: int, text: str, sources: list, context: dict) -> bool:
    """answering → completed with the answer; completed_count + 1; the page stays charged.
    False when the row is no longer answering this attempt (swept or deleted meanwhile)."""
    return _finish(
        item_id,
        batch_id,
        attempt,
        Q.COMPLETED,
        "completed_count",
        utcnow(),
        NOTHING_HELD,
        answer=text,
        sources=sources,
        context=context,
        error_code=None,
        error_message=None,
    )


def fail(
    item_id, batch_id, attempt: int, code: str, message: str, *, now=None, held=NOTHING_HELD
) -> bool:
    """answering → failed with an error, the row's reservation dropped and given back (`held`:
    what the job reserved, or what the sweeper found), failed_count + 1. False when the row is
    no longer answering this attempt."""
    return _finish(
        item_id,
        batch_id,
        attempt,
        Q.FAILED,
        "failed_count",
        now or utcnow(),
        held,
        error_code=str(code),
        error_message=message,
        reserved_pages=0,
        usage_id=None,
    )


def requeue(item_id: uuid.UUID, attempt: int, *, now, held=NOTHING_HELD) -> bool:
    """answering → queued: the worker answering the row was lost. Its reservation is dropped and
    given back (`held`), so that a new job claims it again; no counter moves."""
    moved = db.session.execute(
        _guarded(Q.QUEUED, [Q.ANSWERING], *_answering(item_id, attempt)).values(
            status=Q.QUEUED, updated_at=now, reserved_pages=0, usage_id=None
        )
    ).rowcount
    if moved:
        quota.release(*held)
    return bool(moved)


# -- a batch's rows ----------------------------------------------------------------------------


def cancel(batch_id: uuid.UUID) -> int:
    """Every waiting row of the batch → cancelled, cancelled_count + as many; how many. Rows
    being answered are not among them: they finish, and are counted when they do."""
    now = utcnow()
    cancelled = (
        db.session.execute(
            _guarded(Q.CANCELLED, [Q.QUEUED], QuestionItem.question_batch_id == batch_id).values(
                status=Q.CANCELLED, updated_at=now, completed_at=now
            )
        ).rowcount
        or 0
    )
    _count(batch_id, cancelled_count=QuestionBatch.cancelled_count + cancelled)
    return cancelled


def reset(batch_id: uuid.UUID) -> list[str]:
    """Every failed row of the batch → queued, its error, answer and times cleared, and
    failed_count down by as many (never below 0); the thread key of each row moved (a key once
    per row), for the caller to enqueue after its commit."""
    keys = list(
        db.session.scalars(
            _guarded(Q.QUEUED, [Q.FAILED], QuestionItem.question_batch_id == batch_id)
            .values(
                status=Q.QUEUED,
                error_code=None,
                error_message=None,
                answer=None,
                sources=None,
                context=None,
                started_at=None,
                completed_at=None,
                updated_at=utcnow(),
            )
            .returning(QuestionItem.thread_key)
        )
    )
    if keys:
        _count(batch_id, failed_count=quota.less(QuestionBatch.failed_count, len(keys)))
    return keys


def give_back_answering(batch_id: uuid.UUID) -> int:
    """Before a batch's rows are deleted: give back the pages of the rows being answered (their
    jobs then find nothing left and give back nothing); how many. Completed rows stay charged."""
    held = db.session.execute(
        sa.select(QuestionItem.usage_id, QuestionItem.reserved_pages)
        .where(
            QuestionItem.question_batch_id == batch_id,
            QuestionItem.status == Q.ANSWERING,
            QuestionItem.usage_id.is_not(None),
            QuestionItem.reserved_pages > 0,
        )
        .with_for_update()
    ).all()
    for usage_id, pages in held:
        quota.release(usage_id, pages)
    return sum(pages for _usage_id, pages in held)
