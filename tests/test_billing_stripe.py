"""Checkout, portal and subscription look-ups against a local stand-in for Stripe's API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
import stripe

from app.extensions import db as _db
from app.models import StripeEvent
from app.services import plans
from tests.conftest import csrf_from
from tests.factories import make_user

SECRET = "whsec_test_secret"
API_KEY = "sk_test_standin"
T0 = 1_767_225_600


class StripeStandIn:
    """Answers Stripe API paths with canned JSON and records every request it receives."""

    def __init__(self):
        self.requests: list[dict] = []
        self.routes: dict[tuple[str, str], tuple[int, dict]] = {}
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path = urlparse(self.path).path
                standin.requests.append(
                    {
                        "method": method,
                        "path": path,
                        "form": {k: v[0] for k, v in parse_qs(body).items()},
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                status, payload = standin.routes.get(
                    (method, path),
                    (404, {"error": {"type": "invalid_request_error", "message": "No such path"}}),
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.handle_one("GET")

            def do_POST(self):
                self.handle_one("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def on(self, method: str, path: str, payload: dict, status: int = 200) -> None:
        self.routes[(method, path)] = (status, payload)

    def calls(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def stripe_api(app, monkeypatch):
    """Stripe configured with its API base pointed at a stand-in on a free local port."""
    standin = StripeStandIn()
    standin.thread.start()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", API_KEY)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", standin.url)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setitem(app.config["PLANS"]["plus"], "price_id", "price_plus")
    monkeypatch.setitem(app.config["PLANS"]["growth"], "price_id", "price_growth")
    yield standin
    standin.server.shutdown()
    standin.server.server_close()


@pytest.fixture
def starter(db):
    return make_user("buyer@example.com", plan="starter")


def billing_csrf(client) -> str:
    return csrf_from(client.get("/billing").get_data(as_text=True))


def test_checkout_redirects_to_the_session_url_with_the_right_price(
    client, auth, starter, stripe_api
):
    stripe_api.on(
        "POST",
        "/v1/checkout/sessions",
        {"id": "cs_test_1", "object": "checkout.session", "url": "https://pay.example/cs_test_1"},
    )
    auth.login("buyer@example.com")
    html = client.get("/billing").get_data(as_text=True)
    assert "Upgrade to Plus" in html and "Upgrade to Growth" in html
    resp = client.post("/billing/checkout", data={"csrf_token": csrf_from(html), "plan": "plus"})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "https://pay.example/cs_test_1"
    [call] = stripe_api.calls("/v1/checkout/sessions")
    form = call["form"]
    assert call["authorization"] == f"Bearer {API_KEY}"
    assert form["mode"] == "subscription"
    assert form["line_items[0][price]"] == "price_plus"
    assert form["line_items[0][quantity]"] == "1"
    assert form["client_reference_id"] == str(starter.id)
    assert form["customer_email"] == "buyer@example.com" and "customer" not in form
    assert form["subscription_data[metadata][user_id]"] == str(starter.id)
    assert form["success_url"] == "http://localhost/billing?checkout=success"
    assert form["cancel_url"] == "http://localhost/billing?checkout=cancelled"


def test_checkout_reuses_the_known_stripe_customer(client, auth, starter, stripe_api):
    stripe_api.on("POST", "/v1/checkout/sessions", {"id": "cs_2", "url": "https://pay.example/2"})
    sub = plans.subscription_of(starter)
    sub.stripe_customer_id = "cus_known"
    sub.status = "canceled"  # an earlier subscription ended; the customer stays
    _db.session.commit()
    auth.login("buyer@example.com")
    client.post("/billing/checkout", data={"csrf_token": billing_csrf(client), "plan": "growth"})
    [call] = stripe_api.calls("/v1/checkout/sessions")
    assert call["form"]["customer"] == "cus_known"
    assert "customer_email" not in call["form"]
    assert call["form"]["line_items[0][price]"] == "price_growth"


def test_stripe_error_on_checkout_is_a_message_not_a_500(client, auth, starter, stripe_api):
    stripe_api.on(
        "POST",
        "/v1/checkout/sessions",
        {"error": {"type": "invalid_request_error", "message": "No such price: 'price_plus'"}},
        status=400,
    )
    auth.login("buyer@example.com")
    resp = client.post(
        "/billing/checkout", data={"csrf_token": billing_csrf(client), "plan": "plus"}
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/billing")
    html = client.get("/billing").get_data(as_text=True)
    assert "Stripe could not start the checkout" in html


def test_portal_redirects_to_the_portal_session(client, auth, starter, stripe_api):
    stripe_api.on(
        "POST",
        "/v1/billing_portal/sessions",
        {"id": "bps_1", "object": "billing_portal.session", "url": "https://portal.example/1"},
    )
    sub = plans.subscription_of(starter)
    sub.stripe_customer_id, sub.stripe_subscription_id = "cus_1", "sub_1"
    sub.plan, sub.status = "plus", "active"
    _db.session.commit()
    auth.login("buyer@example.com")
    html = client.get("/billing").get_data(as_text=True)
    assert "Manage subscription" in html
    assert 'action="/billing/checkout"' not in html  # a running subscription changes in the portal
    resp = client.post("/billing/portal", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 303 and resp.headers["Location"] == "https://portal.example/1"
    [call] = stripe_api.calls("/v1/billing_portal/sessions")
    assert call["form"] == {"customer": "cus_1", "return_url": "http://localhost/billing"}


def test_checkout_with_a_running_subscription_goes_to_the_portal(client, auth, starter, stripe_api):
    stripe_api.on("POST", "/v1/billing_portal/sessions", {"url": "https://portal.example/2"})
    sub = plans.subscription_of(starter)
    sub.stripe_customer_id, sub.stripe_subscription_id = "cus_1", "sub_1"
    sub.plan, sub.status = "plus", "active"
    _db.session.commit()
    auth.login("buyer@example.com")
    resp = client.post(
        "/billing/checkout", data={"csrf_token": billing_csrf(client), "plan": "growth"}
    )
    assert resp.headers["Location"] == "https://portal.example/2"
    assert stripe_api.calls("/v1/checkout/sessions") == []


def test_portal_without_a_stripe_customer_explains(client, auth, starter, stripe_api):
    auth.login("buyer@example.com")
    resp = client.post("/billing/portal", data={"csrf_token": billing_csrf(client)})
    assert resp.status_code == 303
    assert "choose a paid plan first" in client.get("/billing").get_data(as_text=True)
    assert stripe_api.requests == []


def signed_post(client, ev: dict):
    body = json.dumps(ev)
    sig = stripe.WebhookSignature.generate_signature_header(body, SECRET)
    return client.post(
        "/billing/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": sig},
    )


def completed_event(user, event_id="evt_cs_1") -> dict:
    session = {
        "id": "cs_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(user.id),
        "customer": "cus_1",
        "subscription": "sub_1",
    }
    return {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "created": T0,
        "data": {"object": session},
    }


def test_checkout_completed_fetches_the_subscription_when_it_needs_to(client, starter, stripe_api):
    stripe_api.on(
        "GET",
        "/v1/subscriptions/sub_1",
        {
            "id": "sub_1",
            "object": "subscription",
            "customer": "cus_1",
            "status": "trialing",
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": "si_1",
                        "object": "subscription_item",
                        "price": {"id": "price_growth", "object": "price"},
                        "current_period_start": T0,
                        "current_period_end": T0 + 14 * 86_400,
                    }
                ],
            },
        },
    )
    resp = signed_post(client, completed_event(starter))
    assert resp.status_code == 200 and resp.get_json()["outcome"] == "applied"
    [call] = stripe_api.calls("/v1/subscriptions/sub_1")
    assert call["method"] == "GET"
    _db.session.expire_all()
    sub = plans.subscription_of(starter)
    assert (sub.plan, sub.status, sub.effective_plan) == ("growth", "trialing", "growth")
    assert sub.current_period_end.timestamp() == T0 + 14 * 86_400


def test_checkout_completed_after_the_subscription_event_needs_no_fetch(
    client, starter, stripe_api
):
    sub = plans.subscription_of(starter)
    sub.stripe_subscription_id, sub.stripe_updated_at = "sub_1", T0 - 5
    sub.plan, sub.status = "plus", "active"
    _db.session.commit()
    resp = signed_post(client, completed_event(starter))
    assert resp.get_json()["outcome"] == "linked"
    assert stripe_api.requests == []


def test_failed_fetch_answers_503_and_leaves_the_event_for_redelivery(client, starter, stripe_api):
    # The stand-in does not know sub_1 yet: Stripe's error makes the delivery fail.
    resp = signed_post(client, completed_event(starter))
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "service_unavailable"
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    _db.session.expire_all()
    assert plans.subscription_of(starter).stripe_customer_id is None
    # Stripe delivers the same event again once the API answers.
    stripe_api.on(
        "GET",
        "/v1/subscriptions/sub_1",
        {
            "id": "sub_1",
            "customer": "cus_1",
            "status": "active",
            "items": {"data": [{"price": {"id": "price_plus"}}]},
            "current_period_start": T0,
            "current_period_end": T0 + 86_400,
        },
    )
    assert signed_post(client, completed_event(starter)).get_json()["outcome"] == "applied"
    _db.session.expire_all()
    assert plans.subscription_of(starter).effective_plan == "plus"
