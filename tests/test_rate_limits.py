"""Rate limits on Redis: creations per plan per hour, login attempts, the API; 429 + Retry-After."""

import copy
import re

import pytest
from flask import Blueprint, jsonify, request

from app.extensions import csrf, limiter
from app.rate_limits import creation_limit, limit_creations
from app.services import accounts, reads
from config import TestConfig
from tests.factories import make_batch, make_token, make_user

TINY = {"starter": 2, "plus": 3, "growth": 5}


@pytest.fixture(scope="module")
def probe_app(app):
    """The app with tiny hourly creation limits and two create-like endpoints sharing them."""
    from app import create_app
    from app.extensions import db

    plans = copy.deepcopy(app.config["PLANS"])
    for plan, per_hour in TINY.items():
        plans[plan]["creations_per_hour"] = per_hour

    class ProbeConfig(TestConfig):
        PLANS = plans
        STORAGE_URL = app.config["STORAGE_URL"]
        RATELIMIT_LOGIN = "3 per minute"
        RATELIMIT_API = "3 per minute"
        RATELIMIT_STATUS = "3 per minute"

    probe = create_app(ProbeConfig)
    bp = Blueprint("probe", __name__)
    csrf.exempt(bp)

    @bp.post("/probe/batches")
    @limit_creations
    def create_batch():
        if request.args.get("reject"):
            return jsonify({"error": {"code": "no_files", "message": "No files."}}), 400
        return jsonify({"created": True, "limit": creation_limit()}), 202

    @bp.post("/probe/documents")
    @limit_creations
    def create_document():
        return jsonify({"created": True}), 202

    probe.register_blueprint(bp)
    yield probe
    with probe.app_context():
        reads.dispose()
        db.engine.dispose()


@pytest.fixture
def probe(probe_app, db):
    """Post to the probe endpoints as a user, by Bearer token."""

    class Probe:
        client = probe_app.test_client()

        def post(self, token, path="/probe/batches", **query):
            return self.client.post(
                path, query_string=query, headers={"Authorization": f"Bearer {token}"}
            )

        def get(self, token, path):
            return self.client.get(path, headers={"Authorization": f"Bearer {token}"})

    return Probe()


def user_token(email, plan):
    user = make_user(email, plan=plan)
    return user, make_token(user)


def assert_rate_limited(resp, window_seconds):
    """A 429: JSON error, one Retry-After in whole seconds within the window."""
    assert resp.status_code == 429
    assert resp.headers.getlist("Retry-After") == [resp.headers["Retry-After"]]
    retry = int(resp.headers["Retry-After"])
    assert 0 < retry <= window_seconds + 1
    body = resp.get_json()
    assert body["error"]["code"] == "rate_limited"
    assert f"Try again in {retry} seconds" in body["error"]["message"]
    assert body["error"]["details"]["retry_after"] == retry
    return retry


@pytest.mark.parametrize("plan", ["starter", "plus", "growth"])
def test_creations_per_plan_answer_429_at_the_right_count(probe, plan):
    _user, token = user_token(f"{plan}@example.com", plan)
    for n in range(TINY[plan]):
        resp = probe.post(token)
        assert resp.status_code == 202, f"creation {n + 1} of {TINY[plan]}"
        assert resp.get_json()["limit"] == f"{TINY[plan]} per hour"
    assert_rate_limited(probe.post(token), 3600)


def test_batches_and_documents_share_one_allowance(probe):
    _user, token = user_token("shared@example.com", "starter")
    assert probe.post(token, "/probe/batches").status_code == 202
    assert probe.post(token, "/probe/documents").status_code == 202
    assert probe.post(token, "/probe/batches").status_code == 429
    assert probe.post(token, "/probe/documents").status_code == 429


def test_rejected_requests_cost_nothing(probe):
    _user, token = user_token("careful@example.com", "starter")
    for _ in range(4):
        assert probe.post(token, reject=1).status_code == 400
    assert probe.post(token).status_code == 202
    assert probe.post(token).status_code == 202
    assert probe.post(token).status_code == 429


def test_each_user_has_their_own_allowance(probe):
    _a, token_a = user_token("a@example.com", "starter")
    _b, token_b = user_token("b@example.com", "starter")
    for _ in range(2):
        probe.post(token_a)
    assert probe.post(token_a).status_code == 429
    assert probe.post(token_b).status_code == 202


