"""Stripe billing: Checkout and customer portal sessions, and webhook events applied to plans.

Webhook contract:
- every event id is stored in `stripe_events` in the same transaction as the change it causes, so
  a replay (or a concurrent duplicate, which hits the primary key) changes nothing;
- events older than the newest one already applied to a subscription (`Subscription.
  stripe_updated_at`, Stripe's `created` timestamp) arrive late and are ignored;
- a paid plan counts only while the status is `active` or `trialing` (`Subscription.
  effective_plan`); every change of the plan that counts writes an audit event `plan.changed`.
"""

import json
import logging
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AuditAction, ErrorCode, Plan, StripeEvent, Subscription, User
from app.models.audit import record
from app.models.billing import ACTIVE_STATUSES
from app.services import plans

log = logging.getLogger(__name__)

PAID_PLANS = (Plan.PLUS, Plan.GROWTH)
# Stripe statuses after which a subscription no longer exists to be managed.
ENDED_STATUSES = ("canceled", "incomplete_expired")
STRIPE_TIMEOUT_SECONDS = 20
# Stripe refuses signatures older than this; a timestamp this far ahead of our clock is refused too.
SIGNATURE_TOLERANCE_SECONDS = 300
SET_PLAN_HINT = "Ask the operator of this installation to change your plan."


class BillingUnavailable(Exception):
    """The action needs Stripe settings this installation does not have."""


class BillingError(Exception):
    """Stripe answered with an error or could not be reached."""


class WebhookError(Exception):
    """A webhook request that is refused, with a stable error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = str(code)
        self.message = message


# --- configuration -----------------------------------------------------------------------------


def stripe_enabled() -> bool:
    """True when a Stripe secret key is configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def checkout_available(plan: str) -> bool:
    """True when the plan can be bought through Stripe Checkout here."""
    return stripe_enabled() and Plan(plan) in PAID_PLANS and bool(plans.limits_for(plan).price_id)


def has_live_subscription(sub: Subscription) -> bool:
    """True when the user has a Stripe subscription that the customer portal can manage."""
    return bool(
        sub.stripe_customer_id and sub.stripe_subscription_id and sub.status not in ENDED_STATUSES
    )


def portal_available(sub: Subscription) -> bool:
    """True when the customer portal can be opened for this subscription."""
    return stripe_enabled() and bool(sub.stripe_customer_id)


def stripe_client() -> stripe.StripeClient:
    """A Stripe client for this app (STRIPE_API_BASE points it elsewhere, e.g. a local stand-in)."""
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        current_app.config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base.rstrip("/")} if base else None,
        http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT_SECONDS),
    )


# --- Prices ------------------------------------------------------------------------------------

PRICE_CACHE_SECONDS = 3600
_price_cache: dict[str, tuple[float, str | None]] = {}
INTERVALS = {"month": "per month", "year": "per year", "week": "per week", "day": "per day"}


def price_label(amount, currency: str | None, interval: str | None = "month") -> str:
    """'USD 29.00 per month' (the currency code first, as on the other pages)."""
    from app.formatting import money

    text = money(amount, currency)
    return f"{text} {INTERVALS.get(interval or '', '')}".strip()


def _stripe_price(price_id: str) -> str | None:
    """The label of a Stripe price, fetched at most once an hour; None when it cannot be read."""
    now = time.monotonic()
    cached = _price_cache.get(price_id)
    if cached and cached[0] > now:
        return cached[1]
    label = None
    try:
        price = stripe_client().v1.prices.retrieve(price_id).to_dict()
        if price.get("unit_amount") is not None:
            recurring = price.get("recurring") or {}
            label = price_label(
                price["unit_amount"] / 100, price.get("currency"), recurring.get("interval")
            )
    except stripe.StripeError as exc:
        log.warning("price %s could not be read from Stripe: %s", price_id, exc)
    _price_cache[price_id] = (now + PRICE_CACHE_SECONDS, label)
    return label


def _configured_price(text: str) -> str | None:
    """A price from settings: '29', '29 USD', 'USD 29' or '29.50 EUR'."""
    parts = text.split()
    amount = next((p for p in parts if any(c.isdigit() for c in p)), None)
    currency = next((p for p in parts if p.isalpha() and len(p) == 3), None)
    if amount is None:
        return None
    return price_label(amount, currency or "USD")


def plan_price(plan: str) -> str | None:
    """What a plan costs, for people: from Stripe when it sells the plan, else from settings;
    'Free' for Starter; None when no one has said."""
    plan = Plan(plan)
    if plan not in PAID_PLANS:
        return "Free"
    limits = plans.limits_for(plan)
    if stripe_enabled() and limits.price_id:
        label = _stripe_price(limits.price_id)
        if label:
            return label
    conf = current_app.config["PLANS"][plan.value]
    return _configured_price(str(conf.get("price") or ""))


