"""Delivering one send: a signed POST to an endpoint, or an e-mail; one attempt per call.

An attempt claims the send (a conditional UPDATE on its status and attempt count), makes the
request outside any transaction, then records the attempt and the send's new state. A failure
that may still succeed raises `RetryLater`, so that RQ runs the job again after the next delay;
the attempt count in the database, not RQ's, decides when to give up.
"""

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import NotificationEvent, NotificationSend, WebhookDelivery, WebhookEndpoint
from app.models.types import utcnow
from app.notifications import addresses, endpoints, mail, outbox
from app.services.serializers import iso

log = logging.getLogger("ingestio.notifications")

# How long a claimed send is left alone by the sweeper (beyond the request's own timeout).
CLAIM_MARGIN_SECONDS = 120


class RetryLater(Exception):
    """This attempt failed; RQ retries the job after its next delay."""


def event_body(event: NotificationEvent) -> bytes:
    """The JSON body receivers get."""
    payload = {
        "id": str(event.id),
        "type": event.type,
        "created_at": iso(event.created_at),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The IngestIO-Signature header: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def retry_delay(attempt: int) -> int:
    """Seconds to wait after the given attempt failed."""
    delays = current_app.config["WEBHOOK_RETRY_DELAYS"] or [0]
    return delays[min(attempt, len(delays)) - 1]


def _claim(send_id: uuid.UUID) -> int | None:
    """Take the next attempt of a pending send; its number, or None when there is nothing to do."""
    seen = db.session.execute(
        sa.select(NotificationSend.attempts).where(
            NotificationSend.id == send_id, NotificationSend.status == outbox.PENDING
        )
    ).scalar()
    if seen is None:
        db.session.rollback()
        return None
    hold = current_app.config["WEBHOOK_TIMEOUT_SECONDS"] + CLAIM_MARGIN_SECONDS
    moved = db.session.execute(
        sa.update(NotificationSend)
        .where(
            NotificationSend.id == send_id,
            NotificationSend.status == outbox.PENDING,
            NotificationSend.attempts == seen,
        )
        .values(attempts=seen + 1, next_attempt_at=utcnow() + timedelta(seconds=hold))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return seen + 1 if moved == 1 else None


def _post(endpoint: WebhookEndpoint, event: NotificationEvent) -> tuple[int | None, str | None]:
    """Send the event; the status code and an error sentence (None when it was delivered)."""
    config = current_app.config
    body = event_body(event)
    try:
        secret = endpoints.decrypt_secret(endpoint.secret_encrypted)
    except ValueError as exc:
        return None, str(exc)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "IngestIO-Webhooks/1",
        "IngestIO-Event-Id": str(event.id),
        "IngestIO-Signature": signature(secret, body),
    }
    try:
        answer = addresses.post(
            endpoint.url,
            body,
            headers,
            timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
            allow_private=config["WEBHOOK_ALLOW_PRIVATE"],
        )
    except addresses.Refused as exc:
        return None, f"refused: {exc}"
    except TimeoutError:
        return None, f"timed out after {config['WEBHOOK_TIMEOUT_SECONDS']:g} s"
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= answer.status < 300:
        return answer.status, None
    return answer.status, f"the receiver answered {answer.status}"


def deliver(send_id) -> str:
    """Make the next attempt of a send; its outcome ('delivered', 'failed', ...) or RetryLater."""
    send_id = uuid.UUID(str(send_id))
    attempt = _claim(send_id)
    if attempt is None:
        return "nothing to do"
    send = db.session.get(NotificationSend, send_id)
    event = db.session.get(NotificationEvent, send.event_id)
    endpoint = None
    if send.channel == outbox.WEBHOOK:
        endpoint = db.session.get(WebhookEndpoint, send.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            send.status, send.last_error = outbox.DROPPED, "the endpoint is disabled"
            db.session.commit()
            return outbox.DROPPED
    db.session.commit()  # no transaction stays open during the request

    if endpoint is not None:
        status_code, error = _post(endpoint, event)
    else:
        status_code, error = None, mail.send_event_mail(event)
    now = utcnow()
    db.session.add(
        WebhookDelivery(
            send_id=send.id,
            event_id=event.id,
            endpoint_id=send.endpoint_id,
            type=event.type,
            attempt=attempt,
            status_code=status_code,
            error=error,
            created_at=now,
            delivered_at=now if error is None else None,
        )
    )
    send = db.session.get(NotificationSend, send_id, populate_existing=True)
    send.last_error = error
    outcome = _settle(send, endpoint, attempt, status_code, error, now)
    db.session.commit()
    log.info(
        "notification.attempt send=%s event=%s type=%s channel=%s attempt=%d status=%s outcome=%s",
        send.id,
        event.id,
        event.type,
        send.channel,
        attempt,
        status_code,
        outcome,
    )
    if outcome == "retry":
        raise RetryLater(error)
    return outcome


def _settle(send, endpoint, attempt, status_code, error, now) -> str:
    """The send's new state after an attempt (the caller commits)."""
    if error is None:
        send.status = outbox.DELIVERED
        return outbox.DELIVERED
    if endpoint is not None and status_code == 410:
        endpoint.enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC, "
            "so no more events are sent to it. Delete it and add it again to resume."
        )
        send.status = outbox.FAILED
        _drop_pending(endpoint.id, send.id)
        return "disabled"
    if attempt >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        send.status = outbox.FAILED
        return outbox.FAILED
    send.next_attempt_at = now + timedelta(seconds=retry_delay(attempt))
    return "retry"


def _drop_pending(endpoint_id, except_id) -> None:
    """Other pending sends of a disabled endpoint will not be sent."""
    db.session.execute(
        sa.update(NotificationSend)
        .where(
            NotificationSend.endpoint_id == endpoint_id,
            NotificationSend.status == outbox.PENDING,
            NotificationSend.id != except_id,
        )
        .values(status=outbox.DROPPED, last_error="the endpoint was disabled")
        .execution_options(synchronize_session=False)
    )
