"""A user's processing figures: activity per day, success rate, processing times, breakdowns.

Days are UTC calendar days. The window is the last `days` days up to and including today.
- batches and documents per day count rows by their creation day;
- pages per day are the pages of documents that completed that day;
- the success rate is completed / (completed + failed) over documents created in the window
  (cancelled and unfinished documents are left out);
- processing time of a completed document (completed in the window) is the duration_ms of its
  latest succeeded ExtractionJob, else completed_at - started_at; the median and p95 interpolate
  linearly between the closest ranks.
"""

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Batch,
    Document,
    DocumentStatus,
    ExtractionJob,
    ExtractionResult,
    JobStatus,
    User,
)
from app.services import quota

SINGLE_UPLOAD = "single"
UNKNOWN_TYPE = "unknown"


@dataclass
class DayFigures:
    """Activity on one UTC day."""

    day: date
    batches: int = 0
    documents: int = 0
    pages: int = 0


@dataclass
class Breakdown:
    """Figures for one document type or prompt strategy."""

    key: str
    documents: int = 0
    completed: int = 0
    failed: int = 0
    pages: int = 0
    durations_ms: list[float] = field(default_factory=list)

    @property
    def success_rate(self) -> float | None:
        return success_rate(self.completed, self.failed)

    @property
    def median_ms(self) -> float | None:
        return percentile(self.durations_ms, 50)


@dataclass
class PeriodFigures:
    """The current billing period: pages used against the plan's quota, and pages per day."""

    start: datetime
    end: datetime
    pages_limit: int
    pages_used: int
    cumulative: list[tuple[date, int]]


@dataclass
class UserAnalytics:
    """Everything /analytics shows for one user."""

    start: date
    end: date
    days: list[DayFigures]
    batches: int
    documents: int
    completed: int
    failed: int
    cancelled: int
    pages_processed: int
    # Completed documents that took an earlier result of the same file, and their pages (not
    # charged, not in pages_processed).
    reused: int
    reused_pages: int
    # Fields users corrected in review, per (document type, field): (corrected, extracted).
    corrections: list[tuple[str, str, int, int]]
    durations_ms: list[float]
    by_type: list[Breakdown]
    by_strategy: list[Breakdown]
    period: PeriodFigures

    @property
    def success_rate(self) -> float | None:
        return success_rate(self.completed, self.failed)

    @property
    def median_ms(self) -> float | None:
        return percentile(self.durations_ms, 50)

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.durations_ms, 95)

    @property
    def corrected_fields(self) -> int:
        return sum(c for _t, _f, c, _n in self.corrections)

    @property
    def corrected_share(self) -> float | None:
        """Share of extracted fields that users corrected: the engine's error rate on their
        own documents, as far as they reviewed them."""
        total = sum(n for _t, _f, _c, n in self.corrections)
        return self.corrected_fields / total if total else None


