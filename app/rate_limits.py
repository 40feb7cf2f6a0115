"""Per-plan rate limits on creating batches and documents, for Flask-Limiter.

Use on every create endpoint (browser form and API alike), for example::

    from app.rate_limits import limit_creations

    @bp.post("/batches")
    @limit_creations
    def create_batch(): ...

All endpoints decorated with `limit_creations` share one hourly allowance per user (scope
"creations"), sized by the plan that counts now. Only accepted creations use it up: a request
answered with an error costs nothing. Over the allowance the request answers 429 `rate_limited`
with `Retry-After` (app/errors.py). `creation_limit` alone gives the limit string, for use with
`limiter.limit(creation_limit, ...)` where a different scope is wanted.
"""

from flask import g
from flask_login import current_user

from app.extensions import limiter
from app.models import Plan
from app.services import plans

CREATIONS_SCOPE = "creations"


def request_user():
    """The user of this request (a Bearer token's user or the session's), or None."""
    user = g.get("_login_user") or current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def creations_per_hour() -> int:
    """Creations per hour allowed to the current user's plan (starter when anonymous)."""
    user = request_user()
    limits = plans.user_limits(user) if user is not None else plans.limits_for(Plan.STARTER)
    return limits.creations_per_hour


def creation_limit() -> str:
    """The current user's creation limit as a Flask-Limiter string, e.g. "20 per hour"."""
    return f"{creations_per_hour()} per hour"


def accepted(response) -> bool:
    """Only accepted requests (no error answer) count against the creation allowance."""
    return response.status_code < 400


limit_creations = limiter.shared_limit(
    creation_limit,
    scope=CREATIONS_SCOPE,
    methods=["POST"],
    deduct_when=accepted,
)
