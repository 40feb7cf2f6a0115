"""Reads of batches and documents for the pages, the API and exports, always scoped to an owner.

Every lookup takes the owner's id: another user's id finds nothing, exactly like an unknown id
(invariant 6 in docs/states.md). The status reads are built to cost the same number of queries whatever the size
of the batch: one query for the batch and its change tag, one for its documents.
"""

import hashlib
import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ApiToken,
    AuditEvent,
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ExtractionJob,
    ExtractionResult,
    UserSession,
)
from app.services import reads

# Bumped when the status JSON changes shape, so clients holding an old tag get the new shape.
TAG_VERSION = "3"
# What the status JSON is made of: the batch's own fields and a summary of its documents' changes.
TAG_FIELDS = (
    "id",
    "name",
    "description",
    "prompt_strategy",
    "extraction_prompt",
    "status",
    "updated_at",
    "completed_at",
    "document_count",
    "completed_count",
    "failed_count",
    "cancelled_count",
    "reused_count",
    "needs_review_count",
    "total_pages",
    "tag_rows",
    "tag_last_change",
    "tag_change_sum",
)

SORTS = ("newest", "oldest", "name", "status")
DEFAULT_SORT = "newest"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
EXPORT_CHUNK = 200


@dataclass(frozen=True)
class BatchPage:
    """One page of a user's batches."""

    items: list[Batch]
    page: int
    pages: int
    per_page: int
    total: int


def as_uuid(value) -> uuid.UUID | None:
    """A UUID from a UUID or its text; None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def owned_batch(owner_id: uuid.UUID | None, batch_id, model=Batch):
    """The batch with this id if it belongs to the owner (any owner when owner_id is None).

    `model` is the kind of batch: Batch, or QuestionBatch.
    """
    batch_id = as_uuid(batch_id)
    if batch_id is None:
        return None
    stmt = sa.select(model).where(model.id == batch_id)
    if owner_id is not None:
        stmt = stmt.where(model.user_id == owner_id)
    return db.session.scalar(stmt)


def owned_document(owner_id: uuid.UUID | None, document_id) -> Document | None:
    """The document with this id if it belongs to the owner (any owner when owner_id is None)."""
    document_id = as_uuid(document_id)
    if document_id is None:
        return None
    stmt = sa.select(Document).where(Document.id == document_id)
    if owner_id is not None:
        stmt = stmt.where(Document.user_id == owner_id)
    return db.session.scalar(stmt)


def status_tag(values) -> str:
    """The ETag of a batch's status JSON, from the fields that make it up."""
    digest = hashlib.sha1(
        "|".join([TAG_VERSION, *(str(v) for v in values)]).encode(), usedforsecurity=False
    )
    return f'"{digest.hexdigest()[:24]}"'


def _change_sum(dialect: str):
    """The sum of the documents' updated_at as numbers.

    Every write to a document row sets a new updated_at, so the sum moves with any change, even
    one stamped earlier than the latest (a worker whose transaction began first but committed
    last, or a clock a little behind), which a max() alone would miss.
    """
    if dialect == "sqlite":
        return sa.func.sum(sa.func.julianday(Document.updated_at))
    return sa.func.sum(sa.extract("epoch", Document.updated_at))


@dataclass(frozen=True)
class StatusProbe:
    """A batch's row (its columns by name), its owner and the tag of its status JSON."""

    values: dict
    etag: str

    @property
    def batch_id(self) -> uuid.UUID:
        return self.values["id"]

    @property
    def owner_id(self) -> uuid.UUID:
        return self.values["user_id"]

    def batch(self) -> Batch:
        """The batch as a detached object built from the row (for rendering, not for writes)."""
        return Batch(**self.values)


_PROBES: dict[tuple[str, str], sa.Select] = {}


