"""Per-user analytics: batches and documents over time, success rate, processing times."""

from flask import Blueprint

bp = Blueprint("analytics", __name__)

from app.analytics import routes  # noqa: E402,F401
