"""Usage periods and atomic page reservations (SPEC §3 invariant 4)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Subscription, Usage, User
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
    try:
        with db.session.begin_nested():
            db.session.add(
                Usage(
                    user_id=user_id, period_start=period.start, period_end=period.end, pages_used=0
                )
            )
    except IntegrityError:
        pass  # another process created it first
    return db.session.scalar(stmt)


def period_for_user(user: User, now: datetime | None = None) -> Period:
    """The user's current usage period."""
    return current_period(plans.subscription_of(user), now)


def pages_used(user: User) -> int:
    """Pages charged to the user in the current period."""
    period = period_for_user(user)
    used = db.session.scalar(
        sa.select(Usage.pages_used).where(
            Usage.user_id == user.id, Usage.period_start == period.start
        )
    )
    return int(used or 0)


def reserve(user: User, pages: int) -> uuid.UUID | None:
    """Reserve pages in one conditional UPDATE; the usage row id, or None when over the limit."""
    limit = plans.user_limits(user).pages_per_month
    row = usage_row(user.id, period_for_user(user))
    result = db.session.execute(
        sa.update(Usage)
        .where(Usage.id == row.id, Usage.pages_used + pages <= limit)
        .values(pages_used=Usage.pages_used + pages)
        .returning(Usage.id)
    )
    return result.scalar_one_or_none()


def release(usage_id: uuid.UUID, pages: int) -> None:
    """Give back pages reserved earlier on the same usage row."""
    if usage_id is None or pages <= 0:
        return
    db.session.execute(
        sa.update(Usage)
        .where(Usage.id == usage_id)
        .values(
            pages_used=sa.func.greatest(Usage.pages_used - pages, 0)
            if db.engine.dialect.name == "postgresql"
            else sa.func.max(Usage.pages_used - pages, 0)
        )
    )


def summary(user: User) -> dict:
    """The usage JSON of SPEC §5."""
    sub = plans.subscription_of(user)
    limits = plans.limits_for(sub.effective_plan)
    period = current_period(sub)
    used = pages_used(user)
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