def _probe_statement(dialect: str, scope: str) -> sa.Select:
    """The probe SELECT for one way of proving ownership, built once per process."""
    stmt = _PROBES.get((dialect, scope))
    if stmt is None:
        # Document changes (a claim, a detected type) need not touch the batch row, so the tag
        # also covers the documents: their number, latest change and the sum of their changes.
        stmt = (
            sa.select(
                *Batch.__table__.c,
                sa.func.count(Document.id).label("tag_rows"),
                sa.func.max(Document.updated_at).label("tag_last_change"),
                _change_sum(dialect).label("tag_change_sum"),
            )
            .outerjoin(Document, Document.batch_id == Batch.id)
            .where(Batch.id == sa.bindparam("batch_id"))
            .group_by(Batch.id)
        )
        if scope == "owner":
            stmt = stmt.where(Batch.user_id == sa.bindparam("owner_id"))
        elif scope == "token":
            # A token proves ownership when it is live and belongs to the batch's owner.
            stmt = stmt.join(
                ApiToken,
                sa.and_(
                    ApiToken.user_id == Batch.user_id,
                    ApiToken.token_hash == sa.bindparam("token_hash"),
                    ApiToken.revoked_at.is_(None),
                ),
            )
        elif scope == "session":
            # A login proves ownership while its row exists and belongs to the batch's owner.
            stmt = stmt.join(
                UserSession,
                sa.and_(
                    UserSession.user_id == Batch.user_id,
                    UserSession.id == sa.bindparam("session_hash"),
                ),
            ).where(Batch.user_id == sa.bindparam("owner_id"))
        _PROBES[(dialect, scope)] = stmt
    return stmt


def status_probe(
    batch_id,
    *,
    owner_id: uuid.UUID | None = None,
    token_hash: str | None = None,
    session_hash: str | None = None,
    any_owner=False,
) -> StatusProbe | None:
    """A batch and its status tag in one autocommit SELECT, scoped to its owner; None if not found.

    Ownership is proven by the owner's id (with the stored id of a live login, for a session) or
    by the hash of one of the owner's live API tokens, inside the same statement: a status poll
    costs one round trip to the database, whatever the batch size. `any_owner` drops the scope
    (internal reads only).
    """
    batch_id = as_uuid(batch_id)
    if batch_id is None:
        return None
    if token_hash is not None:
        scope, params = "token", {"batch_id": batch_id, "token_hash": token_hash}
    elif owner_id is not None and session_hash is not None:
        params = {"batch_id": batch_id, "owner_id": owner_id, "session_hash": session_hash}
        scope = "session"
    elif owner_id is not None:
        scope, params = "owner", {"batch_id": batch_id, "owner_id": owner_id}
    elif any_owner:
        scope, params = "any", {"batch_id": batch_id}
    else:
        return None
    stmt = _probe_statement(db.engine.dialect.name, scope)
    row = reads.first_row(stmt, params)
    if row is None:
        return None
    data = row._asdict()
    tag_parts = [data[name] for name in TAG_FIELDS]
    values = {c.key: data[c.key] for c in Batch.__table__.c}
    return StatusProbe(values, status_tag(tag_parts))


# The columns of the status JSON's documents: plain rows, no ORM objects to build per document.
SUMMARY_COLUMNS = (
    Document.id,
    Document.original_filename,
    Document.status,
    Document.page_count,
    Document.document_type,
    Document.extraction_prompt,
    Document.error_code,
    Document.error_message,
    Document.needs_review,
)


def batch_documents(batch_id: uuid.UUID) -> list:
    """The documents of a batch in one SELECT, in upload order, as rows with summary columns."""
    stmt = (
        sa.select(*SUMMARY_COLUMNS)
        .where(Document.batch_id == batch_id)
        .order_by(Document.created_at, Document.original_filename, Document.id)
    )
    return list(db.session.execute(stmt))


def next_needing_review(batch_id: uuid.UUID, after: Document | None = None) -> Document | None:
    """The batch's next document that needs review in upload order (after `after`, wrapping)."""
    order = (Document.created_at, Document.original_filename, Document.id)
    base = sa.select(Document).where(
        Document.batch_id == batch_id,
        Document.needs_review.is_(True),
        Document.status == DocumentStatus.COMPLETED,
    )
    if after is not None:
        base = base.where(Document.id != after.id)
        later = base.where(
            sa.tuple_(*order) > sa.tuple_(after.created_at, after.original_filename, after.id)
        )
        found = db.session.scalars(later.order_by(*order).limit(1)).first()
        if found is not None:
            return found
    return db.session.scalars(base.order_by(*order).limit(1)).first()


def document_result(document: Document) -> dict | None:
    """The stored result JSON of a completed document, else None."""
    if document.status != DocumentStatus.COMPLETED:
        return None
    return db.session.scalar(
        sa.select(ExtractionResult.data).where(ExtractionResult.document_id == document.id)
    )


def document_attempts(document_id: uuid.UUID) -> list[ExtractionJob]:
    """The processing attempts of a document, oldest first."""
    stmt = (
        sa.select(ExtractionJob)
        .where(ExtractionJob.document_id == document_id)
        .order_by(ExtractionJob.attempt, ExtractionJob.started_at)
    )
    return list(db.session.scalars(stmt))


