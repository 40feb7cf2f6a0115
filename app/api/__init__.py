"""The JSON API, version 1. Token requests are CSRF-exempt."""

from flask import Blueprint, current_app, g, request
from flask_login import current_user

from app.errors import MESSAGES, ApiError
from app.extensions import csrf, limiter
from app.models.enums import ErrorCode

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def api_limit() -> str:
    return current_app.config["RATELIMIT_API"]


@bp.before_request
def authenticate():
    """Every API request needs a session or a valid Bearer token; sessions also need CSRF."""
    if not current_user.is_authenticated:
        raise ApiError(401, ErrorCode.UNAUTHORIZED, MESSAGES[ErrorCode.UNAUTHORIZED])
    if not g.get("token_auth") and request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


limiter.limit(api_limit)(bp)

from app.api import batches, documents, intake, questions, usage, webhooks  # noqa: E402,F401
