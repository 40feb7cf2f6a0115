"""The event outbox: events written in the caller's transaction, delivered after its commit.

`emit` adds the event and one send per recipient to the session; nothing is sent then. When the
session commits, the sends' delivery jobs are enqueued (`after_commit`); a rollback forgets them.
A process that dies between the commit and the enqueue, or a Redis that is down then, leaves the
sends `pending`: `sweep` enqueues every pending send whose time has come and which has no live job.
"""

import logging
import uuid
from contextvars import ContextVar
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from app.extensions import db, get_queue, get_redis
from app.models import (
    Batch,
    Document,
    NotificationEvent,
    NotificationSend,
    NotificationSetting,
    QuestionBatch,
    WebhookEndpoint,
    states,
)
from app.models.types import utcnow
from app.services import queueing

log = logging.getLogger("ingestio.notifications")

BATCH_FINISHED = "batch.finished"
DOCUMENT_FAILED = "document.failed"
QUESTION_BATCH_FINISHED = "question_batch.finished"
PING = "ping"
EVENT_TYPES = (BATCH_FINISHED, DOCUMENT_FAILED, QUESTION_BATCH_FINISHED)
QUEUE = "default"
PENDING, DELIVERED, FAILED, DROPPED = "pending", "delivered", "failed", "dropped"
WEBHOOK, EMAIL = "webhook", "email"
_SESSION_KEY = "ingestio_notification_sends"


def job_id(send_id) -> str:
    """The fixed RQ job id of a send, so a send has at most one job at a time."""
    return f"notify-{send_id}"


# The address the current request came to (scheme and host), set by the web app at the start of
# each request (app/request_guard.py); None in workers and commands.
request_site: ContextVar[str | None] = ContextVar("request_site", default=None)


def site_url(user_id=None) -> str:
    """The base of links: BASE_URL, else the request's host, else where the user last was."""
    base = current_app.config.get("BASE_URL") or ""
    if base:
        return base
    if here := request_site.get():
        return here
    if user_id is not None:
        stored = db.session.get(NotificationSetting, user_id)
        if stored is not None and stored.site_url:
            return stored.site_url
    return ""


def remember_site_url(user_id) -> NotificationSetting:
    """Keep the address this request came to, for links sent later from the workers."""
    setting = db.session.get(NotificationSetting, user_id)
    if setting is None:
        setting = NotificationSetting(user_id=user_id, batch_email=False)
        db.session.add(setting)
    if here := request_site.get():
        setting.site_url = here[:255]
    return setting


def mail_configured() -> bool:
    """True when MAIL_URL is set."""
    return bool(current_app.config.get("MAIL_URL"))


def emit(user_id, type_: str, data: dict, endpoint_ids=None) -> uuid.UUID | None:
    """Write an event and its sends in the current transaction; its id, or None without recipients.

    Recipients: the user's enabled endpoints subscribed to the type (or `endpoint_ids` only), and
    e-mail for a finished batch when the user asked for it and mail is configured.
    """
    stmt = sa.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.user_id == user_id, WebhookEndpoint.enabled.is_(True)
    )
    if endpoint_ids is not None:
        stmt = stmt.where(WebhookEndpoint.id.in_(list(endpoint_ids)))
    endpoints = [
        row.id
        for row in db.session.execute(stmt)
        if endpoint_ids is not None or type_ in (row.events or [])
    ]
    email = False
    if type_ == BATCH_FINISHED and mail_configured():
        email = bool(
            db.session.scalar(
                sa.select(NotificationSetting.batch_email).where(
                    NotificationSetting.user_id == user_id
                )
            )
        )
    if not endpoints and not email:
        return None
    now = utcnow()
    event = NotificationEvent(id=uuid.uuid4(), user_id=user_id, type=type_, data=data)
    event.created_at = now
    sends = [
        NotificationSend(id=uuid.uuid4(), event_id=event.id, endpoint_id=e, channel=WEBHOOK)
        for e in endpoints
    ]
    if email:
        sends.append(NotificationSend(id=uuid.uuid4(), event_id=event.id, channel=EMAIL))
    for send in sends:
        send.status, send.attempts, send.next_attempt_at = PENDING, 0, now
    session = db.session()
    session.add(event)
    session.add_all(sends)
    session.info.setdefault(_SESSION_KEY, []).extend(s.id for s in sends)
    log.info("notification.event type=%s event=%s recipients=%d", type_, event.id, len(sends))
    return event.id


