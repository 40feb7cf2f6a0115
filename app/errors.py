"""Errors answered as JSON for API requests and as a page for browsers (SPEC §5 shape)."""

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
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


def register_errorhandlers(app: Flask) -> None:
    """Answer every error in the SPEC §5 shape."""

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
        if err.code == 413:
            limit_mb = app.config["MAX_FILE_BYTES"] // (1024 * 1024)
            message = f"The upload is too large: each file may be at most {limit_mb} MB."
        if err.code == 429:
            retry = getattr(err, "retry_after", None)
            limit = getattr(err, "limit", None)
            if retry is None and limit is not None:
                retry = limit.limit.get_expiry()
            headers["Retry-After"] = str(int(retry or 60))
            message = f"Too many requests. Try again in {headers['Retry-After']} seconds."
        resp = error_response(ApiError(err.code or 500, code, message), headers)
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