# --- Checkout and portal -----------------------------------------------------------------------


def start_checkout(user: User, plan: str, success_url: str, cancel_url: str) -> str:
    """Create a Stripe Checkout Session (subscription mode) for the plan; its URL."""
    plan = Plan(plan)
    if plan not in PAID_PLANS:
        raise BillingUnavailable("The Starter plan is free: there is nothing to pay.")
    if not stripe_enabled():
        raise BillingUnavailable(
            "Online payment is not set up on this installation (STRIPE_SECRET_KEY is not set). "
            + SET_PLAN_HINT
        )
    price_id = plans.limits_for(plan).price_id
    if not price_id:
        raise BillingUnavailable(
            f"The {plan.value.capitalize()} plan has no Stripe price on this installation "
            f"(STRIPE_PRICE_{plan.value.upper()} is not set). " + SET_PLAN_HINT
        )
    sub = plans.subscription_of(user)
    metadata = {"user_id": str(user.id), "plan": plan.value}
    params = {
        "mode": "subscription",
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": str(user.id),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": metadata,
        # Subscription events then name the user even if they arrive before the Checkout event.
        "subscription_data": {"metadata": metadata},
    }
    if sub.stripe_customer_id:
        params["customer"] = sub.stripe_customer_id
    else:
        params["customer_email"] = user.email
    try:
        session = stripe_client().v1.checkout.sessions.create(params=params)
    except stripe.StripeError as exc:
        log.warning("stripe checkout failed user=%s plan=%s: %s", user.id, plan, exc)
        raise BillingError("Stripe could not start the checkout. Try again in a moment.") from exc
    log.info("stripe checkout session=%s user=%s plan=%s", session.id, user.id, plan)
    return session.url


def start_portal(user: User, return_url: str) -> str:
    """Create a Stripe customer portal session for the user; its URL."""
    if not stripe_enabled():
        raise BillingUnavailable(
            "Online payment is not set up on this installation (STRIPE_SECRET_KEY is not set). "
            + SET_PLAN_HINT
        )
    sub = plans.subscription_of(user)
    if not sub.stripe_customer_id:
        raise BillingUnavailable(
            "There is no Stripe customer for this account yet: choose a paid plan first."
        )
    try:
        session = stripe_client().v1.billing_portal.sessions.create(
            params={"customer": sub.stripe_customer_id, "return_url": return_url}
        )
    except stripe.StripeError as exc:
        log.warning("stripe portal failed user=%s: %s", user.id, exc)
        raise BillingError("Stripe could not open the customer portal. Try again.") from exc
    return session.url


def fetch_subscription(subscription_id: str) -> dict:
    """The subscription as Stripe has it now."""
    try:
        obj = stripe_client().v1.subscriptions.retrieve(subscription_id)
    except stripe.StripeError as exc:
        raise BillingError(f"Stripe could not return subscription {subscription_id}.") from exc
    return obj.to_dict()


# --- webhook: verification ---------------------------------------------------------------------


def signed_at(signature: str) -> int | None:
    """The `t=` timestamp of a Stripe-Signature header (seconds), None when it has none."""
    for part in signature.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            return int(value) if value.isdigit() else None
    return None


def verify_event(payload: bytes, signature: str | None) -> dict:
    """The event in a webhook body whose Stripe-Signature matches STRIPE_WEBHOOK_SECRET."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise WebhookError(
            ErrorCode.WEBHOOK_NOT_CONFIGURED,
            "STRIPE_WEBHOOK_SECRET is not set on this server, so webhooks cannot be verified.",
        )
    if not signature:
        raise WebhookError(ErrorCode.INVALID_SIGNATURE, "The Stripe-Signature header is missing.")
    try:
        stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as exc:
        raise WebhookError(
            ErrorCode.INVALID_SIGNATURE,
            "The Stripe-Signature header does not match this body and the webhook secret "
            "(or its timestamp is more than 5 minutes old).",
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any parse failure of a signed body is a bad body
        raise WebhookError(ErrorCode.BAD_REQUEST, "The body is not a Stripe event.") from exc
    signed = signed_at(signature)
    if signed is None or signed > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise WebhookError(
            ErrorCode.INVALID_SIGNATURE,
            "The Stripe-Signature timestamp lies more than 5 minutes in the future.",
        )
    event = json.loads(payload)
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookError(ErrorCode.BAD_REQUEST, "The body is not a Stripe event.")
    return event


# --- webhook: applying events ------------------------------------------------------------------


def handle_event(event: dict) -> str:
    """Apply a verified event once; the outcome word. Adds to the session; the caller commits."""
    event_id, event_type = str(event["id"]), str(event["type"])
    try:
        with db.session.begin_nested():
            db.session.add(StripeEvent(id=event_id[:255], type=event_type[:100]))
    except IntegrityError:
        # Already handled, or being handled right now by a concurrent delivery that committed.
        log.info("stripe event=%s type=%s outcome=duplicate", event_id, event_type)
        return "duplicate"
    handler = HANDLERS.get(event_type)
    outcome = handler(event) if handler else "recorded"
    log.info("stripe event=%s type=%s outcome=%s", event_id, event_type, outcome)
    return outcome


def _object(event: dict) -> dict:
    return ((event.get("data") or {}).get("object")) or {}


def _created(event: dict) -> int | None:
    value = event.get("created")
    return int(value) if isinstance(value, int | float) else None


def _id(value) -> str | None:
    """The id of a Stripe reference, which is an id string or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) else None


