"""Batch pages: the upload wizard, the list and the detail page."""

from flask import Blueprint

bp = Blueprint("batches", __name__)

from app.batches import views, wizard  # noqa: E402,F401
