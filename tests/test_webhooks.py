"""POST /billing/webhook: real Stripe signatures, every handled event type, replays, late events."""

import itertools
import json
import threading
import time

import pytest
import sqlalchemy as sa
import stripe

from app.extensions import db as _db
from app.models import AuditEvent, StripeEvent, Subscription
from app.services import billing, plans
from tests.factories import make_user

SECRET = "whsec_test_secret"
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400
_ids = itertools.count(1)


@pytest.fixture
def stripe_setup(app, monkeypatch):
    """A webhook secret and price ids for Plus and Growth; no Stripe API key (no outgoing calls)."""
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    monkeypatch.setitem(app.config["PLANS"]["plus"], "price_id", "price_plus")
    monkeypatch.setitem(app.config["PLANS"]["growth"], "price_id", "price_growth")


@pytest.fixture
def starter(db, stripe_setup):
    return make_user("buyer@example.com", plan="starter")


def event(type_: str, obj: dict, created: int = T0, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{next(_ids)}",
        "object": "event",
        "type": type_,
        "created": created,
        "data": {"object": obj},
    }


def subscription_obj(
    user=None,
    sub_id="sub_1",
    customer="cus_1",
    price="price_plus",
    status="active",
    start=T0,
    end=T0 + 30 * DAY,
    period_on_items=True,
) -> dict:
    """A Stripe subscription; newer API versions keep current_period_* on the items."""
    item = {"id": "si_1", "object": "subscription_item", "price": {"id": price}}
    obj = {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "metadata": {"user_id": str(user.id)} if user else {},
        "items": {"object": "list", "data": [item]},
    }
    if period_on_items:
        item.update(current_period_start=start, current_period_end=end)
    else:
        obj.update(current_period_start=start, current_period_end=end)
    return obj


def invoice_obj(sub_id="sub_1", customer="cus_1", price="price_plus", start=T0, end=T0 + 30 * DAY):
    """A subscription invoice in the newer API shape (subscription under parent)."""
    return {
        "id": "in_1",
        "object": "invoice",
        "customer": customer,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub_id, "metadata": {}},
        },
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": "il_1",
                    "period": {"start": start, "end": end},
                    "pricing": {"type": "price_details", "price_details": {"price": price}},
                }
            ],
        },
    }


