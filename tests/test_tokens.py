"""Personal API tokens: created on the account page or the CLI, stored hashed, revocable."""

from app.models import ApiToken
from tests.conftest import csrf_from
from tests.factories import make_token, make_user


def test_valid_token_authenticates(client, db):
    user = make_user("api@example.com", plan="plus")
    token = make_token(user)
    resp = client.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    assert resp.json["plan"] == "plus"
    assert resp.json["pages_limit"] == 1000


def test_token_is_stored_hashed(db):
    user = make_user()
    token = make_token(user)
    row = db.session.query(ApiToken).one()
    assert token not in (row.token_hash, row.prefix)


def test_garbage_and_missing_tokens_are_401(client, db):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        resp = client.get("/api/v1/usage", headers=headers)
        assert resp.status_code == 401
        assert resp.json["error"]["code"] == "unauthorized"


def test_bad_token_wins_over_a_session(client, auth, db):
    make_user("me@example.com")
    auth.login("me@example.com")
    assert client.get("/api/v1/usage").status_code == 200
    assert client.get("/api/v1/usage", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_account_page_creates_shows_once_and_revokes(client, auth, db):
    make_user("me@example.com")
    auth.login("me@example.com")
    page = client.get("/account").get_data(as_text=True)
    resp = client.post("/account/tokens", data={"name": "script", "csrf_token": csrf_from(page)})
    html = resp.get_data(as_text=True)
    token = html.split('id="new-token">')[1].split("<")[0]
    assert (
        client.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    assert token not in client.get("/account").get_data(as_text=True)

    row = db.session.query(ApiToken).one()
    page = client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert (
        client.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_cannot_revoke_another_users_token(client, auth, db):
    other = make_user("other@example.com")
    other_token = make_token(other)
    make_user("me@example.com")
    auth.login("me@example.com")
    row = db.session.query(ApiToken).one()
    page = client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert (
        client.get("/api/v1/usage", headers={"Authorization": f"Bearer {other_token}"}).status_code
        == 200
    )


def test_cli_users_and_tokens(runner, client, db):
    out = runner.invoke(
        args=["users", "create", "Cli@Example.com", "--password", "longpassword", "--plan", "plus"]
    )
    assert out.exit_code == 0, out.output
    dup = runner.invoke(args=["users", "create", "cli@example.com", "--password", "longpassword"])
    assert dup.exit_code != 0
    out = runner.invoke(args=["tokens", "create", "cli@example.com"])
    token = out.output.strip().splitlines()[-1]
    resp = client.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"})
    assert resp.json["plan"] == "plus"
    runner.invoke(args=["set-plan", "cli@example.com", "growth"])
    assert (
        client.get("/api/v1/usage", headers={"Authorization": f"Bearer {token}"}).json[
            "pages_limit"
        ]
        == 5000
    )
    shown = runner.invoke(args=["usage", "show", "cli@example.com"])
    assert "0 of 5000" in shown.output
    missing = runner.invoke(args=["usage", "show", "nobody@example.com"])
    assert missing.exit_code != 0 and "No user" in missing.output
