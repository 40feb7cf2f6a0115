"""GET /api/v1/usage."""

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.openapi import documented, json_answer
from app.services import quota


@bp.get("/usage")
@documented(
    "Your plan and usage",
    tag="Usage",
    answers={200: json_answer("Usage", "Plan, limits, pages used and left this period.")},
)
def usage():
    """Plan, limits, pages used and left this period."""
    resp = jsonify(quota.summary(current_user))
    resp.headers["Cache-Control"] = "no-store"
    return resp
