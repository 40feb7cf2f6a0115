"""Access matrix: every batch/document page, API route, export and download answers 404 to another
user, exactly as for an unknown id, and 401 (API) or a login redirect (pages) to nobody."""

import re
import uuid

import pytest

from app.models import Batch, BatchStatus, Document
from tests.batch_rows import reload, run_document
from tests.factories import make_batch, make_document, make_token, make_user

UNKNOWN = str(uuid.UUID(int=12345))

PAGES = [
    ("get", "/batches/{batch}"),
    ("get", "/documents/{doc}"),
    ("get", "/documents/{doc}/file"),
    ("get", "/documents/{single}"),
    ("post", "/batches/{batch}/cancel"),
    ("post", "/batches/{batch}/retry"),
    ("post", "/batches/{batch}/resume"),
    ("post", "/batches/{batch}/delete"),
    ("post", "/documents/{single}/delete"),
]
API = [
    ("get", "/api/v1/batches/{batch}"),
    ("post", "/api/v1/batches/{batch}/cancel"),
    ("post", "/api/v1/batches/{batch}/retry"),
    ("post", "/api/v1/batches/{batch}/resume"),
    ("delete", "/api/v1/batches/{batch}"),
    ("get", "/api/v1/batches/{batch}/export?format=csv"),
    ("get", "/api/v1/batches/{batch}/export?format=xlsx&rows=item"),
    ("get", "/api/v1/batches/{batch}/export?format=json"),
    ("get", "/api/v1/documents/{doc}"),
    ("delete", "/api/v1/documents/{single}"),
]


@pytest.fixture
def owned(user):
    """The owner's batch (with a failed document, so retry would apply) and a single upload."""
    batch = make_batch(user)
    doc = make_document(user, batch, filename="owned.pdf")
    other = make_document(user, batch, filename="second.pdf")
    run_document(other.id, "failed")
    single = make_document(user, None, filename="single.pdf")
    return {"batch": str(batch.id), "doc": str(doc.id), "single": str(single.id)}


def assert_untouched(owned):
    batch = reload(Batch, uuid.UUID(owned["batch"]))
    assert batch is not None
    assert (batch.status, batch.failed_count) == (BatchStatus.PROCESSING, 1)
    assert reload(Document, uuid.UUID(owned["single"])) is not None


@pytest.mark.parametrize("method,path", API)
def test_api_answers_404_to_another_user_like_an_unknown_id(client, owned, method, path):
    stranger = make_token(make_user("stranger@example.com"))
    headers = {"Authorization": f"Bearer {stranger}"}

    foreign = getattr(client, method)(path.format(**owned), headers=headers)
    unknown = getattr(client, method)(
        path.format(batch=UNKNOWN, doc=UNKNOWN, single=UNKNOWN), headers=headers
    )

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json() == unknown.get_json()
    assert foreign.get_json()["error"]["code"] == "not_found"
    assert_untouched(owned)


@pytest.mark.parametrize("method,path", API)
def test_api_answers_401_to_nobody(client, owned, method, path):
    resp = getattr(client, method)(path.format(**owned))
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"
    bad = getattr(client, method)(
        path.format(**owned), headers={"Authorization": "Bearer not-a-token"}
    )
    assert bad.status_code == 401
    assert_untouched(owned)


@pytest.mark.parametrize("method,path", PAGES)
def test_pages_answer_404_to_another_user_like_an_unknown_id(client, auth, owned, method, path):
    make_user("stranger@example.com")
    auth.login("stranger@example.com")
    data = {"csrf_token": auth.csrf("/batches")} if method == "post" else None
    kw = {"data": data} if data else {}

    foreign = getattr(client, method)(path.format(**owned), **kw)
    unknown = getattr(client, method)(path.format(batch=UNKNOWN, doc=UNKNOWN, single=UNKNOWN), **kw)

    assert foreign.status_code == unknown.status_code == 404
    # The pages are the same but for the CSRF token, which carries the second it was signed in.
    assert without_tokens(foreign.get_data()) == without_tokens(unknown.get_data())
    assert_untouched(owned)


def without_tokens(page: bytes) -> bytes:
    """A page with its CSRF token values blanked."""
    return re.sub(rb'(name="csrf[-_]token" (?:content|value)=")[^"]*"', rb'\1"', page)


@pytest.mark.parametrize("method,path", PAGES + [("get", "/batches")])
def test_pages_send_nobody_to_the_login(client, owned, method, path):
    resp = getattr(client, method)(path.format(**owned))
    # A POST without a session fails its CSRF check first; neither way does anything happen.
    if method == "post":
        assert resp.status_code in (302, 400)
    else:
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]
    assert_untouched(owned)


def test_the_owner_keeps_api_access(api, owned):
    assert api.get(f"/api/v1/batches/{owned['batch']}").status_code == 200
    assert api.get(f"/api/v1/documents/{owned['doc']}").status_code == 200
    assert api.get(f"/api/v1/batches/{owned['batch']}/export?format=csv").status_code == 200


def test_the_owner_keeps_page_access(client, auth, user, owned):
    auth.login(user.email)
    for path in ("/batches/{batch}", "/documents/{doc}", "/documents/{doc}/file"):
        assert client.get(path.format(**owned)).status_code == 200


def test_a_stranger_sees_none_of_the_owners_batches_in_lists(client, auth, owned):
    make_user("stranger@example.com")
    auth.login("stranger@example.com")
    assert client.get("/api/v1/batches").get_json()["total"] == 0
    page = client.get("/batches").get_data(as_text=True)
    assert owned["batch"] not in page


def test_bulk_actions_skip_another_users_batches(client, auth, owned):
    make_user("stranger@example.com")
    auth.login("stranger@example.com")
    token = auth.csrf("/batches")
    for action in ("delete", "export"):
        resp = client.post(
            "/batches/bulk",
            data={"csrf_token": token, "action": action, "batch_ids": [owned["batch"]]},
            follow_redirects=True,
        )
        assert "Select at least one batch" in resp.get_data(as_text=True)
    assert_untouched(owned)
