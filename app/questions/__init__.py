"""Question batch pages: the list, the upload wizard and the batch page."""

from flask import Blueprint

bp = Blueprint("questions", __name__, url_prefix="/questions")

from app.questions import cli, views  # noqa: E402,F401
