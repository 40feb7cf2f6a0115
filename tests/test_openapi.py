"""The OpenAPI 3.1 document of /api/v1, its coverage of the routes, real answers against it, and
the /api/docs page."""

import io
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.api import openapi
from tests.factories import make_user
from tests.pdfgen import make_pdf
from tests.test_questions_api import csv_bytes


@pytest.fixture
def doc(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def conforms(doc: dict, resp, path: str, method: str) -> dict:
    """Assert that an answer is documented for its route and matches its documented schema."""
    operation = doc["paths"][path][method]
    answer = operation["responses"].get(str(resp.status_code))
    assert answer is not None, f"{method.upper()} {path} answered undocumented {resp.status_code}"
    for header in answer.get("headers", {}):
        assert header in resp.headers, f"{resp.status_code} lacks {header}"
    content = answer.get("content")
    if content is None:
        assert resp.data == b""
        return {}
    media = resp.mimetype
    assert media in content, f"{media} not documented for {resp.status_code}"
    if media != "application/json":
        return {}
    body = resp.get_json()
    schema = {**content[media]["schema"], "components": doc["components"]}
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(body)]
    assert not errors, f"{method.upper()} {path} {resp.status_code}: {errors}"
    return body


def test_the_document_is_valid_openapi_31_and_public(client, db):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["openapi"] == "3.1.0"
    validate(data)
    schemes = data["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token.",
    }
    assert schemes["sessionCookie"]["in"] == "cookie"
    for name in ("Batch", "BatchStatus", "Document", "Usage", "QuestionBatchStatus", "Error"):
        assert name in data["components"]["schemas"]


