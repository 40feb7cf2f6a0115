"""Batch bookkeeping in SQL: counter bumps and finalization.

Counters move only with `SET completed_count = completed_count + 1` in the transaction that makes a
document terminal. A batch is final once every document is terminal: `states.final_batch_status`
gives the status; a batch the user cancelled keeps `cancelled` and only gets its completed_at.

Finalization locks the batch row (`SELECT ... FOR UPDATE`), counts the documents by status and
moves the batch with a conditional UPDATE, so two finishers (the last document job and the
periodic finalizer) cannot both finalize it, and a retry that reopens the batch meanwhile wins.
While holding the lock it also sets the counters to the counts of the rows, so a final batch always
shows numbers that add up.
"""

import functools
import logging
import uuid
from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.models import Batch, BatchStatus, Document, DocumentStatus, states
from app.models.types import utcnow
from app.notifications import outbox

log = logging.getLogger("ingestio.pipeline")

B, D = BatchStatus, DocumentStatus
COUNTERS = {
    D.COMPLETED: "completed_count",
    D.FAILED: "failed_count",
    D.CANCELLED: "cancelled_count",
}


def log_event(event: str, batch=None, document=None, level=logging.INFO, **fields) -> None:
    """One log line per event: `document.completed batch=<id> document=<id> pages=3 ms=120`."""
    parts = [event, f"batch={batch or '-'}"]
    if document is not None:
        parts.append(f"document={document}")
    parts += [f"{k}={v}" for k, v in fields.items()]
    log.log(
        level,
        " ".join(parts),
        extra={
            "event": event,
            "batch_id": str(batch) if batch else None,
            "document_id": str(document) if document else None,
        },
    )


def bump(batch_id, status: DocumentStatus, **more: int) -> bool:
    """Count one more terminal document (and add `more` to other counters) in SQL; True when
    the batch may now be final. Part of the caller's transaction."""
    if batch_id is None:
        return False
    params = {"p_batch": batch_id, "p_now": utcnow()}
    params.update({f"p_{name}": n for name, n in more.items()})
    row = db.session.execute(_bumping(D(status), tuple(sorted(more))), params).first()
    return row is not None and row[1] >= row[0]


@functools.cache
def _bumping(status: DocumentStatus, more: tuple[str, ...]):
    """The counter UPDATE for a document ending in `status`, built once."""
    table = Batch.__table__
    column = table.c[COUNTERS[status]]
    values = {
        column: column + 1,
        table.c.updated_at: sa.bindparam("p_now", type_=table.c.updated_at.type),
    }
    for name in more:
        values[table.c[name]] = table.c[name] + sa.bindparam(f"p_{name}", type_=sa.Integer)
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("p_batch", type_=table.c.id.type))
        .values(values)
        .returning(
            table.c.document_count,
            table.c.completed_count + table.c.failed_count + table.c.cancelled_count,
        )
    )


def finalize_batch(batch_id: uuid.UUID) -> BatchStatus | None:
    """Finalize one batch if every document is terminal; commits. The new status, or None."""
    try:
        status = _finalize_locked(batch_id)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return status


def _finalize_locked(batch_id: uuid.UUID) -> BatchStatus | None:
    batch = db.session.execute(
        sa.select(Batch.status, Batch.completed_at).where(Batch.id == batch_id).with_for_update()
    ).first()
    if batch is None or batch.status == B.PENDING_UPLOAD:
        return None
    if batch.status in states.BATCH_FINAL and (
        batch.status != B.CANCELLED or batch.completed_at is not None
    ):
        return None
    counts = Counter(
        {
            D(status): n
            for status, n in db.session.execute(
                sa.select(Document.status, sa.func.count())
                .where(Document.batch_id == batch_id)
                .group_by(Document.status)
            )
        }
    )
    total = sum(counts.values())
    final = states.final_batch_status(
        counts[D.COMPLETED], counts[D.FAILED], counts[D.CANCELLED], total
    )
    if final is None:
        return None
    now = utcnow()
    values = {
        "completed_count": counts[D.COMPLETED],
        "failed_count": counts[D.FAILED],
        "cancelled_count": counts[D.CANCELLED],
        "document_count": total,
        "completed_at": now,
        "updated_at": now,
    }
    stmt = sa.update(Batch).where(Batch.id == batch_id)
    if batch.status == B.CANCELLED:
        stmt = stmt.where(Batch.status == B.CANCELLED, Batch.completed_at.is_(None))
        final = B.CANCELLED
    else:
        sources = states.batch_sources(final, states.BATCH_ACTIVE)
        stmt = stmt.where(Batch.status.in_(sources))
        values["status"] = final
    moved = db.session.execute(
        stmt.values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return None
    outbox.batch_finished(batch_id)
    log_event(
        "batch.finalized",
        batch=batch_id,
        status=final,
        completed=counts[D.COMPLETED],
        failed=counts[D.FAILED],
        cancelled=counts[D.CANCELLED],
    )
    return final


def unfinalized_batches() -> list[uuid.UUID]:
    """Active batches (and cancelled ones without completed_at) whose documents are all terminal."""
    pending = sa.exists().where(
        Document.batch_id == Batch.id, Document.status.not_in(states.DOCUMENT_TERMINAL)
    )
    stmt = sa.select(Batch.id).where(
        sa.or_(
            Batch.status.in_(states.BATCH_ACTIVE),
            sa.and_(Batch.status == B.CANCELLED, Batch.completed_at.is_(None)),
        ),
        ~pending,
    )
    return list(db.session.scalars(stmt))


def finalize_pending() -> dict[uuid.UUID, BatchStatus]:
    """Finalize every batch the document jobs left unfinalized; what was finalized, by id."""
    done = {}
    ids = unfinalized_batches()
    db.session.commit()
    for batch_id in ids:
        status = finalize_batch(batch_id)
        if status is not None:
            done[batch_id] = status
    return done
