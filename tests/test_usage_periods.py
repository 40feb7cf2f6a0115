"""Usage periods: calendar months or Stripe billing periods, rolling over with no cron job."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.models import DocumentStatus, Subscription, Usage
from app.models.types import utcnow
from app.services import plans, quota
from tests.factories import make_batch, make_document, make_user


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "now, start, end",
    [
        (utc(2026, 1, 31, 23, 59, 59, 999999), utc(2026, 1, 1), utc(2026, 2, 1)),
        (utc(2026, 2, 1), utc(2026, 2, 1), utc(2026, 3, 1)),
        (utc(2026, 2, 28, 12), utc(2026, 2, 1), utc(2026, 3, 1)),
        (utc(2026, 12, 31, 23, 59), utc(2026, 12, 1), utc(2027, 1, 1)),
        (utc(2027, 1, 1), utc(2027, 1, 1), utc(2027, 2, 1)),
        # 00:30 on 1 March in UTC+2 is still 28 February in UTC.
        (
            datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))),
            utc(2026, 2, 1),
            utc(2026, 3, 1),
        ),
    ],
)
def test_calendar_month_in_utc(now, start, end):
    period = quota.calendar_month(now)
    assert (period.start, period.end) == (start, end)


def stripe_sub(start: datetime, end: datetime) -> Subscription:
    return Subscription(
        plan="plus", status="active", current_period_start=start, current_period_end=end
    )


@pytest.mark.parametrize(
    "now, expected",
    [
        (utc(2026, 1, 15, 9), (utc(2026, 1, 15, 9), utc(2026, 2, 15, 9))),  # first instant
        (utc(2026, 2, 1), (utc(2026, 1, 15, 9), utc(2026, 2, 15, 9))),  # across the month end
        (utc(2026, 2, 15, 8, 59, 59), (utc(2026, 1, 15, 9), utc(2026, 2, 15, 9))),
        # The period ended and no renewal arrived yet: the calendar month counts meanwhile.
        (utc(2026, 2, 15, 9), (utc(2026, 2, 1), utc(2026, 3, 1))),
        (utc(2026, 1, 10), (utc(2026, 1, 1), utc(2026, 2, 1))),
    ],
)
def test_stripe_period_when_it_covers_now(now, expected):
    period = quota.current_period(stripe_sub(utc(2026, 1, 15, 9), utc(2026, 2, 15, 9)), now)
    assert (period.start, period.end) == expected


def test_no_subscription_or_no_period_uses_the_calendar_month():
    now = utc(2026, 5, 20)
    assert quota.current_period(None, now) == quota.calendar_month(now)
    no_period = Subscription(plan="starter", status="active")
    assert quota.current_period(no_period, now) == quota.calendar_month(now)


def test_renewal_moves_to_the_next_stripe_period():
    sub = stripe_sub(utc(2026, 1, 15, 9), utc(2026, 2, 15, 9))
    # invoice.paid / customer.subscription.updated bring the next period.
    sub.current_period_start, sub.current_period_end = utc(2026, 2, 15, 9), utc(2026, 3, 15, 9)
    period = quota.current_period(sub, utc(2026, 2, 15, 9))
    assert (period.start, period.end) == (utc(2026, 2, 15, 9), utc(2026, 3, 15, 9))


def test_a_new_calendar_month_starts_at_zero(db):
    user = make_user("month@example.com", plan="starter")
    this = quota.calendar_month(utcnow())
    last = quota.calendar_month(this.start - timedelta(microseconds=1))
    assert quota.reserve(user, 50) is not None
    assert quota.reserve(user, 1) is None  # the starter month is full
    _db.session.commit()
    # Seen from the first instant of next month: a fresh period with nothing used.
    next_month = this.end
    assert quota.summary(user, now=next_month)["pages_used"] == 0
    assert quota.summary(user, now=next_month)["pages_left"] == 50
    assert quota.summary(user, now=next_month - timedelta(microseconds=1))["pages_used"] == 50
    assert quota.summary(user, now=last.start)["pages_used"] == 0
    # The row for this month keeps its own bounds.
    row = _db.session.scalar(sa.select(Usage).where(Usage.user_id == user.id))
    assert (row.period_start, row.period_end) == (this.start, this.end)


def test_last_months_usage_does_not_count_now(db):
    user = make_user("rolled@example.com", plan="starter")
    this = quota.calendar_month(utcnow())
    last = quota.calendar_month(this.start - timedelta(microseconds=1))
    _db.session.add(
        Usage(user_id=user.id, period_start=last.start, period_end=last.end, pages_used=50)
    )
    _db.session.commit()
    assert quota.pages_used(user) == 0
    assert quota.reserve(user, 50) is not None  # the whole new month is available
    _db.session.commit()
    assert quota.summary(user)["pages_used"] == 50


def test_stripe_period_rollover_starts_at_zero(db):
    user = make_user("periods@example.com", plan="starter")
    now = utcnow()
    sub = plans.subscription_of(user)
    sub.plan, sub.status = "plus", "active"
    old_start, old_end = now - timedelta(days=40), now - timedelta(days=10)
    sub.current_period_start, sub.current_period_end = old_start, old_end
    _db.session.add(
        Usage(user_id=user.id, period_start=old_start, period_end=old_end, pages_used=1000)
    )
    # The renewal arrived: a new Stripe period that contains now.
    sub.current_period_start, sub.current_period_end = old_end, old_end + timedelta(days=30)
    _db.session.commit()
    summary = quota.summary(user)
    assert summary["period_start"] == old_end.isoformat()
    assert (summary["pages_used"], summary["pages_left"]) == (0, 1000)
    assert quota.reserve(user, 1000) is not None
    assert quota.reserve(user, 1) is None
    _db.session.commit()
    rows = _db.session.execute(
        sa.select(Usage.period_start, Usage.pages_used)
        .where(Usage.user_id == user.id)
        .order_by(Usage.period_start)
    ).all()
    assert [r.pages_used for r in rows] == [1000, 1000]


def test_usage_shown_is_the_pages_of_completed_documents(client, auth, db):
    """Completed documents stay charged; a failed one gives its pages back; queued ones cost 0."""
    user = make_user("shown@example.com", plan="plus")
    batch = make_batch(user)
    done = [(3, DocumentStatus.COMPLETED), (2, DocumentStatus.COMPLETED)]
    for pages, status in done:
        doc = make_document(user, batch, page_count=pages, status=status)
        doc.usage_id = quota.reserve(user, pages)
        assert doc.usage_id is not None
    failed = make_document(user, batch, page_count=4, status=DocumentStatus.FAILED)
    held = quota.reserve(user, failed.page_count)
    quota.release(held, failed.page_count)
    make_document(user, batch, page_count=7, status=DocumentStatus.UPLOADED)
    _db.session.commit()

    completed_pages = sum(p for p, s in done if s == DocumentStatus.COMPLETED)
    assert quota.pages_used(user) == completed_pages == 5
    auth.login("shown@example.com")
    usage = client.get("/api/v1/usage").get_json()
    assert (usage["plan"], usage["pages_used"], usage["pages_left"]) == ("plus", 5, 995)
    html = client.get("/billing").get_data(as_text=True)
    assert 'id="pages-used">5<' in html and 'id="pages-left">995<' in html
    assert "995 pages left" in html  # the navigation pill