def _locked(stmt) -> Subscription | None:
    """One subscription row, locked until the commit so that concurrent events serialize."""
    return db.session.scalar(
        stmt.limit(1).with_for_update().execution_options(populate_existing=True)
    )


def find_subscription(
    subscription_id: str | None = None,
    customer_id: str | None = None,
    user_id: uuid.UUID | None = None,
) -> Subscription | None:
    """The subscription row an event is about: by Stripe subscription, customer, then user id."""
    if subscription_id:
        sub = _locked(
            sa.select(Subscription).where(Subscription.stripe_subscription_id == subscription_id)
        )
        if sub is not None:
            return sub
    if customer_id:
        sub = _locked(sa.select(Subscription).where(Subscription.stripe_customer_id == customer_id))
        if sub is not None:
            return sub
    if user_id:
        user = db.session.get(User, user_id)
        if user is not None:
            row = plans.subscription_of(user)
            return _locked(sa.select(Subscription).where(Subscription.id == row.id))
    return None


def is_stale(sub: Subscription, event: dict) -> bool:
    """True when a newer event was already applied to this subscription."""
    created = _created(event)
    return (
        created is not None
        and sub.stripe_updated_at is not None
        and created < sub.stripe_updated_at
    )


def _applied(sub: Subscription, event: dict) -> None:
    created = _created(event)
    if created is not None:
        sub.stripe_updated_at = max(sub.stripe_updated_at or 0, created)


def _audit_change(sub: Subscription, before: Plan, event: dict) -> None:
    after = sub.effective_plan
    if after != before:
        record(
            AuditAction.PLAN_CHANGED,
            user_id=sub.user_id,
            old=before.value,
            new=after.value,
            plan=Plan(sub.plan).value,
            status=sub.status,
            source="stripe",
            event_id=str(event.get("id")),
            event_type=str(event.get("type")),
        )


def _price_of(item: dict) -> str | None:
    """The price id of a subscription item or invoice line, in old and new API shapes."""
    price = item.get("price")
    if price:
        return _id(price)
    details = (item.get("pricing") or {}).get("price_details") or {}
    if details.get("price"):
        return _id(details["price"])
    return _id(item.get("plan"))


def _plan_of(items: list[dict]) -> Plan | None:
    for item in items:
        plan = plans.plan_for_price(_price_of(item) or "")
        if plan is not None:
            return plan
    return None


def _subscription_period(obj: dict) -> tuple[datetime | None, datetime | None]:
    """current_period_* of a subscription: on the object (older API) or on its items (newer)."""
    start, end = obj.get("current_period_start"), obj.get("current_period_end")
    if not (start and end):
        for item in (obj.get("items") or {}).get("data") or []:
            if item.get("current_period_start") and item.get("current_period_end"):
                start, end = item["current_period_start"], item["current_period_end"]
                break
    return _timestamp(start), _timestamp(end)


def apply_subscription(sub: Subscription, obj: dict, event: dict, deleted: bool = False) -> str:
    """Copy a Stripe subscription object's plan, status and period onto the row."""
    obj_id, status = _id(obj), str(obj.get("status") or ("canceled" if deleted else ""))
    if (
        sub.stripe_subscription_id
        and obj_id != sub.stripe_subscription_id
        and sub.status in ACTIVE_STATUSES
        and (deleted or status not in ACTIVE_STATUSES)
    ):
        # A replaced subscription's last words must not end the one the user has now.
        return "ignored"
    before = sub.effective_plan
    plan = _plan_of((obj.get("items") or {}).get("data") or [])
    if deleted:
        sub.plan = Plan.STARTER
    elif plan is not None:
        sub.plan = plan
    else:
        log.warning("stripe subscription=%s has no price of a known plan", obj_id)
    if status:
        sub.status = status
    sub.stripe_subscription_id = obj_id or sub.stripe_subscription_id
    sub.stripe_customer_id = _id(obj.get("customer")) or sub.stripe_customer_id
    start, end = _subscription_period(obj)
    if start and end:
        sub.current_period_start, sub.current_period_end = start, end
    _applied(sub, event)
    _audit_change(sub, before, event)
    return "applied"