def corrections(user_id: uuid.UUID, since: datetime) -> list[tuple[str, str, int, int]]:
    """Per document type and field: how many of the user's results corrected it, of how many."""
    rows = db.session.execute(
        sa.select(Document.document_type, ExtractionResult.data)
        .join(ExtractionResult, ExtractionResult.document_id == Document.id)
        .where(
            Document.user_id == user_id,
            Document.status == DocumentStatus.COMPLETED,
            Document.created_at >= since,
            Document.reused_from_id.is_(None),
        )
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for document_type, data in rows:
        fields = (data or {}).get("fields") if isinstance(data, dict) else None
        for name, entry in (fields or {}).items():
            if not isinstance(entry, dict):
                continue
            key = (document_type or (data or {}).get("document_type") or UNKNOWN_TYPE, name)
            counts[key][1] += 1
            counts[key][0] += bool(entry.get("corrected"))
    return sorted(
        ((t, f, c, n) for (t, f), (c, n) in counts.items()), key=lambda r: (-r[2], r[0], r[1])
    )


def success_rate(completed: int, failed: int) -> float | None:
    """Share of finished documents that completed (0-1), None when none finished."""
    finished = completed + failed
    return completed / finished if finished else None


def percentile(values: list[float], pct: float) -> float | None:
    """The pct-th percentile, interpolating linearly between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def utc_day(column):
    """SQL for the UTC calendar day of a timestamp column."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column)  # SQLite stores naive UTC


def as_date(value) -> date:
    """A day from SQL (a date on PostgreSQL, an ISO string on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def midnight(day: date) -> datetime:
    """The start of a UTC day."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _per_day(column, value, since: datetime, *where) -> dict[date, int]:
    """SQL-aggregated `value` per UTC day of `column`, from `since` on."""
    day = utc_day(column)
    rows = db.session.execute(
        sa.select(day, value).where(column >= since, *where).group_by(day)
    ).all()
    return {as_date(d): int(n or 0) for d, n in rows}


def pages_per_day(user_id: uuid.UUID, since: datetime) -> dict[date, int]:
    """Pages of the user's documents extracted on each day since `since` (reused ones aside)."""
    return _per_day(
        Document.completed_at,
        sa.func.sum(Document.page_count),
        since,
        Document.user_id == user_id,
        Document.status == DocumentStatus.COMPLETED,
        Document.reused_from_id.is_(None),
    )


def processing_times(user_id: uuid.UUID, since: datetime) -> dict[uuid.UUID, float]:
    """Processing time in ms of each of the user's documents completed since `since`."""
    docs = db.session.execute(
        sa.select(Document.id, Document.started_at, Document.completed_at).where(
            Document.user_id == user_id,
            Document.status == DocumentStatus.COMPLETED,
            Document.completed_at >= since,
        )
    ).all()
    ids = [d.id for d in docs]
    from_jobs: dict[uuid.UUID, float] = {}
    if ids:
        jobs = db.session.execute(
            sa.select(ExtractionJob.document_id, ExtractionJob.duration_ms)
            .where(
                ExtractionJob.document_id.in_(ids),
                ExtractionJob.status == JobStatus.SUCCEEDED,
                ExtractionJob.duration_ms.is_not(None),
            )
            .order_by(ExtractionJob.attempt)
        ).all()
        for document_id, duration in jobs:  # ordered by attempt: the latest one wins
            from_jobs[document_id] = float(duration)
    times = {}
    for doc in docs:
        if doc.id in from_jobs:
            times[doc.id] = from_jobs[doc.id]
        elif doc.started_at and doc.completed_at:
            times[doc.id] = (doc.completed_at - doc.started_at).total_seconds() * 1000
    return times


def _breakdowns(rows, key_of, times: dict) -> list[Breakdown]:
    groups: dict[str, Breakdown] = {}
    for row in rows:
        key = key_of(row)
        group = groups.setdefault(key, Breakdown(key))
        group.documents += 1
        if row.status == DocumentStatus.COMPLETED:
            group.completed += 1
            group.pages += row.page_count or 0
            if row.id in times:
                group.durations_ms.append(times[row.id])
        elif row.status == DocumentStatus.FAILED:
            group.failed += 1
    return sorted(groups.values(), key=lambda g: (-g.documents, g.key))


def period_figures(user: User, today: date) -> PeriodFigures:
    """Pages used this billing period against the quota, cumulated per day."""
    usage = quota.summary(user)
    start = datetime.fromisoformat(usage["period_start"])
    end = datetime.fromisoformat(usage["period_end"])
    per_day = pages_per_day(user.id, start)
    cumulative, total = [], 0
    day = start.astimezone(UTC).date()
    while day <= today and midnight(day) < end:
        total += per_day.get(day, 0)
        cumulative.append((day, total))
        day += timedelta(days=1)
    return PeriodFigures(start, end, usage["pages_limit"], usage["pages_used"], cumulative)


def user_analytics(user: User, days: int = 30, now: datetime | None = None) -> UserAnalytics:
    """The figures of /analytics for one user over the last `days` days."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    end = now.date()
    start = end - timedelta(days=days - 1)
    since = midnight(start)

    batches = _per_day(Batch.created_at, sa.func.count(), since, Batch.user_id == user.id)
    documents = _per_day(Document.created_at, sa.func.count(), since, Document.user_id == user.id)
    pages = pages_per_day(user.id, since)
    series = [
        DayFigures(d, batches.get(d, 0), documents.get(d, 0), pages.get(d, 0))
        for d in (start + timedelta(days=i) for i in range(days))
    ]

    rows = db.session.execute(
        sa.select(
            Document.id,
            Document.status,
            Document.page_count,
            Document.document_type,
            Document.reused_from_id,
            Batch.prompt_strategy,
        )
        .outerjoin(Batch, Batch.id == Document.batch_id)
        .where(Document.user_id == user.id, Document.created_at >= since)
    ).all()
    times = processing_times(user.id, since)
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1

    return UserAnalytics(
        start=start,
        end=end,
        days=series,
        batches=sum(batches.values()),
        documents=len(rows),
        completed=counts[DocumentStatus.COMPLETED],
        failed=counts[DocumentStatus.FAILED],
        cancelled=counts[DocumentStatus.CANCELLED],
        pages_processed=sum(pages.values()),
        reused=sum(1 for r in rows if r.reused_from_id is not None),
        reused_pages=sum(r.page_count or 0 for r in rows if r.reused_from_id is not None),
        corrections=corrections(user.id, since),
        durations_ms=sorted(times.values()),
        by_type=_breakdowns(rows, lambda r: r.document_type or UNKNOWN_TYPE, times),
        by_strategy=_breakdowns(
            rows, lambda r: str(r.prompt_strategy) if r.prompt_strategy else SINGLE_UPLOAD, times
        ),
        period=period_figures(user, end),
    )


def csv_rows(figures: UserAnalytics) -> list[tuple[str, str, str, object]]:
    """The same figures as (section, key, metric, value) rows for the CSV download."""

    def num(value):
        return "" if value is None else round(value, 4) if isinstance(value, float) else value

    rows: list[tuple[str, str, str, object]] = []
    summary = {
        "window_start": figures.start.isoformat(),
        "window_end": figures.end.isoformat(),
        "batches": figures.batches,
        "documents": figures.documents,
        "completed": figures.completed,
        "failed": figures.failed,
        "cancelled": figures.cancelled,
        "success_rate": figures.success_rate,
        "median_ms": figures.median_ms,
        "p95_ms": figures.p95_ms,
        "pages_processed": figures.pages_processed,
        "reused": figures.reused,
        "reused_pages": figures.reused_pages,
        "corrected_fields": figures.corrected_fields,
        "corrected_share": figures.corrected_share,
        "period_start": figures.period.start.date().isoformat(),
        "period_end": figures.period.end.date().isoformat(),
        "period_pages_used": figures.period.pages_used,
        "period_pages_limit": figures.period.pages_limit,
    }
    rows += [("summary", "all", k, num(v)) for k, v in summary.items()]
    for day in figures.days:
        key = day.day.isoformat()
        rows += [
            ("daily", key, "batches", day.batches),
            ("daily", key, "documents", day.documents),
            ("daily", key, "pages", day.pages),
        ]
    for section, groups in (
        ("document_type", figures.by_type),
        ("prompt_strategy", figures.by_strategy),
    ):
        for g in groups:
            rows += [
                (section, g.key, "documents", g.documents),
                (section, g.key, "completed", g.completed),
                (section, g.key, "failed", g.failed),
                (section, g.key, "pages", g.pages),
                (section, g.key, "success_rate", num(g.success_rate)),
                (section, g.key, "median_ms", num(g.median_ms)),
            ]
    for document_type, field_name, corrected, total in figures.corrections:
        rows += [
            ("corrections", f"{document_type}.{field_name}", "corrected", corrected),
            ("corrections", f"{document_type}.{field_name}", "fields", total),
        ]
    for day, total in figures.period.cumulative:
        rows.append(("period", day.isoformat(), "pages_cumulative", total))
    return rows
