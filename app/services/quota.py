"""Usage periods and atomic page reservations (invariant 4 in docs/states.md)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Document, DocumentStatus, Plan, Subscription, Usage, User
from app.models.types import utcnow
from app.services import plans


@dataclass(frozen=True)
class Period:
    """A billing period [start, end)."""

    start: datetime
    end: datetime


def calendar_month(now: datetime) -> Period:
    """The UTC calendar month that contains now."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return Period(start, end)


def current_period(sub: Subscription | None, now: datetime | None = None) -> Period:
    """The Stripe billing period when one covers now, else the calendar month (UTC)."""
    now = now or utcnow()
    if sub is not None and sub.current_period_start and sub.current_period_end:
        if sub.current_period_start <= now < sub.current_period_end:
            return Period(sub.current_period_start, sub.current_period_end)
    return calendar_month(now)


def usage_row(user_id: uuid.UUID, period: Period) -> Usage:
    """The usage row of a user for a period, created safely when two processes race."""
    stmt = sa.select(Usage).where(Usage.user_id == user_id, Usage.period_start == period.start)
    row = db.session.scalar(stmt)
    if row is not None:
        return row
    # INSERT ... ON CONFLICT DO NOTHING: whoever loses the race simply reads the winner's row,
    # without a savepoint and without aborting the surrounding transaction.
    insert = insert_for_dialect()
    db.session.execute(
        insert(Usage)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            period_start=period.start,
            period_end=period.end,
            pages_used=0,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "period_start"])
    )
    return db.session.scalar(stmt)


def insert_for_dialect():
    """The INSERT construct with ON CONFLICT support of the app's database."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def period_usage(user_id):
    """SQL: the id of the usage row of `user_id` (a column or value) for the period that contains
    the parameter `p_now`: its billing period when one covers it, else the calendar month that
    starts at the parameter `p_month`, as `current_period` decides. NULL until the period's first
    reservation creates the row. A scalar subquery, for statements built once.

    The billing period's subquery sits two levels below the statement that gives `user_id`, and a
    subquery correlates on its own only to the one right above it: without `correlate_except` it
    would read every row of the column's table (a cross join) and find one period per row."""
    subs, usage = Subscription.__table__, Usage.__table__
    now = sa.bindparam("p_now", type_=subs.c.current_period_start.type)
    billing = (
        sa.select(subs.c.current_period_start)
        .where(subs.c.user_id == user_id)
        .where(subs.c.current_period_start <= now)
        .where(subs.c.current_period_end > now)
        .correlate_except(subs)
        .scalar_subquery()
    )
    start = sa.func.coalesce(billing, sa.bindparam("p_month", type_=usage.c.period_start.type))
    return (
        sa.select(usage.c.id)
        .where(usage.c.user_id == user_id)
        .where(usage.c.period_start == start)
        .scalar_subquery()
    )


def period_for_user(user: User, now: datetime | None = None) -> Period:
    """The user's current usage period."""
    return current_period(plans.subscription_of(user), now)


def pages_used(user: User, now: datetime | None = None) -> int:
    """Pages charged to the user in the current period (or the period that contains now)."""
    period = period_for_user(user, now)
    used = db.session.scalar(
        sa.select(Usage.pages_used).where(
            Usage.user_id == user.id, Usage.period_start == period.start
        )
    )
    return int(used or 0)


def reserve(user: User, pages: int) -> uuid.UUID | None:
    """Reserve pages in one conditional UPDATE; the usage row id, or None when over the limit."""
    return reserve_pages(user.id, pages)


@dataclass(frozen=True)
class Allowance:
    """What a user may use now: the plan's page limit and the current period."""

    limit: int
    period: Period


def allowance(user_id: uuid.UUID) -> Allowance:
    """The page limit and period of a user, read with one query (no row is created)."""
    return allowance_for(
        db.session.scalar(sa.select(Subscription).where(Subscription.user_id == user_id))
    )


def allowance_for(sub: Subscription | None, now: datetime | None = None) -> Allowance:
    """The page limit and period that a subscription (None: starter) gives now."""
    plan = sub.effective_plan if sub is not None else Plan.STARTER
    return Allowance(plans.limits_for(plan).pages_per_month, current_period(sub, now))


def reserve_pages(
    user_id: uuid.UUID, pages: int, allowed: Allowance | None = None
) -> uuid.UUID | None:
    """Reserve pages for a user: `UPDATE usage SET pages_used = pages_used + n` only while
    `pages_used + n <= limit`, in one statement. The usage row id, or None when over the limit.

    The period's row is created on first use (INSERT ... ON CONFLICT DO NOTHING, safe when
    several workers race). `allowed` is the user's allowance when the caller has read it.
    Nothing is committed here.
    """
    allowed = allowed or allowance(user_id)
    if pages > allowed.limit:
        return None
    params = {
        "p_user": user_id,
        "p_start": allowed.period.start,
        "p_pages": pages,
        "p_limit": allowed.limit,
    }
    usage_id = db.session.execute(RESERVE, params).scalar_one_or_none()
    if usage_id is not None:
        return usage_id
    exists = db.session.scalar(
        sa.select(Usage.id).where(
            Usage.user_id == user_id, Usage.period_start == allowed.period.start
        )
    )
    if exists is not None:
        return None  # the row is there: over the limit
    usage_row(user_id, allowed.period)
    return db.session.execute(RESERVE, params).scalar_one_or_none()