# -- the events themselves ---------------------------------------------------------------------


def batch_finished(batch_id) -> uuid.UUID | None:
    """`batch.finished`: the batch's status JSON without documents, plus its status URL."""
    from app.services.serializers import batch_json

    batch = db.session.get(Batch, batch_id, populate_existing=True)
    if batch is None:
        return None
    data = batch_json(batch)
    data["url"] = f"{site_url(batch.user_id)}/api/v1/batches/{batch.id}"
    return emit(batch.user_id, BATCH_FINISHED, data)


def document_failed(document_id) -> uuid.UUID | None:
    """`document.failed`: the document's id, batch, file name, status and error."""
    from app.services.serializers import document_summary

    doc = db.session.get(Document, document_id, populate_existing=True)
    if doc is None:
        return None
    data = document_summary(doc)
    data["batch_id"] = str(doc.batch_id) if doc.batch_id else None
    data["url"] = f"{site_url(doc.user_id)}/api/v1/documents/{doc.id}"
    return emit(doc.user_id, DOCUMENT_FAILED, data)


def question_batch_finished(batch: QuestionBatch) -> uuid.UUID | None:
    """`question_batch.finished`: the question batch's status JSON without items."""
    from app.services.questions.actions import status_json

    data = status_json(batch)
    data["url"] = f"{site_url(batch.user_id)}/api/v1/question-batches/{batch.id}"
    return emit(batch.user_id, QUESTION_BATCH_FINISHED, data)


_FINISHED_KEY = "ingestio_question_batches_finished"


@sa.event.listens_for(QuestionBatch.status, "set")
def _question_batch_status_set(target, value, oldvalue, _initiator) -> None:
    """A question batch moving into a final status is announced when the change is flushed."""
    session = sa.orm.object_session(target)
    if session is None or value not in states.BATCH_FINAL or oldvalue in states.BATCH_FINAL:
        return
    session.info.setdefault(_FINISHED_KEY, []).append(target)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _announce_finished_question_batches(session, _context, _instances) -> None:
    for batch in session.info.pop(_FINISHED_KEY, []):
        if batch.status in states.BATCH_FINAL:
            question_batch_finished(batch)


# -- enqueueing after the commit -----------------------------------------------------------------


def retry_policy() -> Retry | None:
    """RQ's retries of a delivery job: WEBHOOK_MAX_ATTEMPTS in all, WEBHOOK_RETRY_DELAYS apart."""
    attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    if attempts <= 1:
        return None
    delays = list(current_app.config["WEBHOOK_RETRY_DELAYS"]) or [0]
    return Retry(max=attempts - 1, interval=delays)


def enqueue(send_ids) -> int:
    """Enqueue the delivery job of each send; how many were enqueued (Redis errors are logged)."""
    done = 0
    queue = get_queue(QUEUE)
    for send_id in send_ids:
        try:
            queue.enqueue(
                "jobs.notifications.deliver",
                str(send_id),
                job_id=job_id(send_id),
                retry=retry_policy(),
                description=f"notification send {send_id}",
                failure_ttl=7 * 24 * 3600,
            )
            done += 1
        except Exception:  # noqa: BLE001 - the sweeper enqueues it later
            log.warning("notification.enqueue_failed send=%s", send_id, exc_info=True)
    return done


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _enqueue_after_commit(session) -> None:
    send_ids = session.info.pop(_SESSION_KEY, None)
    if send_ids and has_app_context():
        enqueue(send_ids)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(_SESSION_KEY, None)
    session.info.pop(_FINISHED_KEY, None)


# -- the sweeper's part -------------------------------------------------------------------------


def sweep() -> int:
    """Enqueue pending sends that are due and have no live job (lost after commit); how many."""
    grace = timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    due = list(
        db.session.scalars(
            sa.select(NotificationSend.id)
            .where(
                NotificationSend.status == PENDING,
                NotificationSend.next_attempt_at <= utcnow() - grace,
            )
            .order_by(NotificationSend.next_attempt_at)
            .limit(1000)
        )
    )
    db.session.commit()
    connection, workers, lost = get_redis(), {}, []
    for send_id in due:
        try:
            job = Job.fetch(job_id(send_id), connection=connection)
        except NoSuchJobError:
            job = None
        if queueing.job_is_live(job, workers):
            continue
        if job is not None:
            job.delete()
        lost.append(send_id)
    return enqueue(lost)