def test_every_api_route_in_the_url_map_is_in_the_document(app, doc):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]
    assert len(rules) >= 15
    for rule in rules:
        path = openapi.FlaskPlugin.flaskpath2openapi(rule.rule)
        assert path in doc["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = doc["paths"][path].get(method.lower())
            assert operation is not None, f"{method} {path} is not documented"
            assert operation["summary"] and operation["responses"]
    assert openapi.undocumented(app) == []
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_a_new_route_without_a_description_is_named(app):
    from flask import Flask

    other = Flask(__name__)
    other.add_url_rule("/api/v1/things/<thing_id>", "things", lambda thing_id: "", methods=["PUT"])
    other.add_url_rule("/api/v1/usage", "usage", app.view_functions["api.usage"])
    assert openapi.undocumented(other) == ["PUT /api/v1/things/<thing_id>"]
    built = openapi.build(other)
    assert list(built["paths"]) == ["/api/v1/usage"]


def test_one_entry_documents_a_json_route_with_its_own_codes(app):
    from flask import Flask

    @openapi.documented(
        "Register a webhook endpoint",
        tag="Webhooks",
        body=openapi.json_body("WebhookCreate"),
        answers={201: openapi.json_answer("WebhookCreated", "Registered.", ("Location",))},
        errors={400: ["invalid_webhook"]},
    )
    def create_webhook():
        return ""

    other = Flask(__name__)
    other.add_url_rule("/api/v1/webhooks", "api.create_webhook", create_webhook, methods=["POST"])
    built = openapi.build(other)
    validate(built)
    operation = built["paths"]["/api/v1/webhooks"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WebhookCreate"
    }
    assert operation["responses"]["201"]["headers"]["Location"]
    assert "invalid_webhook" in operation["responses"]["400"]["description"]
    assert "csrf_failed" in operation["responses"]["400"]["description"]
    assert set(operation["responses"]) == {"201", "400", "401", "429"}


def test_shared_answers_are_on_every_route(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if path == "/api/v1/openapi.json":
                assert operation["security"] == []
                continue
            assert "unauthorized" in responses["401"]["description"]
            assert responses["429"]["headers"]["Retry-After"]
            if "{" in path:
                assert "not_found" in responses["404"]["description"]
            if method != "get":
                assert "csrf_failed" in responses["400"]["description"]


def test_create_routes_document_their_refusals(doc):
    for path in ("/api/v1/batches", "/api/v1/documents", "/api/v1/question-batches"):
        responses = doc["paths"][path]["post"]["responses"]
        assert responses["202"]["headers"]["Location"]
        assert "multipart/form-data" in doc["paths"][path]["post"]["requestBody"]["content"]
        assert "file_too_large" in responses["413"]["description"]
        assert "invalid_prompt" in responses["400"]["description"]
        assert "quota_exceeded" in responses["402"]["description"]
    batch_errors = doc["paths"]["/api/v1/batches"]["post"]["responses"]["400"]["description"]
    for code in ("no_files", "too_many_files", "unsupported_file"):
        assert code in batch_errors
    status = doc["paths"]["/api/v1/batches/{batch_id}"]["get"]
    assert "304" in status["responses"] and status["responses"]["200"]["headers"]["ETag"]
    assert any(p["name"] == "If-None-Match" for p in status["parameters"])


def test_real_answers_match_the_document(client, db, worker, doc):
    user = make_user("api-doc@example.com", plan="growth")
    from tests.factories import make_token

    headers = {"Authorization": f"Bearer {make_token(user)}"}

    def call(method, url, path=None, **kw):
        resp = getattr(client, method)(url, headers={**headers, **kw.pop("headers", {})}, **kw)
        body = conforms(doc, resp, path or url.split("?")[0], method)
        return resp, body

    created, batch = call(
        "post",
        "/api/v1/batches",
        data={
            "files": [(io.BytesIO(make_pdf(2)), "invoice.pdf")],
            "global_prompt": "Extract the invoice number and total",
        },
        content_type="multipart/form-data",
    )
    assert created.status_code == 202
    worker()
    status_path = "/api/v1/batches/{batch_id}"
    url = f"/api/v1/batches/{batch['id']}"
    polled, body = call("get", url, status_path)
    assert polled.status_code == 200 and body["documents"]
    again, _ = call("get", url, status_path, headers={"If-None-Match": polled.headers["ETag"]})
    assert again.status_code == 304
    listed, _ = call("get", "/api/v1/batches?per_page=5")
    assert listed.status_code == 200
    document_url = f"/api/v1/documents/{body['documents'][0]['id']}"
    got, document = call("get", document_url, "/api/v1/documents/{document_id}")
    assert got.status_code == 200 and document["status"] == "completed"
    assert document["result"]["fields"] and document["result"]["meta"]["provider"] == "local"
    call("get", "/api/v1/usage")
    exported, _ = call("get", f"{url}/export?format=csv", status_path + "/export")
    assert exported.status_code == 200
    cancelled, _ = call("post", f"{url}/cancel", status_path + "/cancel")
    assert cancelled.status_code == 409

    questions, qbatch = call(
        "post",
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(csv_bytes([["What is the total?", "a"]])), "q.csv")},
        content_type="multipart/form-data",
    )
    assert questions.status_code == 202
    worker()
    qpath = "/api/v1/question-batches/{batch_id}"
    qstatus, _ = call("get", f"/api/v1/question-batches/{qbatch['id']}", qpath)
    assert qstatus.status_code == 200
    call("get", "/api/v1/question-batches")

    # Errors keep the shape and use a code the document lists for that route and status.
    assert call("get", "/api/v1/batches?sort=sideways")[0].status_code == 400
    assert call("get", "/api/v1/batches/not-an-id", status_path)[0].status_code == 404
    empty, error = call("post", "/api/v1/batches", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and error["error"]["code"] == "no_files"
    anonymous = client.get("/api/v1/usage")
    assert anonymous.status_code == 401
    conforms(doc, anonymous, "/api/v1/usage", "get")
    deleted, _ = call("delete", url, status_path)
    assert deleted.status_code == 204


def test_the_docs_page_lists_every_route_from_local_assets_only(client, db, doc):
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for path, item in doc["paths"].items():
        assert f"<code>{path}</code>" in html
        for operation in item.values():
            assert operation["summary"].replace("'", "&#39;") in html
    assert "/api/v1/openapi.json" in html and "Retry-After" in html and "file_too_large" in html
    assert 'href="/api/docs"' in client.get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"(https?:)?//", url), url


@pytest.mark.parametrize("path", ["/api/v1/batches", "/api/v1/question-batches"])
def test_a_nul_character_in_a_search_is_400_not_a_server_error(api, path):
    resp = api.get(f"{path}?q=inv%00oice")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("query", ["page=0", "per_page=0", "page=-2", "per_page=x"])
def test_question_batch_pages_are_positive_whole_numbers_like_batch_pages(api, query):
    resp = api.get(f"/api/v1/question-batches?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"


def test_the_preview_address_is_not_taken_for_a_question_batch_id(api):
    resp = api.get("/api/v1/question-batches/preview")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    options = api.options("/api/v1/question-batches/preview")
    assert set(options.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_a_question_file_field_sent_twice_is_refused(api, db):
    resp = api.post(
        "/api/v1/question-batches/preview",
        data={
            "file": (io.BytesIO(csv_bytes([["What is the total?", ""]])), "q.csv"),
            "scope": ["all", "all"],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"] == {
        "code": "bad_request",
        "message": "Send the field scope once.",
        "details": {"field": "scope"},
    }
