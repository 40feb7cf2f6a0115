"""The question thread job: answers the rows of one conversation in file order.

One job per thread (rows sharing a chat_id; a row without one is its own thread), so threads run
in parallel while each answer sees the earlier rows of its thread. For each row, in order:

    claim (queued → answering, one conditional UPDATE) → reserve one page of quota →
    answer → store (answering → completed, counters bumped in the same transaction)

Each move of a row is made by `app/services/questions/lifecycle.py`. A row that fails (quota,
provider error) is recorded as failed with its reservation released and the thread goes on. Safe
to run twice: a row is claimed by one run only, a completed row is never answered again, and a
run that finds a row held by another run stops, leaving it to that run (or to the sweeper when
that run's worker was lost). A late run whose row the sweeper took back meanwhile changes nothing
and gives back nothing: its row's moves are guarded by the attempt its claim counted.
"""

import logging
import time
import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ErrorCode,
    QuestionBatch,
    QuestionItem,
    QuestionStatus,
    User,
    states,
)
from app.services import quota
from app.services.questions import actions, lifecycle, retrieval, upkeep
from app.services.questions.answer import (
    AnswerError,
    Ask,
    TransientAnswerError,
    Turn,
)
from app.services.questions.providers import get_answerer
from app.services.questions.threads import thread_key_of
from jobs import in_app_context, limits
from jobs.outcomes import Stop  # an expected end: batch gone or cancelled, a row held elsewhere

log = logging.getLogger(__name__)

RETRY_DELAYS = (2, 8)
MAX_PASSES = 3


def thread_of(batch_id: uuid.UUID, head: str) -> str | None:
    """The thread key a job's handle (the id of the thread's first row) stands for.

    A handle that is no row id is taken as the thread key itself (jobs queued that way before
    jobs carried row ids only).
    """
    try:
        head_id = uuid.UUID(str(head))
    except ValueError:
        return str(head)
    return thread_key_of(batch_id, head_id)


@in_app_context
def answer_thread(question_batch_id: str, thread_head: str) -> dict:
    """Answer the waiting rows of one thread of a question batch, in file order.

    `thread_head` is the id of the thread's first row; the job's arguments hold no user text.
    """
    batch_id = uuid.UUID(str(question_batch_id))
    batch = db.session.get(QuestionBatch, batch_id)
    thread_key = thread_of(batch_id, thread_head) if batch is not None else None
    if batch is None or thread_key is None:
        log.info("question batch %s is gone; thread %s has nothing to do", batch_id, thread_head)
        return {"status": "gone"}
    user = db.session.get(User, batch.user_id)
    scope = actions.scope_of(batch)
    index_documents(batch_id, thread_key, scope)
    answerer = get_answerer()
    answered = 0
    outcome = "done"
    try:
        for _ in range(MAX_PASSES):
            done, waiting = run_pass(batch_id, thread_key, user, scope, answerer)
            answered += done
            if not waiting:
                break
    except Stop as stop:
        db.session.rollback()
        outcome = str(stop)
    upkeep.finalize_question_batch(batch_id)
    db.session.commit()
    log.info(
        "question batch %s thread %s: %d row(s) answered (%s)",
        batch_id,
        thread_head,
        answered,
        outcome,
    )
    return {"status": outcome, "answered": answered}


def index_documents(batch_id: uuid.UUID, thread_key: str | None, scope: retrieval.Scope) -> int:
    """Store the page text of the documents a thread (or the whole batch) may search."""
    documents = actions.unindexed_for(batch_id, scope, thread_key)
    for document in documents:
        retrieval.index_document(document)
        db.session.commit()
    return len(documents)


@in_app_context
def index_scope(question_batch_id: str) -> dict:
    """Index every document a new batch may search, once, before its threads start."""
    batch_id = uuid.UUID(str(question_batch_id))
    batch = db.session.get(QuestionBatch, batch_id)
    if batch is None:
        return {"status": "gone"}
    indexed = index_documents(batch_id, None, actions.scope_of(batch))
    log.info("question batch %s: %d document(s) indexed for search", batch_id, indexed)
    return {"status": "done", "indexed": indexed}