def test_upgrading_raises_the_limit_at_once(probe, db):
    user, token = user_token("grower@example.com", "starter")
    for _ in range(2):
        probe.post(token)
    assert probe.post(token).status_code == 429
    accounts.set_plan(user, "plus")
    db.session.commit()
    resp = probe.post(token)
    assert resp.status_code == 202 and resp.get_json()["limit"] == "3 per hour"


def test_limits_reset(probe, probe_app):
    _user, token = user_token("patient@example.com", "starter")
    for _ in range(2):
        probe.post(token)
    assert probe.post(token).status_code == 429
    with probe_app.app_context():
        limiter.reset()
    assert probe.post(token).status_code == 202


def test_retry_after_counts_down_with_the_window(probe, redis_conn):
    """Retry-After is the time left in the window, not the window's full length."""
    _user, token = user_token("waiting@example.com", "starter")
    for _ in range(2):
        probe.post(token)
    first = assert_rate_limited(probe.post(token), 3600)
    assert first > 3500
    [key] = [k for k in redis_conn.keys("LIMITS*") if b"creations" in k]
    redis_conn.expire(key, 120)  # two minutes of the hour are left
    retry = assert_rate_limited(probe.post(token), 3600)
    assert 119 <= retry <= 121
    assert resp_reset_matches(probe.post(token), retry)
    redis_conn.delete(key)  # the window ends
    assert probe.post(token).status_code == 202


def resp_reset_matches(resp, retry) -> bool:
    """X-RateLimit-Reset and Retry-After describe the same moment."""
    import time

    return abs(int(resp.headers["X-RateLimit-Reset"]) - time.time() - retry) <= 2


def test_login_attempts_are_limited(probe):
    client = probe.client
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"email": "nobody@example.com", "password": "wrong-password", "csrf_token": token}
    for _ in range(3):
        assert client.post("/login", data=form).status_code == 400
    resp = client.post("/login", data=form)
    assert resp.status_code == 429
    assert len(resp.headers.getlist("Retry-After")) == 1
    retry = int(resp.headers["Retry-After"])
    assert 0 < retry <= 61
    html = resp.get_data(as_text=True)
    assert "Slow down" in html and f"Try again in {retry} seconds" in html
    # The same limit answers JSON clients in the error shape of docs/errors.md.
    resp = client.post("/login", data=form, headers={"Accept": "application/json"})
    assert_rate_limited(resp, 60)


def test_api_requests_are_limited_per_user(probe):
    _a, token_a = user_token("api-a@example.com", "growth")
    _b, token_b = user_token("api-b@example.com", "growth")
    for _ in range(3):
        resp = probe.get(token_a, "/api/v1/usage")
        assert resp.status_code == 200
        assert "Retry-After" not in resp.headers  # only a refused request says when to retry
    assert_rate_limited(probe.get(token_a, "/api/v1/usage"), 60)
    # Another user behind the same address keeps their own allowance.
    assert probe.get(token_b, "/api/v1/usage").status_code == 200


def test_status_polls_count_full_answers_only(probe):
    """Full status answers use up RATELIMIT_STATUS; 304 revalidations cost nothing."""
    user, token = user_token("poller@example.com", "growth")
    other, other_token = user_token("poller-b@example.com", "growth")
    batch_id = make_batch(user).id
    path = f"/api/v1/batches/{batch_id}"
    first = probe.get(token, path)
    assert first.status_code == 200
    tag = {"If-None-Match": first.headers["ETag"]}
    for _ in range(10):
        resp = probe.client.get(path, headers={"Authorization": f"Bearer {token}", **tag})
        assert resp.status_code == 304
    assert probe.get(token, path).status_code == 200
    assert probe.get(token, path).status_code == 200
    assert_rate_limited(probe.get(token, path), 60)
    # Still answered when nothing changed, and the other API routes keep their own allowance.
    resp = probe.client.get(path, headers={"Authorization": f"Bearer {token}", **tag})
    assert resp.status_code == 304
    assert probe.get(token, "/api/v1/usage").status_code == 200
    # Another user polling their own batch is not affected.
    assert probe.get(other_token, f"/api/v1/batches/{make_batch(other).id}").status_code == 200
