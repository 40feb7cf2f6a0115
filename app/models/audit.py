"""The audit trail: who did what to which batch or document, and when."""

import uuid
from contextvars import ContextVar
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import JSONType, UTCDateTime, new_id, utcnow


class AuditEvent(db.Model):
    """An action taken by a user; batch and document ids outlive the rows they name."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_batch", "batch_id", "created_at"),
        sa.Index("ix_audit_events_user", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(50))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    document_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    details: Mapped[dict | None] = mapped_column(JSONType)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The address of the client whose request is being answered: the web app sets it at the start
# of each request (app/request_guard.py); jobs and commands leave it None.
client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)


def record(action: str, user_id=None, batch_id=None, document_id=None, **details) -> AuditEvent:
    """Add an audit event to the session (the caller commits)."""
    ip = client_address.get()
    event = AuditEvent(
        action=str(action),
        user_id=user_id,
        batch_id=batch_id,
        document_id=document_id,
        details=details or None,
        ip_address=ip,
    )
    db.session.add(event)
    return event
