"""The billing page, Stripe Checkout and customer portal redirects, and the Stripe webhook."""

import logging

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.forms import EmptyForm
from app.billing import bp
from app.billing.forms import PlanForm
from app.errors import ApiError
from app.extensions import csrf, db, limiter
from app.models import ErrorCode, Plan
from app.services import billing, plans, quota

log = logging.getLogger(__name__)

# Stripe events are a few kilobytes; the body is read whole before its signature is checked.
WEBHOOK_MAX_BYTES = 1024 * 1024


def plan_action(plan: Plan, sub, effective: Plan) -> dict:
    """What the card of a plan offers this user: current, checkout, portal or a set-plan hint."""
    if plan == effective and (plan == Plan.STARTER or sub.status in ("active", "trialing")):
        return {"kind": "current"}
    if billing.has_live_subscription(sub) and billing.portal_available(sub):
        return {"kind": "portal"}
    if plan == Plan.STARTER:
        return {"kind": "manual", "reason": None}
    if billing.checkout_available(plan):
        return {"kind": "checkout"}
    if not billing.stripe_enabled():
        reason = "Online payment is not set up on this installation."
    else:
        reason = (
            f"The {plan.value.capitalize()} plan has no Stripe price here "
            f"(STRIPE_PRICE_{plan.value.upper()} is not set)."
        )
    return {"kind": "manual", "reason": reason}


@bp.get("")
@login_required
def index():
    """Current plan and status, pages used and left this period, and the plans side by side."""
    sub = plans.subscription_of(current_user)
    effective = sub.effective_plan
    cards = [
        {
            "limits": plans.limits_for(plan),
            "current": plan == effective,
            "action": plan_action(plan, sub, effective),
            "price": billing.plan_price(plan),
        }
        for plan in Plan
    ]
    return render_template(
        "billing/index.html",
        sub=sub,
        effective=effective,
        paused=Plan(sub.plan) != Plan.STARTER and effective == Plan.STARTER,
        usage=quota.summary(current_user),
        used=quota.breakdown(current_user),
        stripe_period=sub.current_period_start is not None
        and quota.current_period(sub).start == sub.current_period_start,
        cards=cards,
        stripe_enabled=billing.stripe_enabled(),
        can_manage=billing.portal_available(sub),
        checkout=request.args.get("checkout"),
    )


def back_to_billing():
    return redirect(url_for("billing.index"), code=303)


def redirect_to_portal():
    """Open the Stripe customer portal, or explain on the billing page why it cannot open."""
    try:
        url = billing.start_portal(current_user, url_for("billing.index", _external=True))
    except billing.BillingUnavailable as exc:
        flash(str(exc), "warning")
        return back_to_billing()
    except billing.BillingError as exc:
        flash(str(exc), "error")
        return back_to_billing()
    return redirect(url, code=303)


@bp.post("/checkout")
@login_required
def checkout():
    """Start a Stripe Checkout Session for the chosen plan and send the browser there."""
    form = PlanForm()
    if not form.validate_on_submit():
        flash("Choose the Plus or Growth plan to upgrade.", "error")
        return back_to_billing()
    plan = Plan(form.plan.data)
    sub = plans.subscription_of(current_user)
    if billing.has_live_subscription(sub) and billing.portal_available(sub):
        # A second subscription would bill twice: changes of a running one go through the portal.
        return redirect_to_portal()
    if sub.effective_plan == plan:
        flash(f"You are already on the {plan.value.capitalize()} plan.", "info")
        return back_to_billing()
    try:
        url = billing.start_checkout(
            current_user,
            plan,
            success_url=url_for("billing.index", checkout="success", _external=True),
            cancel_url=url_for("billing.index", checkout="cancelled", _external=True),
        )
    except billing.BillingUnavailable as exc:
        flash(str(exc), "warning")
        return back_to_billing()
    except billing.BillingError as exc:
        flash(str(exc), "error")
        return back_to_billing()
    return redirect(url, code=303)


@bp.post("/portal")
@login_required
def portal():
    """Open the Stripe customer portal (change plan, payment method, cancel)."""
    if not EmptyForm().validate_on_submit():
        flash("The form expired. Try again.", "error")
        return back_to_billing()
    return redirect_to_portal()


@bp.post("/webhook")
@csrf.exempt
@limiter.exempt
def webhook():
    """Stripe events: signature checked, each event id applied once."""
    request.max_content_length = WEBHOOK_MAX_BYTES
    try:
        payload = request.get_data()
    except RequestEntityTooLarge as exc:
        raise ApiError(
            413,
            ErrorCode.FILE_TOO_LARGE,
            f"The webhook body is too large: a Stripe event may be at most "
            f"{WEBHOOK_MAX_BYTES // 1024} KB.",
        ) from exc
    try:
        event = billing.verify_event(payload, request.headers.get("Stripe-Signature"))
    except billing.WebhookError as exc:
        log.warning("stripe webhook refused: %s", exc.code)
        raise ApiError(400, exc.code, exc.message) from exc
    try:
        outcome = billing.handle_event(event)
        db.session.commit()
    except billing.BillingError as exc:
        db.session.rollback()
        # Not recorded: Stripe delivers the event again later.
        raise ApiError(
            503, ErrorCode.SERVICE_UNAVAILABLE, f"{exc} The event was not applied."
        ) from exc
    return jsonify({"received": True, "id": event["id"], "outcome": outcome})
