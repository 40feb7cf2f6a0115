"""Logins that end: logout, log out everywhere, password change, a fresh session at login, CSRF."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.models import ApiToken, AuditEvent, User, UserSession
from app.models.types import utcnow
from tests.conftest import AuthActions, csrf_from
from tests.factories import PASSWORD, make_batch, make_token, make_user

NEW_PASSWORD = "battery-staple-77"


@pytest.fixture
def browser(app, db):
    """A second, independent browser (own cookies) logged in as nobody yet."""

    def make():
        client = app.test_client()
        return client, AuthActions(client)

    return make


def saved_cookie(client) -> str:
    """The session cookie as a copy of it could be kept."""
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh client that presents a saved session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def tokens(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))


def assert_logged_out(client):
    api = client.get("/api/v1/usage")
    assert api.status_code == 401
    assert api.json["error"]["code"] == "unauthorized"
    page = client.get("/dashboard")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_cookie_saved_before_logout_no_longer_reads_or_mints_tokens(app, client, auth, db):
    user = make_user("me@example.com")
    batch = make_batch(user)
    assert auth.login("me@example.com").status_code == 302
    status = client.get(f"/api/v1/batches/{batch.id}")
    assert status.status_code == 200
    # A revalidation the status cache answers without a query, before logout.
    tag = {"If-None-Match": status.headers["ETag"]}
    assert client.get(f"/api/v1/batches/{batch.id}", headers=tag).status_code == 304
    csrf = auth.csrf("/account")
    cookie = saved_cookie(client)
    assert auth.logout().status_code == 302

    stolen = replay(app, cookie)
    assert_logged_out(stolen)
    assert stolen.get(f"/api/v1/batches/{batch.id}").status_code == 401
    assert stolen.get(f"/api/v1/batches/{batch.id}", headers=tag).status_code == 401
    resp = stolen.post("/account/tokens", data={"name": "stolen", "csrf_token": csrf})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert tokens(db) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0


def test_logout_ends_this_browser_only(client, auth, browser, db):
    make_user("me@example.com")
    other, other_auth = browser()
    auth.login("me@example.com")
    other_auth.login("me@example.com")
    auth.logout()
    assert_logged_out(client)
    assert other.get("/api/v1/usage").status_code == 200
    assert other.get("/dashboard").status_code == 200


def test_an_expired_login_is_logged_out(client, auth, db):
    make_user("me@example.com")
    auth.login("me@example.com")
    assert client.get("/api/v1/usage").status_code == 200
    db.session.execute(sa.update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert_logged_out(client)


def test_a_login_starts_from_an_empty_session(app, client, auth, db):
    """A CSRF token (or any value) from before login is not carried into the logged-in session."""
    make_user("me@example.com")
    before = auth.csrf("/login")
    planted = saved_cookie(client)
    resp = client.post(
        "/login", data={"email": "me@example.com", "password": PASSWORD, "csrf_token": before}
    )
    assert resp.status_code == 302
    assert saved_cookie(client) != planted
    refused = client.post("/account/tokens", data={"name": "x", "csrf_token": before})
    assert refused.status_code == 400
    assert tokens(db) == 0
    fresh = auth.csrf("/account")
    assert fresh != before
    made = client.post("/account/tokens", data={"name": "x", "csrf_token": fresh})
    assert made.status_code == 200
    assert tokens(db) == 1


def test_a_csrf_token_from_before_logout_is_refused_after_it(client, auth, db):
    make_user("me@example.com")
    auth.login("me@example.com")
    old = auth.csrf("/account")
    auth.logout()
    auth.login("me@example.com")
    assert client.post("/account/tokens", data={"name": "x", "csrf_token": old}).status_code == 400
    assert tokens(db) == 0


def test_csrf_tokens_expire_with_the_login(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.config["SESSION_LIFETIME_HOURS"] * 3600
    assert app.permanent_session_lifetime == timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])


def test_log_out_everywhere_ends_every_login(client, auth, browser, db):
    user = make_user("me@example.com")
    token = make_token(user)
    other, other_auth = browser()
    auth.login("me@example.com")
    other_auth.login("me@example.com")
    page = client.get("/account").get_data(as_text=True)
    assert "also signed in on 1 other browser" in page
    assert "after 7 days" in page and "API tokens keep working" in page
    resp = client.post("/account/logout-everywhere", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert_logged_out(client)
    assert_logged_out(other)
    # API tokens are separate credentials.
    assert (
        other.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "sessions.ended")
    ).one()
    assert event.details["ended"] == 2


def test_log_out_everywhere_needs_the_csrf_token(client, auth, db):
    make_user("me@example.com")
    auth.login("me@example.com")
    assert client.post("/account/logout-everywhere").status_code == 400
    assert client.get("/api/v1/usage").status_code == 200


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    token = csrf_from(client.get("/account").get_data(as_text=True))
    return client.post(
        "/account/password",
        data={"current": current, "password": new, "confirm": confirm or new, "csrf_token": token},
    )


def test_password_change_ends_the_other_logins_and_keeps_this_one(app, client, auth, browser, db):
    user = make_user("me@example.com")
    token = make_token(user)
    other, other_auth = browser()
    auth.login("me@example.com")
    other_auth.login("me@example.com")
    before = saved_cookie(client)
    resp = change_password(client)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    assert "Your password was changed" in client.get("/account").get_data(as_text=True)
    assert client.get("/api/v1/usage").status_code == 200
    # This browser goes on with a fresh session: its cookie from before is worthless too.
    assert_logged_out(replay(app, before))
    assert_logged_out(other)
    assert (
        other.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    fresh, fresh_auth = browser()
    assert fresh_auth.login("me@example.com", PASSWORD).status_code == 400
    assert fresh_auth.login("me@example.com", NEW_PASSWORD).status_code == 302
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"password.changed", "sessions.ended"} <= actions


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-password", NEW_PASSWORD, None, "The current password is wrong."),
        (PASSWORD, "short", None, "Field must be between 8 and 200 characters long."),
        (PASSWORD, NEW_PASSWORD, "something-else", "Passwords differ."),
    ],
)
def test_password_change_needs_the_current_password_and_a_valid_new_one(
    client, auth, browser, db, current, new, confirm, message
):
    user = make_user("me@example.com")
    other, other_auth = browser()
    auth.login("me@example.com")
    other_auth.login("me@example.com")
    hashed = user.password_hash
    resp = change_password(client, current, new, confirm)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == hashed
    assert other.get("/api/v1/usage").status_code == 200
    assert client.get("/api/v1/usage").status_code == 200


def test_password_change_is_rate_limited(app, client, auth, browser, db):
    make_user("me@example.com")
    auth.login("me@example.com")
    limit = int(app.config["RATELIMIT_LOGIN"].split()[0])
    for _ in range(limit):
        assert change_password(client, current="wrong-password").status_code == 400
    assert change_password(client).status_code == 429
    _fresh, fresh_auth = browser()
    assert fresh_auth.login("me@example.com", NEW_PASSWORD).status_code == 400


def test_a_login_ended_by_another_process_is_refused_on_the_next_poll(client, auth, db):
    """The status cache hears of an ended login through PostgreSQL's change notices."""
    from app.services import status_cache
    from tests.test_status_cache import elsewhere, wait_for

    user = make_user("me@example.com")
    batch = make_batch(user)
    auth.login("me@example.com")
    cache = status_cache.current()
    if cache is None:
        pytest.skip("the status cache needs PostgreSQL")
    path = f"/api/v1/batches/{batch.id}"
    tag = {"If-None-Match": client.get(path).headers["ETag"]}
    assert client.get(path, headers=tag).status_code == 304
    login = "session:" + db.session.scalars(sa.select(UserSession.id)).one()
    assert cache.token_owner(login) == user.id

    elsewhere("DELETE FROM user_sessions WHERE user_id = %s", (user.id,))
    wait_for(lambda: cache.token_owner(login) is None, "the notice about the login")
    assert client.get(path, headers=tag).status_code == 401
