"""Billing: plans and usage, Stripe Checkout and customer portal, the Stripe webhook."""

from flask import Blueprint

bp = Blueprint("billing", __name__, url_prefix="/billing")

from app.billing import routes  # noqa: E402,F401
