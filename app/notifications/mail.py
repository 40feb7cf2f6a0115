"""E-mail when a batch finishes, through the SMTP server named by MAIL_URL."""

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Document, DocumentStatus, NotificationEvent, User
from app.notifications import outbox

SMTP_TIMEOUT_SECONDS = 20
FAILURES_LISTED = 20


def smtp_settings(url: str) -> dict:
    """Host, port, credentials and TLS mode from smtp://user:pass@host:587 or smtps://..."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("MAIL_URL must look like smtp://user:password@host:587")
    implicit = parts.scheme == "smtps"
    return {
        "host": parts.hostname,
        "port": parts.port or (465 if implicit else 587),
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else "",
        "implicit_tls": implicit,
    }


def deliver_message(message: EmailMessage) -> None:
    """Send through MAIL_URL: STARTTLS when the server offers it, then log in if asked to."""
    settings = smtp_settings(current_app.config["MAIL_URL"])
    context = ssl.create_default_context()
    if settings["implicit_tls"]:
        client = smtplib.SMTP_SSL(
            settings["host"], settings["port"], timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(settings["host"], settings["port"], timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        client.ehlo()
        if not settings["implicit_tls"] and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if settings["user"]:
            client.login(settings["user"], settings["password"])
        client.send_message(message)


def batch_message(event: NotificationEvent, to: str) -> EmailMessage:
    """The mail for a finished batch: its name, status, counts, failures and a link."""
    data = event.data
    name = data.get("name") or "Untitled batch"
    status = str(data.get("status", "")).replace("_", " ")
    base = outbox.site_url(event.user_id)
    link = f"{base}/batches/{data.get('id')}"
    failures = db.session.execute(
        sa.select(Document.original_filename, Document.error_message)
        .where(Document.batch_id == data.get("id"), Document.status == DocumentStatus.FAILED)
        .order_by(Document.created_at)
        .limit(FAILURES_LISTED)
    ).all()
    lines = [
        f'Your batch "{name}" has finished: {status}.',
        "",
        f"Documents: {data.get('document_count', 0)}",
        f"Completed: {data.get('completed_count', 0)}",
        f"Failed: {data.get('failed_count', 0)}",
        f"Cancelled: {data.get('cancelled_count', 0)}",
        f"Pages: {data.get('total_pages', 0)}",
    ]
    if failures:
        lines += ["", "Failed documents:"]
        lines += [f"- {f.original_filename}: {f.error_message or 'failed'}" for f in failures]
        more = int(data.get("failed_count") or 0) - len(failures)
        if more > 0:
            lines.append(f"- and {more} more")
    lines += [
        "",
        f"See the results: {link}",
        "",
        f"You get this e-mail because you asked for it on your account page: {base}/account",
    ]
    message = EmailMessage()
    message["Subject"] = f'Batch "{name}" finished: {status}'
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Message-ID"] = f"<{event.id}@ingestio>"
    message.set_content("\n".join(lines))
    return message


def send_event_mail(event: NotificationEvent) -> str | None:
    """Mail the event to its user; None when sent, else the error as a sentence."""
    if not current_app.config.get("MAIL_URL"):
        return "mail is not configured (MAIL_URL is not set)"
    user = db.session.get(User, event.user_id)
    if user is None:
        return "the user no longer exists"
    try:
        deliver_message(batch_message(event, user.email))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None
