"""Bounded input: request sizes checked before any body is read, no NUL or control characters in
fields, and JSON fields of bounded size and depth."""

import io
import json

import pytest
import sqlalchemy as sa

from app.models import ApiToken, Batch, Document, QuestionBatch, User
from app.services import inputs
from tests.factories import make_token, make_user
from tests.pdfgen import make_pdf


class Tripwire(io.BytesIO):
    """A request body that records every read of its (empty) content."""

    reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)

    def read1(self, *args):
        self.reads += 1
        return super().read1(*args)

    def readinto(self, buffer):
        self.reads += 1
        return super().readinto(buffer)

    def readline(self, *args):
        self.reads += 1
        return super().readline(*args)


def post_unread(client, path, length, headers=None, content_type="multipart/form-data; boundary=x"):
    """POST declaring a body of `length` bytes from a stream that records reads."""
    body = Tripwire()
    resp = client.post(
        path,
        input_stream=body,
        content_type=content_type,
        headers=headers or {},
        environ_overrides={"CONTENT_LENGTH": str(length)},
    )
    return resp, body


def nothing_stored(db) -> bool:
    return all(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        for model in (Batch, Document, QuestionBatch)
    )


# --- request size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/register", "/api/v1/documents", "/batches/bulk"])
def test_an_anonymous_large_request_is_refused_unread(client, path):
    resp, body = post_unread(
        client,
        path,
        10 * 1024 * 1024,
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 413
    assert body.reads == 0
    if path.startswith("/api/"):
        assert resp.get_json()["error"]["code"] == "file_too_large"
        assert resp.get_json()["error"]["details"]["max_bytes"] == 64 * 1024
    else:
        assert "too large" in resp.get_data(as_text=True)


def test_an_anonymous_body_without_a_length_is_cut_off_at_the_cap(client):
    resp = client.post(
        "/login",
        input_stream=io.BytesIO(b"email=" + b"a" * (200 * 1024)),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert resp.status_code == 413


def test_a_small_anonymous_form_still_reaches_the_login_page(client):
    resp = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert resp.status_code == 400  # no CSRF token: the form was read and checked as before
    assert "security token" in resp.get_data(as_text=True)


def test_signed_in_caps_follow_the_plan(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FILE_BYTES", 2 * 1024 * 1024)
    starter = make_token(make_user("starter@example.com", plan="starter"))
    growth = make_token(make_user("growth@example.com", plan="growth"))
    length = 10 * 1024 * 1024  # over 1 file × 2 MB + 1 MB, under 200 files × 2 MB
    resp, body = post_unread(
        client, "/api/v1/documents", length, {"Authorization": f"Bearer {starter}"}
    )
    assert resp.status_code == 413 and body.reads == 0
    error = resp.get_json()["error"]
    assert error["code"] == "file_too_large"
    assert error["details"]["max_bytes"] == 3 * 1024 * 1024
    resp, body = post_unread(
        client, "/api/v1/batches", length, {"Authorization": f"Bearer {growth}"}
    )
    assert resp.status_code != 413 and body.reads > 0  # read, and found to be no upload
    assert nothing_stored(db)


def test_a_real_upload_within_the_cap_is_accepted(api):
    resp = api.post(
        "/api/v1/documents",
        data={"file": (io.BytesIO(make_pdf(1)), "a.pdf"), "global_prompt": "Extract the total"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202


# --- NUL and control characters -------------------------------------------------------------------


def upload(**fields):
    return {"files": (io.BytesIO(make_pdf(1)), "a.pdf"), "global_prompt": "Total", **fields}


API_CASES = [
    ("get", "/api/v1/batches?q=a%00b", None, "bad_request", "q"),
    ("get", "/api/v1/question-batches?q=a%01b", None, "bad_request", "q"),
    ("post", "/api/v1/batches", upload(name="x\x00y"), "bad_request", "name"),
    ("post", "/api/v1/batches", upload(description="x\x1by"), "bad_request", "description"),
    (
        "post",
        "/api/v1/documents",
        upload(global_prompt="x\x00y"),
        "invalid_prompt",
        "global_prompt",
    ),
    (
        "post",
        "/api/v1/documents",
        {"file": (io.BytesIO(make_pdf(1)), "a\x00.pdf"), "global_prompt": "Total"},
        "bad_request",
        "file",
    ),
    (
        "post",
        "/api/v1/question-batches",
        {"file": (io.BytesIO(b"question\nWhat?\n"), "q.csv"), "name": "x\x00y"},
        "bad_request",
        "name",
    ),
    (
        "post",
        "/api/v1/question-batches/preview",
        {"file": (io.BytesIO(b"question\nWhat?\n"), "q.csv"), "scope": "\x00"},
        "bad_request",
        "scope",
    ),
]


@pytest.mark.parametrize(("method", "path", "data", "code", "field"), API_CASES)
def test_control_characters_in_api_fields_answer_400(api, db, method, path, data, code, field):
    kwargs = {"data": data, "content_type": "multipart/form-data"} if data else {}
    resp = getattr(api, method)(path, **kwargs)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    assert error["code"] == code
    assert error["details"]["field"] == field
    assert nothing_stored(db)


def test_a_nul_in_the_login_or_register_email_is_a_page_error(client, db):
    for path in ("/login", "/register"):
        page = client.get(path).get_data(as_text=True)
        from tests.conftest import csrf_from

        resp = client.post(
            path,
            data={
                "email": "ann\x00@example.com",
                "password": "correct-horse-42",
                "confirm": "correct-horse-42",
                "csrf_token": csrf_from(page),
            },
        )
        assert resp.status_code == 400
        assert resp.mimetype == "text/html"
        assert "NUL character" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_nul_in_a_token_name_or_a_search_is_a_page_error(client, auth, user, db):
    auth.login(user.email)
    resp = client.post(
        "/account/tokens", data={"name": "ci\x00", "csrf_token": auth.csrf("/account")}
    )
    assert resp.status_code == 400 and "NUL character" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
    for path in ("/batches?q=a%00", "/questions?q=a%00"):
        resp = client.get(path)
        assert resp.status_code == 400 and "NUL character" in resp.get_data(as_text=True)


# --- JSON fields ----------------------------------------------------------------------------------


def test_deeply_nested_per_document_prompts_answer_invalid_prompt(api, db):
    deep = "[" * 100_000 + "]" * 100_000
    resp = api.post(
        "/api/v1/batches",
        data={
            "files": (io.BytesIO(make_pdf(1)), "a.pdf"),
            "prompt_strategy": "per_document",
            "per_document_prompts": deep,
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_prompt" and "nests more than" in error["message"]
    assert nothing_stored(db)


def test_a_nul_escaped_inside_per_document_prompts_answers_invalid_prompt(api, db):
    resp = api.post(
        "/api/v1/batches",
        data={
            "files": (io.BytesIO(make_pdf(1)), "a.pdf"),
            "prompt_strategy": "per_document",
            "per_document_prompts": json.dumps({"a.pdf": "Total\u0000"}),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_prompt"
    assert "control character" in error["details"]["files"][0]["reason"]
    assert nothing_stored(db)


def test_json_fields_have_a_size_and_depth_limit():
    assert inputs.json_depth('{"a": [1, {"b": "[[[[{{"}]}') == 3
    assert inputs.load_json_field('{"a.pdf": "x"}', "per_document_prompts") == {"a.pdf": "x"}
    with pytest.raises(inputs.ApiError) as err:
        inputs.load_json_field('{"a": "' + "x" * 200 + '"}', "per_document_prompts", max_chars=100)
    assert err.value.code == "invalid_prompt" and err.value.status == 400
    with pytest.raises(inputs.ApiError):
        inputs.load_json_field("[" * 21 + "]" * 21, "per_document_prompts")
    with pytest.raises(ValueError):
        inputs.load_json_field("{not json", "per_document_prompts")


def test_a_part_whose_name_cannot_be_parsed_is_not_a_server_error(api, db):
    # A name of a lone escaped quote reaches the app as None, not as a string.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="\\"\r\n\r\n\r\n'
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nq\r\n--b--\r\n'
    )
    resp = api.post("/api/v1/batches", data=body, content_type="multipart/form-data; boundary=b")
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "no_files"
    assert nothing_stored(db)