def batch_history(batch_id: uuid.UUID, limit: int = 200) -> list[AuditEvent]:
    """The audit events of a batch, oldest first."""
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.batch_id == batch_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def sort_order(model, sort: str) -> tuple:
    """The ORDER BY of a list of batches (or question batches); unknown sorts are newest first."""
    orders = {
        "newest": (model.created_at.desc(), model.id.desc()),
        "oldest": (model.created_at.asc(), model.id.asc()),
        "name": (sa.func.lower(model.name).asc(), model.created_at.desc()),
        "status": (model.status.asc(), model.created_at.desc()),
    }
    return orders.get(sort, orders[DEFAULT_SORT])


def parse_status(value: str | None) -> BatchStatus | None:
    """A batch status filter; None for empty; ValueError for an unknown status."""
    if value in (None, ""):
        return None
    return BatchStatus(value)


def list_batches(
    owner_id: uuid.UUID,
    status: BatchStatus | None = None,
    q: str | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    needs_review: bool = False,
    model=Batch,
) -> BatchPage:
    """A page of the owner's batches, filtered by status, name and review, sorted.

    `model` is the kind of batch listed: Batch, or QuestionBatch (which has no review).
    """
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    where = [model.user_id == owner_id]
    if needs_review:
        where.append(model.needs_review_count > 0)
    if status is not None:
        where.append(model.status == status)
    if q and q.strip():
        pattern = "%" + escape_like(q.strip()) + "%"
        where.append(model.name.ilike(pattern, escape="\\"))
    total = db.session.scalar(sa.select(sa.func.count(model.id)).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page), pages))
    stmt = (
        sa.select(model)
        .where(*where)
        .order_by(*sort_order(model, sort))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return BatchPage(list(db.session.scalars(stmt)), page, pages, per_page, total)


@dataclass(frozen=True)
class SingleDocumentPage:
    """One page of a user's single uploads (documents without a batch)."""

    items: list[Document]
    page: int
    pages: int
    per_page: int
    total: int


def list_single_documents(
    owner_id: uuid.UUID, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> SingleDocumentPage:
    """A page of the owner's single uploads, newest first; documents of a batch are left out."""
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    where = [Document.user_id == owner_id, Document.batch_id.is_(None)]
    total = db.session.scalar(sa.select(sa.func.count(Document.id)).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page), pages))
    stmt = (
        sa.select(Document)
        .where(*where)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return SingleDocumentPage(list(db.session.scalars(stmt)), page, pages, per_page, total)


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so a search matches them literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def owned_batches(owner_id: uuid.UUID, ids) -> list[Batch]:
    """The owner's batches among these ids (unknown and foreign ids are skipped), newest first."""
    wanted = [u for u in (as_uuid(i) for i in ids) if u is not None]
    if not wanted:
        return []
    stmt = (
        sa.select(Batch)
        .where(Batch.user_id == owner_id, Batch.id.in_(wanted))
        .order_by(Batch.created_at.desc())
    )
    return list(db.session.scalars(stmt))


def document_export_select(batch_id: uuid.UUID) -> sa.Select:
    """The documents of a batch with their results, in upload order, for exports."""
    return (
        sa.select(
            Document.id,
            Document.original_filename,
            Document.status,
            Document.document_type,
            Document.page_count,
            Document.error_code,
            Document.error_message,
            ExtractionResult.data,
        )
        .outerjoin(ExtractionResult, ExtractionResult.document_id == Document.id)
        .where(Document.batch_id == batch_id)
        .order_by(Document.created_at, Document.original_filename, Document.id)
    )


def document_export_row(row) -> dict:
    """A document's export row."""
    result = row.data if isinstance(row.data, dict) else {}
    return {
        "id": str(row.id),
        "filename": row.original_filename,
        "status": str(row.status),
        "document_type": row.document_type or result.get("document_type"),
        "page_count": row.page_count,
        "error_code": str(row.error_code) if row.error_code else None,
        "error_message": row.error_message,
        "data": result.get("data"),
        "line_items": result.get("line_items"),
    }


def export_rows(
    batch_id: uuid.UUID,
    select: Callable[[uuid.UUID], sa.Select] = document_export_select,
    row: Callable[[Any], dict] = document_export_row,
) -> Iterator[dict]:
    """The export rows of a batch, streamed from the database in chunks.

    A document batch by default; `select` and `row` give another kind's rows (question batches:
    their questions and answers).
    """
    stmt = select(batch_id).execution_options(yield_per=EXPORT_CHUNK)
    for found in db.session.execute(stmt):
        yield row(found)