def on_checkout_completed(event: dict) -> str:
    """Link the Stripe customer and subscription to the user who started the checkout."""
    session = _object(event)
    if session.get("mode") != "subscription":
        return "ignored"
    customer_id = _id(session.get("customer"))
    subscription = session.get("subscription")
    subscription_id = _id(subscription)
    user_id = _uuid(session.get("client_reference_id")) or _uuid(
        (session.get("metadata") or {}).get("user_id")
    )
    # The user who started the checkout wins over an earlier link of the customer id.
    sub = find_subscription(user_id=user_id) or find_subscription(customer_id=customer_id)
    if sub is None:
        log.warning("stripe checkout=%s names no known user", session.get("id"))
        return "unmatched"
    if is_stale(sub, event):
        return "stale"
    known = (
        subscription_id is not None
        and sub.stripe_subscription_id == subscription_id
        and sub.stripe_updated_at is not None
    )
    sub.stripe_customer_id = customer_id or sub.stripe_customer_id
    sub.stripe_subscription_id = subscription_id or sub.stripe_subscription_id
    details = subscription if isinstance(subscription, dict) else None
    if details is None and subscription_id and not known and stripe_enabled():
        details = fetch_subscription(subscription_id)
    if details is not None:
        return apply_subscription(sub, details, event)
    # Only the ids are known here; the subscription events bring plan, status and period. The
    # timestamp is left alone so that those (slightly older) events still apply.
    return "linked"


def on_subscription_event(event: dict) -> str:
    """customer.subscription.created / updated / deleted."""
    obj = _object(event)
    sub = find_subscription(
        subscription_id=_id(obj),
        customer_id=_id(obj.get("customer")),
        user_id=_uuid((obj.get("metadata") or {}).get("user_id")),
    )
    if sub is None:
        log.warning("stripe subscription=%s names no known user", _id(obj))
        return "unmatched"
    if is_stale(sub, event):
        return "stale"
    return apply_subscription(
        sub, obj, event, deleted=event["type"] == "customer.subscription.deleted"
    )


def _invoice_subscription(invoice: dict) -> tuple[str | None, dict]:
    """The subscription id and metadata of an invoice, in old and new API shapes."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    sub_id = _id(invoice.get("subscription")) or _id(details.get("subscription"))
    metadata = details.get("metadata") or (invoice.get("subscription_details") or {}).get(
        "metadata"
    )
    return sub_id, metadata or {}


def _invoice_target(invoice: dict) -> Subscription | None:
    sub_id, metadata = _invoice_subscription(invoice)
    if not sub_id:
        return None
    return find_subscription(
        subscription_id=sub_id,
        customer_id=_id(invoice.get("customer")),
        user_id=_uuid(metadata.get("user_id")),
    )


def on_invoice_paid(event: dict) -> str:
    """A paid subscription invoice: the subscription is active for the invoiced period."""
    invoice = _object(event)
    sub = _invoice_target(invoice)
    if sub is None:
        return "unmatched"
    if is_stale(sub, event):
        return "stale"
    before = sub.effective_plan
    lines = (invoice.get("lines") or {}).get("data") or []
    plan = _plan_of(lines)
    if plan is not None:
        sub.plan = plan
    sub.status = "active"
    sub.stripe_subscription_id = _invoice_subscription(invoice)[0]
    sub.stripe_customer_id = _id(invoice.get("customer")) or sub.stripe_customer_id
    for line in lines:
        period = line.get("period") or {}
        if period.get("start") and period.get("end") and (plan is None or _plan_of([line])):
            sub.current_period_start = _timestamp(period["start"])
            sub.current_period_end = _timestamp(period["end"])
            break
    _applied(sub, event)
    _audit_change(sub, before, event)
    return "applied"


def on_invoice_payment_failed(event: dict) -> str:
    """A failed renewal: past_due, so the paid limits stop counting until it is paid."""
    invoice = _object(event)
    sub = _invoice_target(invoice)
    if sub is None:
        return "unmatched"
    if is_stale(sub, event):
        return "stale"
    before = sub.effective_plan
    sub.status = "past_due"
    _applied(sub, event)
    _audit_change(sub, before, event)
    return "applied"


HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "customer.subscription.created": on_subscription_event,
    "customer.subscription.updated": on_subscription_event,
    "customer.subscription.deleted": on_subscription_event,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
}
