"""Notification jobs: one delivery attempt of one send (an endpoint, or e-mail)."""

from app.notifications import delivery
from jobs import in_app_context


@in_app_context
def deliver(send_id: str) -> str:
    """Make the next attempt; raises for RQ to retry after the next delay."""
    return delivery.deliver(send_id)