def post(client, payload, secret=SECRET, signature=None, timestamp=None):
    """Post an event signed the way Stripe signs it (v1 HMAC over 't.body')."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    headers = {"Content-Type": "application/json"}
    if signature is None and secret is not None:
        signature = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/billing/webhook", data=body, headers=headers)


def sub_of(user) -> Subscription:
    _db.session.expire_all()
    return plans.subscription_of(user)


def plan_changes(user) -> list[dict]:
    rows = _db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.user_id == user.id, AuditEvent.action == "plan.changed")
        .order_by(AuditEvent.created_at)
    ).all()
    return [r.details for r in rows]


def stored_events() -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent))


# --- signatures ---------------------------------------------------------------------------------


def test_signed_event_accepted_and_replay_changes_nothing(client, stripe_setup):
    ev = event("customer.created", {"id": "cus_x", "object": "customer"})
    first = post(client, ev)
    replay = post(client, ev)
    assert first.status_code == 200 and first.get_json()["outcome"] == "recorded"
    assert replay.status_code == 200 and replay.get_json()["outcome"] == "duplicate"
    assert stored_events() == 1


@pytest.mark.parametrize(
    "how",
    [
        "wrong_secret",
        "tampered_body",
        "missing_header",
        "garbage_header",
        "old_timestamp",
        "future_timestamp",
    ],
)
def test_bad_signature_answers_400_and_changes_nothing(client, starter, how):
    ev = event("customer.subscription.created", subscription_obj(starter, price="price_growth"))
    body = json.dumps(ev)
    if how == "wrong_secret":
        resp = post(client, body, secret="whsec_other")
    elif how == "tampered_body":
        sig = stripe.WebhookSignature.generate_signature_header(body, SECRET)
        resp = post(client, body.replace("price_growth", "price_plus"), signature=sig)
    elif how == "missing_header":
        resp = post(client, body, secret=None)
    elif how == "garbage_header":
        resp = post(client, body, signature="t=abc,v1=" + "0" * 64)
    elif how == "old_timestamp":
        resp = post(client, body, timestamp=int(time.time()) - 3600)
    else:
        # A real signature with the right secret, dated 10 minutes ahead of the server's clock.
        resp = post(client, body, timestamp=int(time.time()) + 600)
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_signature" and err["message"]
    assert stored_events() == 0
    sub = sub_of(starter)
    assert sub.plan == "starter" and sub.stripe_subscription_id is None
    assert plan_changes(starter) == []


def test_webhook_secret_not_configured_answers_400(client, starter, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "")
    resp = post(client, event("customer.created", {"id": "cus_x"}))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "webhook_not_configured"
    assert "STRIPE_WEBHOOK_SECRET" in resp.get_json()["error"]["message"]
    assert stored_events() == 0


def test_signed_body_that_is_not_an_event_answers_400(client, stripe_setup):
    resp = post(client, "not json at all")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"


def test_webhook_needs_no_csrf_token_or_login(client, stripe_setup, app):
    # CSRF protection is on for every form, yet Stripe's POST carries neither cookie nor token.
    assert app.config["WTF_CSRF_ENABLED"]
    resp = post(client, event("ping", {}))
    assert resp.status_code == 200


def test_unknown_event_type_is_recorded(client, stripe_setup):
    resp = post(client, event("payment_intent.created", {"id": "pi_1"}, event_id="evt_unknown"))
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "recorded"
    assert _db.session.get(StripeEvent, "evt_unknown").type == "payment_intent.created"


# --- each event type moves the subscription -----------------------------------------------------


def test_checkout_completed_links_user_and_applies_the_expanded_subscription(client, starter):
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(starter.id),
        "customer": "cus_1",
        "subscription": subscription_obj(price="price_growth", period_on_items=False),
    }
    resp = post(client, event("checkout.session.completed", session))
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "applied"
    sub = sub_of(starter)
    assert (sub.plan, sub.status) == ("growth", "active")
    assert (sub.stripe_customer_id, sub.stripe_subscription_id) == ("cus_1", "sub_1")
    assert sub.current_period_start.timestamp() == T0
    assert sub.current_period_end.timestamp() == T0 + 30 * DAY
    assert plans.user_limits(starter).files_per_batch == 200
    [change] = plan_changes(starter)
    assert (change["old"], change["new"], change["source"], change["event_type"]) == (
        "starter",
        "growth",
        "stripe",
        "checkout.session.completed",
    )


def test_checkout_completed_with_only_ids_links_and_waits_for_subscription_events(client, starter):
    # Without a Stripe API key nothing is fetched: the ids are linked, the plan comes next.
    session = {
        "id": "cs_1",
        "mode": "subscription",
        "client_reference_id": str(starter.id),
        "customer": "cus_1",
        "subscription": "sub_1",
    }
    resp = post(client, event("checkout.session.completed", session, created=T0 + 10))
    assert resp.get_json()["outcome"] == "linked"
    sub = sub_of(starter)
    assert (sub.plan, sub.stripe_customer_id, sub.stripe_subscription_id) == (
        "starter",
        "cus_1",
        "sub_1",
    )
    # Stripe creates the subscription a moment before the checkout completes: it still applies,
    # found by the subscription id now linked (the event has no metadata).
    obj = subscription_obj(None, price="price_plus")
    resp = post(client, event("customer.subscription.created", obj, created=T0 + 5))
    assert resp.get_json()["outcome"] == "applied"
    assert sub_of(starter).effective_plan == "plus"


def test_checkout_for_a_one_time_payment_is_ignored(client, starter):
    session = {"id": "cs_2", "mode": "payment", "client_reference_id": str(starter.id)}
    resp = post(client, event("checkout.session.completed", session))
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "ignored"
    assert sub_of(starter).stripe_customer_id is None


def test_subscription_created_before_checkout_finds_the_user_by_metadata(client, starter):
    resp = post(client, event("customer.subscription.created", subscription_obj(starter)))
    assert resp.get_json()["outcome"] == "applied"
    sub = sub_of(starter)
    assert (sub.plan, sub.status, sub.stripe_customer_id) == ("plus", "active", "cus_1")
    assert sub.current_period_end.timestamp() == T0 + 30 * DAY  # read from the item
    assert plans.user_limits(starter).batch_upload is True


def test_subscription_updated_changes_plan_and_audits(client, starter):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    upgraded = subscription_obj(starter, price="price_growth", start=T0, end=T0 + 30 * DAY)
    resp = post(client, event("customer.subscription.updated", upgraded, created=T0 + 60))
    assert resp.get_json()["outcome"] == "applied"
    assert sub_of(starter).plan == "growth"
    changes = [(c["old"], c["new"]) for c in plan_changes(starter)]
    assert changes == [("starter", "plus"), ("plus", "growth")]


def test_subscription_with_unknown_price_keeps_the_plan(client, starter):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    odd = subscription_obj(starter, price="price_someone_elses")
    post(client, event("customer.subscription.updated", odd, created=T0 + 1))
    assert sub_of(starter).plan == "plus"


def test_deleted_drops_to_starter_and_the_wizard_asks_for_an_upgrade(client, auth, starter, app):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    assert plans.user_limits(starter).batch_upload is True
    gone = subscription_obj(starter, status="canceled")
    resp = post(client, event("customer.subscription.deleted", gone, created=T0 + DAY))
    assert resp.status_code == 200
    sub = sub_of(starter)
    assert (sub.plan, sub.status) == ("starter", "canceled")
    limits = plans.user_limits(starter)
    assert limits.batch_upload is False and limits.pages_per_month == 50
    assert [(c["old"], c["new"]) for c in plan_changes(starter)][-1] == ("plus", "starter")
    if "batches.new" in app.view_functions:
        auth.login("buyer@example.com")
        page = client.get("/batches/new").get_data(as_text=True)
        assert "Upgrade required" in page


def test_invoice_paid_activates_and_sets_the_period(client, starter):
    post(
        client,
        event(
            "customer.subscription.created",
            subscription_obj(starter, status="incomplete"),
            created=T0,
        ),
    )
    assert sub_of(starter).effective_plan == "starter"  # not paid yet
    start, end = T0 + 30 * DAY, T0 + 61 * DAY
    resp = post(client, event("invoice.paid", invoice_obj(start=start, end=end), created=T0 + 5))
    assert resp.get_json()["outcome"] == "applied"
    sub = sub_of(starter)
    assert (sub.status, sub.effective_plan) == ("active", "plus")
    assert (sub.current_period_start.timestamp(), sub.current_period_end.timestamp()) == (
        start,
        end,
    )


def test_invoice_in_the_older_api_shape(client, starter):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    old_shape = {
        "id": "in_2",
        "object": "invoice",
        "customer": "cus_1",
        "subscription": "sub_1",
        "lines": {
            "data": [{"period": {"start": T0 + 9, "end": T0 + 99}, "price": {"id": "price_growth"}}]
        },
    }
    post(client, event("invoice.paid", old_shape, created=T0 + 10))
    sub = sub_of(starter)
    assert sub.plan == "growth" and sub.current_period_end.timestamp() == T0 + 99


def test_payment_failed_is_past_due_and_no_longer_grants_paid_limits(client, starter, auth):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    resp = post(client, event("invoice.payment_failed", invoice_obj(), created=T0 + 30 * DAY))
    assert resp.get_json()["outcome"] == "applied"
    sub = sub_of(starter)
    assert (sub.plan, sub.status, sub.effective_plan) == ("plus", "past_due", "starter")
    limits = plans.user_limits(starter)
    assert limits.batch_upload is False and limits.pages_per_month == 50
    auth.login("buyer@example.com")
    usage = client.get("/api/v1/usage").get_json()
    assert (usage["plan"], usage["status"], usage["pages_limit"]) == ("starter", "past_due", 50)
    page = client.get("/billing").get_data(as_text=True)
    assert "past due" in page and "Starter limits apply" in page
    # Paying the invoice brings the plan back.
    post(client, event("invoice.paid", invoice_obj(), created=T0 + 30 * DAY + 60))
    assert plans.user_limits(starter).batch_upload is True
    changes = [(c["old"], c["new"]) for c in plan_changes(starter)]
    assert changes == [("starter", "plus"), ("plus", "starter"), ("starter", "plus")]


# --- order and idempotency ----------------------------------------------------------------------


def test_an_older_event_arriving_late_is_ignored(client, starter):
    newer = subscription_obj(starter, price="price_growth")
    older = subscription_obj(starter, price="price_plus")
    post(client, event("customer.subscription.updated", newer, created=T0 + 100))
    late = event("customer.subscription.updated", older, created=T0 + 50)
    resp = post(client, late)
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "stale"
    assert sub_of(starter).plan == "growth"
    assert post(client, late).get_json()["outcome"] == "duplicate"


def test_a_late_payment_failure_does_not_undo_a_later_payment(client, starter):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    post(client, event("invoice.paid", invoice_obj(), created=T0 + 200))
    post(client, event("invoice.payment_failed", invoice_obj(), created=T0 + 100))
    assert sub_of(starter).status == "active"


def test_deleting_a_replaced_subscription_keeps_the_new_one(client, starter):
    post(client, event("customer.subscription.created", subscription_obj(starter), created=T0))
    post(client, event("customer.subscription.deleted", subscription_obj(starter), created=T0 + 1))
    new = subscription_obj(starter, sub_id="sub_2", price="price_growth")
    post(client, event("customer.subscription.created", new, created=T0 + 2))
    # The old subscription's final update comes later still (Stripe does not promise order).
    old = subscription_obj(starter, sub_id="sub_1", status="canceled")
    resp = post(client, event("customer.subscription.updated", old, created=T0 + 3))
    assert resp.get_json()["outcome"] == "ignored"
    sub = sub_of(starter)
    assert (sub.plan, sub.status, sub.stripe_subscription_id) == ("growth", "active", "sub_2")


def test_replay_of_a_plan_change_changes_nothing(client, starter):
    ev = event("customer.subscription.created", subscription_obj(starter))
    post(client, ev)
    before = sub_of(starter).updated_at
    # Even if the row was changed by hand since, replaying the event does not re-apply it.
    from app.services import accounts

    accounts.set_plan(sub_of(starter).user, "growth")
    _db.session.commit()
    assert post(client, ev).get_json()["outcome"] == "duplicate"
    sub = sub_of(starter)
    assert sub.plan == "growth" and sub.updated_at >= before
    assert len([c for c in plan_changes(starter) if c.get("source") == "stripe"]) == 1


def test_concurrent_duplicate_delivery_hits_the_primary_key(app, starter):
    """Two deliveries of one event at once: the second waits on the first and becomes a replay."""
    ev = event("customer.subscription.created", subscription_obj(starter), event_id="evt_twice")
    assert billing.handle_event(ev) == "applied"  # first delivery, not committed yet
    outcome = {}

    def second_delivery():
        with app.app_context():
            outcome["value"] = billing.handle_event(ev)
            _db.session.commit()

    thread = threading.Thread(target=second_delivery)
    thread.start()
    try:
        waiting = 0
        deadline = time.monotonic() + 20
        with _db.engine.connect() as probe:
            while waiting == 0 and time.monotonic() < deadline:
                waiting = probe.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar()
                probe.rollback()
                time.sleep(0.02)
        assert waiting == 1, "the second delivery should wait on the first one's insert"
    finally:
        _db.session.commit()
        thread.join(timeout=20)
    assert outcome["value"] == "duplicate"
    assert stored_events() == 1
    assert len(plan_changes(starter)) == 1


def test_an_oversized_body_is_refused_before_it_is_read(client, stripe_setup):
    ev = event("customer.created", {"id": "cus_x", "padding": "x" * (1024 * 1024)})
    resp = post(client, ev)
    assert resp.status_code == 413
    err = resp.get_json()["error"]
    assert err["code"] == "file_too_large"
    assert err["message"].startswith("The webhook body is too large") and "MB" not in err["message"]
    assert stored_events() == 0


def test_a_signature_a_little_ahead_of_the_clock_is_accepted(client, stripe_setup):
    # Stripe's clock and ours may differ by seconds: up to 5 minutes ahead is still fine.
    resp = post(
        client, event("customer.created", {"id": "cus_x"}), timestamp=int(time.time()) + 240
    )
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "recorded"