_usage = Usage.__table__
_pages = sa.bindparam("p_pages", type_=_usage.c.pages_used.type)
RESERVE = (
    sa.update(_usage)
    .where(_usage.c.user_id == sa.bindparam("p_user", type_=_usage.c.user_id.type))
    .where(_usage.c.period_start == sa.bindparam("p_start", type_=_usage.c.period_start.type))
    .where(_usage.c.pages_used + _pages <= sa.bindparam("p_limit", type_=_usage.c.pages_used.type))
    .values(pages_used=_usage.c.pages_used + _pages)
    .returning(_usage.c.id)
)


def release(usage_id: uuid.UUID | None, pages: int) -> None:
    """Give back pages reserved earlier on the same usage row (never below zero)."""
    if usage_id is None or pages <= 0:
        return
    db.session.execute(
        sa.update(Usage)
        .where(Usage.id == usage_id)
        .values(pages_used=less(Usage.pages_used, pages))
        .execution_options(synchronize_session=False)
    )


def less(column, n: int):
    """`column - n`, never below 0, as SQL: pages given back, or a batch's counter going down
    (a retry, a resume). CASE rather than greatest()/max(): one expression that PostgreSQL and
    SQLite both run."""
    return sa.case((column >= n, column - n), else_=0)


def release_held(document_id: uuid.UUID) -> int:
    """Release what a document still holds and zero its reservation in the same transaction.

    The document row is cleared with a compare-and-swap on the values just read, so of two
    processes releasing the same document (a failing job and the sweeper) only one gives the
    pages back. Returns the pages released.
    """
    held = db.session.execute(
        sa.select(Document.reserved_pages, Document.usage_id).where(Document.id == document_id)
    ).first()
    if held is None or not held.reserved_pages or held.usage_id is None:
        return 0
    swapped = db.session.execute(
        sa.update(Document)
        .where(
            Document.id == document_id,
            Document.reserved_pages == held.reserved_pages,
            Document.usage_id == held.usage_id,
        )
        .values(reserved_pages=0, usage_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if swapped != 1:
        return 0
    release(held.usage_id, held.reserved_pages)
    return held.reserved_pages


def summary(user: User, now: datetime | None = None) -> dict:
    """The usage JSON of the API (for the period that contains now, by default the current one)."""
    sub = plans.subscription_of(user)
    limits = plans.limits_for(sub.effective_plan)
    period = current_period(sub, now)
    used = pages_used(user, now)
    return {
        "plan": limits.plan.value,
        "status": sub.status,
        "pages_limit": limits.pages_per_month,
        "pages_used": used,
        "pages_left": max(limits.pages_per_month - used, 0),
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "files_per_batch": limits.files_per_batch,
    }


def breakdown(user: User, now: datetime | None = None) -> dict:
    """What the current period's pages were used for, so that the total can be reconciled.

    - documents: pages of completed documents finished in the period (reused results are free);
    - questions: one page per answered question;
    - in_progress: pages held by documents and questions being processed now;
    - deleted: the rest, pages of documents and batches deleted since (deleting keeps the charge).
    """
    from app.models import QuestionItem, QuestionStatus

    period = period_for_user(user, now)
    used = pages_used(user, now)
    usage_id = db.session.scalar(
        sa.select(Usage.id).where(Usage.user_id == user.id, Usage.period_start == period.start)
    )
    documents = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Document.page_count), 0)).where(
            Document.user_id == user.id,
            Document.status == DocumentStatus.COMPLETED,
            Document.reused_from_id.is_(None),
            Document.completed_at >= period.start,
            Document.completed_at < period.end,
        )
    )
    held_documents = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Document.reserved_pages), 0)).where(
            Document.usage_id == usage_id, Document.status != DocumentStatus.COMPLETED
        )
    )
    questions = held_questions = 0
    if usage_id is not None:
        rows = db.session.execute(
            sa.select(QuestionItem.status, sa.func.sum(QuestionItem.reserved_pages))
            .where(QuestionItem.usage_id == usage_id)
            .group_by(QuestionItem.status)
        ).all()
        for status, pages in rows:
            if status == QuestionStatus.COMPLETED:
                questions += int(pages or 0)
            else:
                held_questions += int(pages or 0)
    documents, in_progress = int(documents or 0), int(held_documents or 0) + held_questions
    return {
        "pages_used": used,
        "documents": documents,
        "questions": questions,
        "in_progress": in_progress,
        "deleted": max(used - documents - questions - in_progress, 0),
    }
