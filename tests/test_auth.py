"""Registration, login, CSRF and the pages that need a login."""

import pytest

from app.models import Plan, User
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user


def register(client, email, password=PASSWORD, confirm=None, with_csrf=True):
    data = {"email": email, "password": password, "confirm": confirm or password}
    if with_csrf:
        data["csrf_token"] = csrf_from(client.get("/register").get_data(as_text=True))
    return client.post("/register", data=data)


def test_register_creates_starter_user_and_logs_in(client, db):
    resp = register(client, "New@Example.com")
    assert resp.status_code == 302
    user = db.session.query(User).one()
    assert user.email == "new@example.com"
    assert user.password_hash != PASSWORD
    assert user.subscription.plan == Plan.STARTER
    assert client.get("/dashboard").status_code == 200


def test_register_duplicate_email_in_other_case_is_refused(client, db):
    make_user("taken@example.com")
    resp = register(client, "TAKEN@example.com")
    assert resp.status_code == 400
    assert "already exists" in resp.get_data(as_text=True)
    assert db.session.query(User).count() == 1


def test_register_without_csrf_is_400(client, db):
    resp = register(client, "x@example.com", with_csrf=False)
    assert resp.status_code == 400
    assert db.session.query(User).count() == 0


def test_login_wrong_password(client, auth, db):
    make_user("me@example.com")
    resp = auth.login("me@example.com", "wrong-password")
    assert resp.status_code == 400
    assert "Wrong email or password" in resp.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_is_case_insensitive_and_logout_works(client, auth, db):
    make_user("me@example.com")
    assert auth.login("ME@example.com").status_code == 302
    assert client.get("/dashboard").status_code == 200
    auth.logout()
    assert client.get("/dashboard").status_code == 302


def test_login_without_csrf_is_400(client, db):
    make_user("me@example.com")
    resp = client.post("/login", data={"email": "me@example.com", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_login_redirect_ignores_foreign_next(client, db):
    make_user("me@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login?next=https://evil.example/x",
        data={"email": "me@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert resp.headers["Location"].endswith("/dashboard")


@pytest.mark.parametrize("path", ["/dashboard", "/account"])
def test_pages_need_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_login_is_rate_limited(client, auth, db, app):
    make_user("me@example.com")
    limit = int(app.config["RATELIMIT_LOGIN"].split()[0])
    codes = [auth.login("me@example.com", "wrong-password").status_code for _ in range(limit + 1)]
    assert codes[:limit] == [400] * limit
    assert codes[-1] == 429


def test_email_is_escaped_in_pages(client, auth, db):
    make_user("<b>x</b>@example.com")
    auth.login("<b>x</b>@example.com")
    html = client.get("/account").get_data(as_text=True)
    assert "<b>x</b>@example.com" not in html
    assert "&lt;b&gt;x&lt;/b&gt;@example.com" in html


def test_forms_carry_no_empty_aria_attributes_and_errors_point_at_their_message(client, db):
    page = client.get("/login").data.decode()
    assert '"None"' not in page
    assert "aria-invalid" not in page
    refused = client.post(
        "/register",
        data={
            "csrf_token": csrf_from(client.get("/register").data.decode()),
            "email": "a@b.example",
        },
    ).data.decode()
    assert '"None"' not in refused
    assert 'aria-invalid="true"' in refused and 'aria-describedby="password-err"' in refused
    assert 'id="password-err"' in refused


def test_the_favicon_is_served(client, db):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301
    icon = client.get(resp.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/login").data.decode()
