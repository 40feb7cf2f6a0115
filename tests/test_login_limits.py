"""Login attempts count per account as well as per address; unknown emails cost a password check."""

import pytest

import app.models.user as user_model
from app.services import accounts
from config import TestConfig
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user


@pytest.fixture(scope="module")
def proxied_app(app):
    """The app behind one trusted proxy hop, with a small login limit."""
    from app import create_app
    from app.extensions import db

    class Proxied(TestConfig):
        STORAGE_URL = app.config["STORAGE_URL"]
        RATELIMIT_LOGIN = "3 per minute"
        PROXY_FIX_X_FOR = 1

    proxied = create_app(Proxied)
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def attempt(client, email, password="wrong-password", address="198.51.100.1"):
    """One login attempt that says it comes from `address` (X-Forwarded-For)."""
    headers = {"X-Forwarded-For": address}
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
    )


def test_a_new_address_per_attempt_does_not_get_around_the_account_limit(proxied_app, db):
    make_user("victim@example.com")
    client = proxied_app.test_client()
    spellings = ["victim@example.com", "VICTIM@example.com", " Victim@Example.com "]
    for n, email in enumerate(spellings):
        assert attempt(client, email, address=f"203.0.113.{n + 1}").status_code == 400
    refused = attempt(client, "victim@example.com", PASSWORD, address="203.0.113.99")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    # Another account, from yet another address, is not held up.
    make_user("other@example.com")
    assert (
        attempt(client, "other@example.com", PASSWORD, address="203.0.113.100").status_code == 302
    )


def test_the_address_limit_still_holds_across_accounts(proxied_app, db):
    client = proxied_app.test_client()
    for n in range(3):
        assert attempt(client, f"nobody{n}@example.com").status_code == 400
    assert attempt(client, "nobody9@example.com").status_code == 429


@pytest.fixture
def password_checks(monkeypatch):
    """Count the password hash checks, made by the real function."""
    calls = []
    real = user_model.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_model, "check_password_hash", counting)
    return calls


def test_an_unknown_email_costs_the_same_password_check(auth, db, password_checks):
    user = make_user("me@example.com")
    assert auth.login("nobody@example.com", "wrong-password").status_code == 400
    assert len(password_checks) == 1
    # The dummy hash is made once, the way real passwords are hashed.
    method = user.password_hash.split("$", 1)[0]
    assert password_checks[0].split("$", 1)[0] == method
    assert password_checks[0] != user.password_hash
    assert auth.login("nobody-else@example.com", "wrong-password").status_code == 400
    assert password_checks[1] == password_checks[0]
    assert auth.login("me@example.com", "wrong-password").status_code == 400
    assert password_checks[2] == user.password_hash
    assert len(password_checks) == 3


def test_authenticate_never_accepts_the_dummy(db):
    assert accounts.authenticate("nobody@example.com", "") is None
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None
