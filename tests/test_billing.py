"""The /billing page and its buttons, with and without Stripe configured."""

import re

import pytest

from app.extensions import db as _db
from app.services import accounts
from tests.conftest import csrf_from
from tests.factories import make_user


@pytest.fixture
def no_stripe(app, monkeypatch):
    """An installation without Stripe: no secret key, no price ids."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    monkeypatch.setitem(app.config["PLANS"]["plus"], "price_id", "")
    monkeypatch.setitem(app.config["PLANS"]["growth"], "price_id", "")


@pytest.fixture
def starter(db):
    return make_user("free@example.com", plan="starter")


def page(client, path="/billing") -> str:
    resp = client.get(path)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def flashes(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).strip()
        for m in re.findall(r'<div class="flash flash-\w+">(.*?)</div>', html, re.S)
    ]


def test_billing_needs_login(client):
    resp = client.get("/billing")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_page_shows_plan_usage_and_the_plans_side_by_side(client, auth, starter, no_stripe):
    auth.login("free@example.com")
    html = page(client)
    assert "Plans and billing" in html
    assert 'id="pages-used">0<' in html and 'id="pages-left">50<' in html
    assert 'role="progressbar"' in html and 'aria-valuemax="50"' in html
    for plan in ("starter", "plus", "growth"):
        assert f'id="plan-{plan}"' in html
    # The plans' numbers on the cards.
    assert "<strong>1,000</strong> pages per month" in html
    assert "<strong>5,000</strong> pages per month" in html
    assert "up to <strong>200</strong> files per batch" in html
    assert "Single-document upload only" in html
    assert "the calendar month" in html


def test_without_stripe_there_are_no_dead_buttons_only_the_set_plan_hint(
    client, auth, starter, no_stripe
):
    auth.login("free@example.com")
    html = page(client)
    assert 'action="/billing/checkout"' not in html
    assert 'action="/billing/portal"' not in html
    assert "Online payment is not set up on this installation." in html
    assert "flask " not in html, "no operator commands on a user's page"
    assert 'data-manual-plan="plus"' in html and 'data-manual-plan="growth"' in html
    assert "Ask the operator of this installation to switch you to Plus." in html


def test_checkout_without_stripe_explains_instead_of_failing(client, auth, starter, no_stripe):
    auth.login("free@example.com")
    token = csrf_from(page(client))
    resp = client.post("/billing/checkout", data={"csrf_token": token, "plan": "plus"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/billing")
    [message] = flashes(page(client))
    assert "STRIPE_SECRET_KEY is not set" in message and "Ask the operator" in message
    assert "flask " not in message


def test_checkout_for_a_plan_without_price_names_the_missing_setting(
    client, auth, starter, no_stripe, app, monkeypatch
):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config["PLANS"]["plus"], "price_id", "price_plus")
    auth.login("free@example.com")
    html = page(client)
    # Plus can be bought; Growth explains what is missing instead of showing a button.
    assert 'name="plan" value="plus"' in html and 'name="plan" value="growth"' not in html
    assert "STRIPE_PRICE_GROWTH is not set" in html
    token = csrf_from(html)
    client.post("/billing/checkout", data={"csrf_token": token, "plan": "growth"})
    [message] = flashes(page(client))
    assert "STRIPE_PRICE_GROWTH" in message


def test_portal_without_stripe_explains(client, auth, starter, no_stripe):
    auth.login("free@example.com")
    token = csrf_from(page(client))
    resp = client.post("/billing/portal", data={"csrf_token": token})
    assert resp.status_code == 303
    [message] = flashes(page(client))
    assert "not set up" in message


@pytest.mark.parametrize("plan", ["starter", "platinum", ""])
def test_checkout_refuses_a_plan_that_cannot_be_bought(client, auth, starter, no_stripe, plan):
    auth.login("free@example.com")
    token = csrf_from(page(client))
    resp = client.post("/billing/checkout", data={"csrf_token": token, "plan": plan})
    assert resp.status_code == 303
    assert flashes(page(client)) == ["Choose the Plus or Growth plan to upgrade."]


@pytest.mark.parametrize("path", ["/billing/checkout", "/billing/portal"])
def test_billing_forms_need_the_csrf_token(client, auth, starter, path):
    auth.login("free@example.com")
    resp = client.post(path, data={"plan": "plus"})
    assert resp.status_code == 400


def test_manual_plan_is_shown_as_current(client, auth, starter, no_stripe):
    accounts.set_plan(starter, "growth")
    _db.session.commit()
    auth.login("free@example.com")
    html = page(client)
    growth_card = html.split('id="plan-growth"')[1].split("</article>")[0]
    assert "Current plan" in growth_card
    assert 'id="pages-left">5,000<' in html
    assert 'data-manual-plan="starter"' in html


def test_checkout_result_messages(client, auth, starter, no_stripe):
    auth.login("free@example.com")
    assert "Your plan changes as soon as Stripe confirms" in page(
        client, "/billing?checkout=success"
    )
    assert "nothing was charged" in page(client, "/billing?checkout=cancelled")


def test_navigation_usage_links_to_billing(client, auth, starter):
    auth.login("free@example.com")
    html = page(client, "/dashboard")
    pill = re.search(r'<a class="usage-pill" href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    assert pill and pill.group(1) == "/billing"
    assert "50 pages left" in pill.group(2)
    assert re.search(r'<a href="/billing"[^>]*>Billing</a>', html)
