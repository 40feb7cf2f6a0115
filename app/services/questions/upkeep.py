"""Question batches' upkeep: the finalizer and the sweeper, run by the periodic job.

The sweeper finds the rows whose worker was lost; `lifecycle.py` moves them.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import (
    BatchStatus,
    ErrorCode,
    QuestionBatch,
    QuestionItem,
    QuestionStatus,
    states,
)
from app.models.types import utcnow
from app.services.questions import lifecycle
from app.services.questions.actions import enqueue_threads

log = logging.getLogger(__name__)


def finalize_question_batch(batch_id: uuid.UUID) -> BatchStatus | None:
    """Recount a running batch's rows and finish it once every row is terminal (caller commits)."""
    stmt = sa.select(QuestionBatch).where(QuestionBatch.id == batch_id)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    batch = db.session.scalar(stmt)
    if batch is None or batch.status not in states.BATCH_ACTIVE:
        return None
    counts = dict(
        db.session.execute(
            sa.select(QuestionItem.status, sa.func.count(QuestionItem.id))
            .where(QuestionItem.question_batch_id == batch_id)
            .group_by(QuestionItem.status)
        ).all()
    )
    completed = counts.get(QuestionStatus.COMPLETED, 0)
    failed = counts.get(QuestionStatus.FAILED, 0)
    cancelled = counts.get(QuestionStatus.CANCELLED, 0)
    total = sum(counts.values())
    if (batch.completed_count, batch.failed_count, batch.cancelled_count, batch.item_count) != (
        completed,
        failed,
        cancelled,
        total,
    ):
        batch.completed_count, batch.failed_count = completed, failed
        batch.cancelled_count, batch.item_count = cancelled, total
        batch.updated_at = utcnow()
    final = states.final_batch_status(completed, failed, cancelled, total)
    if final is not None:
        batch.transition(final)
        log.info("question batch %s finished: %s", batch_id, final)
    return final


def finalize_question_batches() -> int:
    """Finish every running question batch whose rows are all terminal; how many finished.

    Called by the periodic finalizer job; commits each batch on its own.
    """
    ids = list(
        db.session.scalars(
            sa.select(QuestionBatch.id).where(QuestionBatch.status.in_(states.BATCH_ACTIVE))
        )
    )
    done = 0
    for batch_id in ids:
        try:
            if finalize_question_batch(batch_id) is not None:
                done += 1
            db.session.commit()
        except Exception:  # noqa: BLE001 - one bad batch must not stop the others
            db.session.rollback()
            log.exception("question batch %s: finalize failed", batch_id)
    return done


def sweep_question_items(now=None) -> dict:
    """Free rows whose worker was lost and re-enqueue threads whose job went missing.

    A row ``answering`` for longer than JOB_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS goes back to
    ``queued`` (its reserved page released), or fails with ``worker_lost`` after MAX_ATTEMPTS.
    Threads of running batches with ``queued`` rows older than the grace period are enqueued
    again unless their job is still waiting. Called by the periodic sweeper job; commits.
    """
    conf = current_app.config
    now = now or utcnow()
    grace = timedelta(seconds=int(conf["SWEEP_GRACE_SECONDS"]))
    stuck_before = now - timedelta(seconds=int(conf["JOB_TIMEOUT_SECONDS"])) - grace
    max_attempts = int(conf["MAX_ATTEMPTS"])
    requeued = failed = 0
    stuck = db.session.execute(
        sa.select(
            QuestionItem.id,
            QuestionItem.attempts,
            QuestionItem.usage_id,
            QuestionItem.reserved_pages,
            QuestionItem.question_batch_id,
        ).where(
            QuestionItem.status == QuestionStatus.ANSWERING,
            sa.func.coalesce(QuestionItem.started_at, QuestionItem.updated_at) < stuck_before,
        )
    ).all()
    for row in stuck:
        held = (row.usage_id, row.reserved_pages)
        if row.attempts >= max_attempts:
            message = "The worker answering this question was lost; retry the batch."
            code = ErrorCode.WORKER_LOST.value
            failed += lifecycle.fail(
                row.id, row.question_batch_id, row.attempts, code, message, now=now, held=held
            )
        else:
            requeued += lifecycle.requeue(row.id, row.attempts, now=now, held=held)
        db.session.commit()
    waiting = db.session.execute(
        sa.select(QuestionItem.question_batch_id, QuestionItem.thread_key, sa.func.count())
        .join(QuestionBatch, QuestionBatch.id == QuestionItem.question_batch_id)
        .where(
            QuestionBatch.status.in_(states.BATCH_ACTIVE),
            QuestionItem.status == QuestionStatus.QUEUED,
            QuestionItem.updated_at <= now - grace,
        )
        .group_by(QuestionItem.question_batch_id, QuestionItem.thread_key)
    ).all()
    by_batch: dict[uuid.UUID, dict[str, int]] = {}
    for batch_id, key, count in waiting:
        by_batch.setdefault(batch_id, {})[key] = count
    enqueued = sum(enqueue_threads(batch_id, threads) for batch_id, threads in by_batch.items())
    finalized = finalize_question_batches()
    return {"requeued": requeued, "failed": failed, "enqueued": enqueued, "finalized": finalized}
