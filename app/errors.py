"""Errors answered as JSON for API requests and as a page for browsers (docs/errors.md)."""

import logging
import math
import time

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db, limiter
from app.models.enums import ErrorCode

log = logging.getLogger(__name__)

MESSAGES = {
    ErrorCode.UNAUTHORIZED: "Log in or send a valid API token.",
    ErrorCode.NOT_FOUND: "Nothing was found at this address.",
    ErrorCode.BAD_REQUEST: "The request could not be understood.",
    ErrorCode.CSRF_FAILED: "The form expired or was sent without its security token. "
    "Reload the page and try again.",
    ErrorCode.FILE_TOO_LARGE: "The upload is too large.",
    ErrorCode.RATE_LIMITED: "Too many requests. Wait a moment and try again.",
    ErrorCode.METHOD_NOT_ALLOWED: "This address does not accept that method.",
    ErrorCode.INTERNAL_ERROR: "Something went wrong on our side. It has been logged.",
    ErrorCode.SERVICE_UNAVAILABLE: "The service is temporarily unavailable.",
    ErrorCode.INVALID_WEBHOOK: "The webhook endpoint is not valid.",
    # Why a document failed, as its page and the status JSON say it ({fields} filled in by the job).
    ErrorCode.FILE_MISSING: "The stored file is missing. Upload the document again.",
    ErrorCode.PROVIDER_ERROR: (
        "The extraction service did not answer after {attempts} attempts ({detail}). "
        "Retry the document in a few minutes."
    ),
    ErrorCode.EXTRACTION_FAILED: (
        "Extraction stopped on an unexpected error. Retry the document; if it fails again, "
        "contact support with the document id."
    ),
    "timeout": (
        "Extraction took longer than the {timeout}-second limit, {attempts} times. Split the "
        "document into smaller files and upload them again."
    ),
    ErrorCode.TOO_COMPLEX: (
        "The document is too complex to process: reading it needed more than {limit}. Retrying "
        "will not help; simplify it (for example print it to a new PDF at a normal page size, or "
        "scale the image down) and upload it again."
    ),
    ErrorCode.QUOTA_EXCEEDED: (
        "Not enough pages left this period: this document has {pages} page{s} and {left} of "
        "{limit} are left. Upgrade your plan or retry after {period_end}."
    ),
}

STATUS_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.FILE_TOO_LARGE,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}


class ApiError(Exception):
    """An expected error with an HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = str(code)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


# The HTTP status each error code answers with (docs/errors.md). Services raise DomainError with
# a code and never choose a status themselves.
HTTP_STATUS = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.CSRF_FAILED: 400,
    ErrorCode.NO_FILES: 400,
    ErrorCode.TOO_MANY_FILES: 400,
    ErrorCode.UNSUPPORTED_FILE: 400,
    ErrorCode.TOO_MANY_PAGES: 400,
    ErrorCode.INVALID_PROMPT: 400,
    ErrorCode.INVALID_FILE: 400,
    ErrorCode.INVALID_VALUE: 400,
    ErrorCode.INVALID_SIGNATURE: 400,
    ErrorCode.INVALID_WEBHOOK: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.QUOTA_EXCEEDED: 402,
    ErrorCode.UPGRADE_REQUIRED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.WEBHOOK_NOT_CONFIGURED: 503,
}


class DomainError(ApiError):
    """A refusal raised by a service: a stable code, a message, details and extra headers; its
    HTTP status is the code's (HTTP_STATUS)."""

    def __init__(
        self, code: str, message: str, details: dict | None = None, headers: dict | None = None
    ):
        super().__init__(HTTP_STATUS[ErrorCode(code)], code, message, details)
        self.headers = headers or {}


class IntakeError(DomainError):
    """A rejected create request."""


def not_found() -> ApiError:
    """The answer for an unknown id and for another user's id alike."""
    return ApiError(404, ErrorCode.NOT_FOUND, MESSAGES[ErrorCode.NOT_FOUND])


def wants_json() -> bool:
    """API paths, token requests and clients that prefer JSON get JSON errors."""
    if request.path.startswith("/api/") or request.path.startswith("/billing/webhook"):
        return True
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(err: ApiError, headers: dict | None = None):
    """Render an ApiError for the current request."""
    if wants_json():
        resp = jsonify(err.to_dict())
    else:
        resp = make_response(render_template("errors/error.html", error=err))
    resp.status_code = err.status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def retry_after_seconds(err: HTTPException) -> int:
    """Whole seconds until the breached rate limit's window resets (at least 1)."""
    current = limiter.current_limit
    if current is not None and current.breached:
        try:
            # reset_at is the X-RateLimit-Reset value: Redis rounds TTLs, so it errs one late.
            return max(1, math.ceil(current.reset_at - time.time()))
        except Exception:  # noqa: BLE001 - the limiter's storage may be gone by now
            log.warning("rate limit window unavailable; answering with the full window")
    limit = getattr(err, "limit", None)
    return int(limit.limit.get_expiry()) if limit is not None else 60


def keep_retry_after(response):
    """Put back the Retry-After of the 429 answer, which its message names.

    Flask-Limiter's own after_request (headers enabled) rewrites Retry-After rounding down, and
    adds it to successful answers too, so this hook is placed to run after it.
    """
    retry = g.pop("retry_after", None)
    if retry is not None and response.status_code == 429:
        response.headers["Retry-After"] = str(retry)
    elif response.status_code < 400:
        # The limiter adds Retry-After to every limited response; it means something only on errors.
        response.headers.pop("Retry-After", None)
    return response


def register_errorhandlers(app: Flask) -> None:
    """Answer every error in the shape of docs/errors.md."""
    # after_request hooks run last-registered first: index 0 runs after the limiter's hook.
    app.after_request_funcs.setdefault(None, []).insert(0, keep_retry_after)

    @app.errorhandler(ApiError)
    def handle_api_error(err: ApiError):
        db.session.rollback()
        return error_response(err)

    @app.errorhandler(CSRFError)
    def handle_csrf(err: CSRFError):
        return error_response(ApiError(400, ErrorCode.CSRF_FAILED, MESSAGES[ErrorCode.CSRF_FAILED]))

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException):
        code = STATUS_CODES.get(err.code, ErrorCode.BAD_REQUEST)
        message = MESSAGES.get(code) or err.description
        headers = {}
        details = None
        if err.code == 413:
            limit_mb = app.config["MAX_FILE_BYTES"] // (1024 * 1024)
            message = f"The upload is too large: each file may be at most {limit_mb} MB."
        if err.code == 429:
            retry = retry_after_seconds(err)
            g.retry_after = retry
            headers["Retry-After"] = str(retry)
            limit = getattr(err, "limit", None)
            allowed = f" (allowed: {limit.limit})" if limit is not None else ""
            message = f"Too many requests{allowed}. Try again in {retry} seconds."
            details = {"retry_after": retry}
        resp = error_response(ApiError(err.code or 500, code, message, details), headers)
        if err.code == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            resp.headers["Allow"] = ", ".join(err.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            ApiError(500, ErrorCode.INTERNAL_ERROR, MESSAGES[ErrorCode.INTERNAL_ERROR])
        )
