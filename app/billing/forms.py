"""Billing forms (Flask-WTF adds the csrf_token field)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired

from app.services.billing import PAID_PLANS


class PlanForm(FlaskForm):
    """Choose a paid plan to buy through Stripe Checkout."""

    plan = HiddenField(
        validators=[DataRequired(), AnyOf([p.value for p in PAID_PLANS], "Choose Plus or Growth.")]
    )
