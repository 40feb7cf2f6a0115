"""Status values and stable error codes."""

from enum import StrEnum


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


class ErrorCode(StrEnum):
    """Stable error codes of the API and of failed documents."""

    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    CSRF_FAILED = "csrf_failed"
    UPGRADE_REQUIRED = "upgrade_required"
    TOO_MANY_FILES = "too_many_files"
    NO_FILES = "no_files"
    UNSUPPORTED_FILE = "unsupported_file"
    FILE_TOO_LARGE = "file_too_large"
    TOO_MANY_PAGES = "too_many_pages"
    INVALID_PROMPT = "invalid_prompt"
    INVALID_FILE = "invalid_file"
    QUOTA_EXCEEDED = "quota_exceeded"
    RATE_LIMITED = "rate_limited"
    INVALID_STATE = "invalid_state"
    INVALID_VALUE = "invalid_value"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    UNREADABLE_PDF = "unreadable_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    UNREADABLE_FILE = "unreadable_file"
    NO_TEXT = "no_text"
    EXTRACTION_FAILED = "extraction_failed"
    PROVIDER_ERROR = "provider_error"
    WORKER_LOST = "worker_lost"
    TOO_COMPLEX = "too_complex"
    FILE_MISSING = "file_missing"
    INVALID_SIGNATURE = "invalid_signature"
    WEBHOOK_NOT_CONFIGURED = "webhook_not_configured"
    INVALID_WEBHOOK = "invalid_webhook"


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