def turn_of(item: QuestionItem) -> Turn:
    """An answered row as history for the rows after it."""
    return Turn(item.question, item.answer, list(item.sources or []), dict(item.context or {}))


def batch_active(batch_id: uuid.UUID) -> bool:
    """True while the batch exists and is queued or running."""
    status = db.session.scalar(sa.select(QuestionBatch.status).where(QuestionBatch.id == batch_id))
    return status in states.BATCH_ACTIVE


def run_pass(batch_id, thread_key, user, scope, answerer) -> tuple[int, bool]:
    """Answer the thread's waiting rows in order; (rows answered, rows still waiting)."""
    items = list(
        db.session.scalars(
            sa.select(QuestionItem)
            .where(
                QuestionItem.question_batch_id == batch_id, QuestionItem.thread_key == thread_key
            )
            .order_by(QuestionItem.row_number)
        )
    )
    history: list[Turn] = []
    answered = 0
    for item in items:
        status = QuestionStatus(item.status)
        if status == QuestionStatus.COMPLETED:
            history.append(turn_of(item))
            continue
        if status in (QuestionStatus.FAILED, QuestionStatus.CANCELLED):
            continue
        if status == QuestionStatus.ANSWERING:
            raise Stop("held by another run")
        if not batch_active(batch_id):
            raise Stop("batch not running")
        attempt = lifecycle.claim(item.id, batch_id)
        if attempt is None:
            raise Stop("claimed by another run")
        usage_id = quota.reserve(user, 1)
        if usage_id is None:
            lifecycle.fail(
                item.id,
                batch_id,
                attempt,
                ErrorCode.QUOTA_EXCEEDED.value,
                "No pages are left this period: each question uses one page.",
            )
            db.session.commit()
            continue
        db.session.execute(
            sa.update(QuestionItem)
            .where(QuestionItem.id == item.id)
            .values(usage_id=usage_id, reserved_pages=1)
        )
        db.session.commit()
        ask = Ask(
            question=item.question,
            scope=scope,
            document_ids=tuple(uuid.UUID(i) for i in item.document_ids)
            if item.document_ids is not None
            else None,
        )
        try:
            answer = answer_with_retries(answerer, ask, history)
        except AnswerError as exc:
            db.session.rollback()
            lifecycle.fail(item.id, batch_id, attempt, exc.code, exc.message, held=(usage_id, 1))
            db.session.commit()
            continue
        except (Exception, limits.CpuLimitExceeded) as exc:  # noqa: BLE001 - one row only
            db.session.rollback()
            log.exception("question item %s of batch %s failed", item.id, batch_id)
            code = ErrorCode.EXTRACTION_FAILED.value
            message = f"The question could not be answered ({type(exc).__name__})."
            if cause := limits.cause_of(exc):
                code, message = ErrorCode.TOO_COMPLEX.value, limits.message(cause)
            lifecycle.fail(item.id, batch_id, attempt, code, message, held=(usage_id, 1))
            db.session.commit()
            if cause == limits.CPU:
                raise  # this job's CPU time is spent: the thread's other rows wait for a new one
            continue
        context = {**answer.context, "provider": answer.context.get("provider", answerer.name)}
        # Swept or deleted meanwhile: whoever took the row over gave its page back.
        if lifecycle.complete(item.id, batch_id, attempt, answer.text, answer.sources, context):
            answered += 1
            history.append(Turn(item.question, answer.text, answer.sources, context))
        db.session.commit()
    waiting = db.session.scalar(
        sa.select(sa.func.count(QuestionItem.id)).where(
            QuestionItem.question_batch_id == batch_id,
            QuestionItem.thread_key == thread_key,
            QuestionItem.status == QuestionStatus.QUEUED,
        )
    )
    return answered, bool(waiting)


def answer_with_retries(answerer, ask: Ask, history: list[Turn]):
    """Ask the provider, trying again after transient errors before giving up."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return answerer.answer(ask, history)
        except TransientAnswerError:
            if delay is None:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")
