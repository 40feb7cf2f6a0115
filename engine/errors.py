"""The project's stable error codes: one enum for the API, failed documents and the engine.

The engine raises the extraction codes (unreadable_pdf, encrypted_pdf, unreadable_file, no_text,
provider_error, extraction_failed, too_complex); the app re-exports the enum from app.models.
"""

from enum import StrEnum


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
