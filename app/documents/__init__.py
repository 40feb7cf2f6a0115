"""Document pages: single-document upload and the result view."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from app.documents import upload, views  # noqa: E402,F401
