"""Documents, their processing attempts and results."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.batch import ItemLifecycle
from app.models.enums import DocumentStatus, JobStatus
from app.models.types import JSONType, UTCDateTime, enum_column, new_id, utcnow


class Document(ItemLifecycle, db.Model):
    """One uploaded file; its status follows states.DOCUMENT_TRANSITIONS."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_batch_status", "batch_id", "status"),
        sa.Index("ix_documents_user_created", "user_id", "created_at"),
        sa.Index("ix_documents_status_updated", "status", "updated_at"),
        # The reuse lookup: the same user's documents of the same file and the same extraction.
        sa.Index("ix_documents_reuse", "user_id", "sha256", "reuse_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Deleting a batch deletes its documents; single uploads have no batch.
    batch_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="CASCADE")
    )
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    page_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    extraction_prompt: Mapped[str | None] = mapped_column(sa.Text)
    document_type: Mapped[str | None] = mapped_column(sa.String(50))
    type_confidence: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus), default=DocumentStatus.UPLOADED
    )
    # A stable code from ErrorCode; kept as text so new codes need no schema change.
    error_code: Mapped[str | None] = mapped_column(sa.String(50))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # Pages currently reserved in a usage row for this document (0 when nothing is held).
    reserved_pages: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    usage_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("usage.id", ondelete="SET NULL")
    )
    # Reuse of results: whether this document may take an earlier result of the same file and
    # extraction, the key of that extraction (resolved prompt, provider and model, hashed), and the
    # document its result was copied from. No foreign key: deleting the source keeps the copy.
    reuse: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    reuse_key: Mapped[str | None] = mapped_column(sa.String(64))
    reused_from_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    # A completed result with a requested field missing or below REVIEW_CONFIDENCE, until a user
    # approves it.
    needs_review: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch = relationship("Batch", back_populates="documents")
    user = relationship("User")
    result = relationship(
        "ExtractionResult",
        back_populates="document",
        uselist=False,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    jobs = relationship(
        "ExtractionJob",
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ExtractionJob.attempt",
    )


class ExtractionJob(db.Model):
    """One processing attempt of a document."""

    __tablename__ = "extraction_jobs"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    document_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(sa.Integer, default=1)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.RUNNING)
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(100))
    provider: Mapped[str | None] = mapped_column(sa.String(50))
    model: Mapped[str | None] = mapped_column(sa.String(100))
    prompt: Mapped[str | None] = mapped_column(sa.Text)
    error_code: Mapped[str | None] = mapped_column(sa.String(50))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)

    document = relationship("Document", back_populates="jobs")


class ExtractionResult(db.Model):
    """The latest extraction result of a document."""

    __tablename__ = "extraction_results"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    document_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), unique=True
    )
    data: Mapped[dict] = mapped_column(JSONType)
    provider: Mapped[str | None] = mapped_column(sa.String(50))
    model: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    document = relationship("Document", back_populates="result")
