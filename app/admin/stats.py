"""Database figures for the admin overview, and the audit log query."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Batch, BatchStatus, Document, DocumentStatus, User

IN_FLIGHT = (BatchStatus.PENDING_UPLOAD, BatchStatus.QUEUED, BatchStatus.PROCESSING)


@dataclass
class AuditFilter:
    """The audit log filters of /admin/audit (each optional)."""

    user: str = ""
    batch: str = ""
    action: str = ""


def documents_per_status() -> dict[str, int]:
    """Number of documents in each status (every status listed, zero included)."""
    rows = db.session.execute(
        sa.select(Document.status, sa.func.count()).group_by(Document.status)
    ).all()
    counts = {status.value: 0 for status in DocumentStatus}
    for status, n in rows:
        counts[str(status)] = n
    return counts


def batches_in_flight(limit: int = 10) -> tuple[int, list[Batch]]:
    """How many batches are not final yet, and the oldest of them."""
    where = Batch.status.in_(IN_FLIGHT)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Batch).where(where))
    oldest = db.session.scalars(
        sa.select(Batch).where(where).order_by(Batch.created_at).limit(limit)
    ).all()
    return int(total or 0), list(oldest)


def oldest_waiting_document() -> Document | None:
    """The document that has waited longest for a worker (status uploaded)."""
    return db.session.scalar(
        sa.select(Document)
        .where(Document.status == DocumentStatus.UPLOADED)
        .order_by(Document.created_at)
        .limit(1)
    )


def start_of_day(now: datetime) -> datetime:
    """Midnight UTC of the day that contains now."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def pages_processed_today(now: datetime | None = None) -> tuple[int, int]:
    """Pages and documents completed since midnight UTC."""
    since = start_of_day(now or datetime.now(UTC))
    pages, docs = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Document.page_count), 0), sa.func.count()).where(
            Document.status == DocumentStatus.COMPLETED, Document.completed_at >= since
        )
    ).one()
    return int(pages), int(docs)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


def audit_query(filters: AuditFilter) -> tuple[sa.Select | None, list[str]]:
    """The audit events matching the filters (newest first), or None and the problems found."""
    stmt = sa.select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.user_id)
    problems = []
    if filters.user.strip():
        value = filters.user.strip()
        user_id = _uuid(value)
        if user_id is not None:
            stmt = stmt.where(AuditEvent.user_id == user_id)
        else:
            stmt = stmt.where(sa.func.lower(User.email) == value.lower())
    if filters.batch.strip():
        batch_id = _uuid(filters.batch)
        if batch_id is None:
            problems.append("The batch filter must be a batch id (a UUID).")
        else:
            stmt = stmt.where(AuditEvent.batch_id == batch_id)
    if filters.action.strip():
        stmt = stmt.where(AuditEvent.action == filters.action.strip())
    if problems:
        return None, problems
    return stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id), []


@dataclass
class AuditPage:
    """One page of the audit log: rows of (event, user email)."""

    rows: list
    total: int
    page: int
    pages: int
    problems: list[str]


def audit_page(filters: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """One page of audit events matching the filters, newest first."""
    stmt, problems = audit_query(filters)
    if stmt is None:
        return AuditPage([], 0, 1, 1, problems)
    total = int(db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return AuditPage([(event, email) for event, email in rows], total, page, pages, [])


def known_actions() -> list[str]:
    """Every action name seen in the audit log plus the standard ones, sorted."""
    from app.models import AuditAction

    seen = db.session.scalars(sa.select(AuditEvent.action).distinct()).all()
    return sorted({a.value for a in AuditAction} | set(seen))
