"""Subscriptions, usage periods and processed Stripe events."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.enums import Plan
from app.models.types import UTCDateTime, enum_column, new_id, utcnow

ACTIVE_STATUSES = ("active", "trialing")


class Subscription(db.Model):
    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    plan: Mapped[Plan] = mapped_column(enum_column(Plan), default=Plan.STARTER)
    status: Mapped[str] = mapped_column(sa.String(32), default="active")
    stripe_customer_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    current_period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stripe's own timestamp of the newest event applied, so older events arriving late are ignored.
    stripe_updated_at: Mapped[int | None] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="subscription")

    @property
    def effective_plan(self) -> Plan:
        """A paid plan counts only while active or trialing; otherwise starter."""
        if self.plan != Plan.STARTER and self.status not in ACTIVE_STATUSES:
            return Plan.STARTER
        return Plan(self.plan)


class Usage(db.Model):
    """Pages used by a user in one billing period; changed only by atomic SQL updates."""

    __tablename__ = "usage"
    __table_args__ = (sa.UniqueConstraint("user_id", "period_start", name="uq_usage_user_period"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    pages_used: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    __mapper_args__ = {"eager_defaults": False}


class StripeEvent(db.Model):
    """Stripe event ids already handled, so a replayed event changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
