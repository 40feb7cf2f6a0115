"""Status values and stable error codes.

ErrorCode lives in the extraction engine (engine/errors.py), which needs it without the app; it is
re-exported here so that `from app.models import ErrorCode` names the one enum.
"""

from enum import StrEnum

from engine.errors import ErrorCode

__all__ = [
    "AuditAction",
    "BatchStatus",
    "DocumentStatus",
    "ErrorCode",
    "JobStatus",
    "Plan",
    "PromptStrategy",
]


class Plan(StrEnum):
    STARTER = "starter"
    PLUS = "plus"
    GROWTH = "growth"


class PromptStrategy(StrEnum):
    GLOBAL = "global"
    PER_DOCUMENT = "per_document"
    AUTO = "auto"


class BatchStatus(StrEnum):
    PENDING_UPLOAD = "pending_upload"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DocumentStatus(StrEnum):
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class QuestionStatus(StrEnum):
    """A row of a question batch: waiting for its thread's job, being answered, then terminal."""

    QUEUED = "queued"
    ANSWERING = "answering"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABANDONED = "abandoned"


class AuditAction(StrEnum):
    BATCH_CREATED = "batch.created"
    BATCH_CANCELLED = "batch.cancelled"
    BATCH_RETRIED = "batch.retried"
    BATCH_RESUMED = "batch.resumed"
    BATCH_DELETED = "batch.deleted"
    BATCH_EXPORTED = "batch.exported"
    DOCUMENT_CREATED = "document.created"
    DOCUMENT_DELETED = "document.deleted"
    # A user corrected values of a result, or approved it after review.
    DOCUMENT_CORRECTED = "correct"
    DOCUMENT_REVIEWED = "review"
    PLAN_CHANGED = "plan.changed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    PASSWORD_CHANGED = "password.changed"
    SESSIONS_ENDED = "sessions.ended"
