"""Webhook endpoints: validation, secrets (encrypted at rest), listing and the deliveries log."""

import base64
import hashlib
import secrets
import uuid
from urllib.parse import urlsplit

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from app.errors import ApiError, DomainError, not_found
from app.extensions import db
from app.models import WebhookDelivery, WebhookEndpoint
from app.models.enums import ErrorCode
from app.notifications import addresses, outbox
from app.services.serializers import iso

SECRET_PREFIX = "whsec_"
MAX_URL_CHARS = 2000
MAX_DESCRIPTION_CHARS = 500
DELIVERIES_SHOWN = 100


def _fernet() -> Fernet:
    """The cipher of stored secrets, keyed by a key derived from SECRET_KEY."""
    material = hashlib.sha256(
        b"ingestio webhook secrets\0" + current_app.config["SECRET_KEY"].encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(material))


def encrypt_secret(secret: str) -> str:
    """The secret as stored."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str) -> str:
    """The signing secret of a stored endpoint (fails if SECRET_KEY changed since)."""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the webhook secret cannot be read with this SECRET_KEY") from exc


def invalid(message: str, **details) -> ApiError:
    """400 invalid_webhook with a message naming the problem."""
    return DomainError(ErrorCode.INVALID_WEBHOOK, message, details)


def check_url(url) -> str:
    """The URL, trimmed, or invalid_webhook: http(s) with a host; https and public in production."""
    if not isinstance(url, str) or not url.strip():
        raise invalid("Give the endpoint's URL.", field="url")
    url = url.strip()
    if len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        raise invalid("The URL is too long or contains spaces.", field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise invalid("The URL cannot be read.", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("The URL must start with https:// and name a host.", field="url")
    if parts.username or parts.password:
        raise invalid("The URL must not contain a user name or password.", field="url")
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        if parts.scheme != "https":
            raise invalid("Only https:// URLs are accepted.", field="url")
        try:
            addresses.resolve_public(parts.hostname, parts.port or 443)
        except addresses.Refused as exc:
            raise invalid(str(exc), field="url") from None
        except OSError:
            pass  # a name that does not resolve yet is checked again at every send
    return url


def check_events(events) -> list[str]:
    """The event types asked for, or invalid_webhook naming the unknown ones."""
    if events is None:
        return list(outbox.EVENT_TYPES)
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise invalid("events must be a non-empty list of event types.", field="events")
    unknown = sorted({e for e in events if e not in outbox.EVENT_TYPES + (outbox.PING,)})
    if unknown:
        raise invalid(
            f"Unknown event type: {', '.join(unknown)}.",
            field="events",
            unknown=unknown,
            known=list(outbox.EVENT_TYPES),
        )
    return list(dict.fromkeys(events))


def create(user, url, events, description) -> tuple[WebhookEndpoint, str]:
    """A new endpoint (added to the session) and its secret, which is shown only now."""
    url = check_url(url)
    events = check_events(events)
    if description is None:
        description = ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_CHARS:
        raise invalid(
            f"The description is text of at most {MAX_DESCRIPTION_CHARS} characters.",
            field="description",
        )
    count = db.session.scalar(sa.select(sa.func.count()).where(WebhookEndpoint.user_id == user.id))
    limit = current_app.config["WEBHOOK_MAX_ENDPOINTS"]
    if count >= limit:
        raise invalid(f"An account has at most {limit} webhook endpoints.", limit=limit)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        user_id=user.id,
        url=url,
        events=events,
        description=description.strip(),
        secret_encrypted=encrypt_secret(secret),
        enabled=True,
    )
    db.session.add(endpoint)
    outbox.remember_site_url(user.id)
    return endpoint, secret


def owned(user, endpoint_id) -> WebhookEndpoint:
    """The user's endpoint, or 404 (another user's id answers as an unknown one)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user.id:
        raise not_found()
    return endpoint


def of_user(user) -> list[WebhookEndpoint]:
    """The user's endpoints, oldest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.user_id == user.id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def send_ping(endpoint: WebhookEndpoint) -> uuid.UUID | None:
    """Write a `ping` event for this endpoint only (delivered after the commit)."""
    data = {"webhook_id": str(endpoint.id), "message": "A test event from IngestIO."}
    return outbox.emit(endpoint.user_id, outbox.PING, data, endpoint_ids=[endpoint.id])


def endpoint_json(endpoint: WebhookEndpoint, secret: str | None = None) -> dict:
    """An endpoint as the API shows it; the secret only when just created."""
    data = {
        "id": str(endpoint.id),
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "description": endpoint.description or "",
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": iso(endpoint.disabled_at),
        "created_at": iso(endpoint.created_at),
    }
    if secret is not None:
        data["secret"] = secret
    return data


def deliveries(endpoint: WebhookEndpoint, limit: int = DELIVERIES_SHOWN) -> list[WebhookDelivery]:
    """The endpoint's last attempts, newest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.attempt.desc())
            .limit(limit)
        )
    )


def delivery_json(row: WebhookDelivery) -> dict:
    """One attempt as the deliveries log shows it."""
    return {
        "id": str(row.id),
        "event_id": str(row.event_id),
        "type": row.type,
        "attempt": row.attempt,
        "status_code": row.status_code,
        "error": row.error,
        "created_at": iso(row.created_at),
        "delivered_at": iso(row.delivered_at),
    }
