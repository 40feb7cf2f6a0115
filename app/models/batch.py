"""Batches of documents."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import states
from app.models.enums import BatchStatus, PromptStrategy
from app.models.types import UTCDateTime, enum_column, new_id, utcnow


class BatchLifecycle:
    """Status changes and progress shared by document batches and question batches."""

    #: The counter that holds how many items (documents or questions) the batch has.
    total_field = "document_count"

    def transition(self, new: BatchStatus) -> None:
        """Move to a new status, allowed only along states.BATCH_TRANSITIONS."""
        self.status = states.check_batch(self.status, new)
        self.updated_at = utcnow()
        if new in states.BATCH_FINAL:
            self.completed_at = self.completed_at or utcnow()
        else:
            self.completed_at = None

    @property
    def is_final(self) -> bool:
        return self.status in states.BATCH_FINAL

    @property
    def terminal_count(self) -> int:
        return self.completed_count + self.failed_count + self.cancelled_count

    @property
    def progress(self) -> int:
        """Share of items in a terminal state, 0-100."""
        total = getattr(self, self.total_field)
        if not total:
            return 100 if self.is_final else 0
        return int(100 * self.terminal_count / total)


class ItemLifecycle:
    """Status changes shared by the items of a batch: documents and question rows."""

    #: The check of the item's own map in states.py, and the statuses that end it.
    status_check = staticmethod(states.check_document)
    terminal_statuses = states.DOCUMENT_TERMINAL

    def transition(self, new) -> None:
        """Move to a new status, allowed only along the item's map in states.py."""
        self.status = self.status_check(self.status, new)
        self.updated_at = utcnow()

    @property
    def is_terminal(self) -> bool:
        return self.status in self.terminal_statuses


class Batch(BatchLifecycle, db.Model):
    """A batch of documents uploaded together; its status follows states.BATCH_TRANSITIONS."""

    __tablename__ = "batches"
    __table_args__ = (
        sa.Index("ix_batches_user_created", "user_id", "created_at"),
        sa.Index("ix_batches_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    prompt_strategy: Mapped[PromptStrategy] = mapped_column(
        enum_column(PromptStrategy), default=PromptStrategy.GLOBAL
    )
    extraction_prompt: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[BatchStatus] = mapped_column(
        enum_column(BatchStatus), default=BatchStatus.PENDING_UPLOAD
    )
    document_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    completed_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    failed_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    cancelled_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    total_pages: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # Completed documents whose result was reused from an earlier document (no pages charged).
    reused_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # Completed documents that need review (counted when stored, uncounted when approved).
    needs_review_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    documents = relationship(
        "Document",
        back_populates="batch",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Document.created_at, Document.original_filename",
    )
