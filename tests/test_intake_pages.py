"""The upload pages: the wizard page, the upgrade notice and the single-document form."""

import io
import json
import re
from html import unescape

import sqlalchemy as sa

from app.models import Document
from app.storage import get_storage
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.pdfgen import make_pdf
from tests.support.intake import assert_nothing_left, queued_job_ids


def wizard_config(html: str) -> dict:
    m = re.search(r"data-config='([^']*)'", html)
    assert m, "no wizard configuration on the page"
    return json.loads(unescape(m.group(1)))


def test_pages_need_a_login(client, db):
    for path in ("/batches/new", "/documents/new"):
        resp = client.get(path)
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]


def test_starter_sees_upgrade_required_instead_of_the_wizard(client, auth, db):
    make_user("free@example.com", plan="starter")
    auth.login("free@example.com")
    html = client.get("/batches/new").get_data(as_text=True)
    assert "Upgrade required" in html
    assert 'href="/billing"' in html
    assert 'href="/documents/new"' in html
    assert 'id="wizard"' not in html


def test_plus_sees_the_wizard_with_its_limits(client, auth, db):
    make_user("plus@example.com", plan="plus")
    auth.login("plus@example.com")
    resp = client.get("/batches/new")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    config = wizard_config(html)
    assert config["filesPerBatch"] == 50
    assert config["maxFileBytes"] == 50 * 1024 * 1024
    assert config["createUrl"] == "/api/v1/batches"
    assert "up to 50 MB per file" in html
    assert "up to 50 files per batch" in html
    assert '<meta name="csrf-token"' in html
    assert "js/wizard.js" in html
    for strategy in ("global", "per_document", "auto"):
        assert f'value="{strategy}"' in html
    assert 'aria-live="assertive"' in html


def test_wizard_script_is_served(client, auth, db):
    resp = client.get("/static/js/wizard.js")
    assert resp.status_code == 200
    assert "XMLHttpRequest" in resp.get_data(as_text=True)


def post_form(client, csrf, files, **fields):
    data = dict(fields)
    if csrf is not None:
        data["csrf_token"] = csrf
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/documents/new", data=data, content_type="multipart/form-data")


def test_single_document_form_uploads_and_redirects(client, auth, db):
    make_user("free@example.com", plan="starter")
    auth.login("free@example.com")
    page = client.get("/documents/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    resp = post_form(
        client,
        csrf_from(page),
        [("receipt.pdf", make_pdf(3))],
        prompt_strategy="global",
        global_prompt="Extract the total",
    )
    doc = db.session.scalars(sa.select(Document)).one()
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/documents/{doc.id}"
    assert (doc.batch_id, doc.page_count, doc.extraction_prompt) == (None, 3, "Extract the total")
    assert queued_job_ids() == [f"document-{doc.id}"]


def test_single_document_form_errors_rerender_with_the_message(client, auth, db):
    make_user("free@example.com", plan="starter")
    auth.login("free@example.com")
    csrf = csrf_from(client.get("/documents/new").get_data(as_text=True))
    resp = post_form(
        client,
        csrf,
        [("<img src=x onerror=alert(1)>.pdf", b"MZ\x90\x00 not a pdf")],
        prompt_strategy="global",
        global_prompt="Keep me",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "The file was not uploaded." in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert "<img src=x" not in html
    assert "not a PDF" in html
    assert "Keep me" in html  # the prompt is kept for the next try
    assert 'name="csrf_token"' in html
    assert_nothing_left(db)


def test_single_document_form_without_a_file_says_so(client, auth, db):
    make_user("free@example.com", plan="starter")
    auth.login("free@example.com")
    csrf = csrf_from(client.get("/documents/new").get_data(as_text=True))
    # a file input left empty still sends a part, with no name and no content
    resp = post_form(client, csrf, [("", b"")], prompt_strategy="auto")
    assert resp.status_code == 400
    assert "Choose at least one file" in resp.get_data(as_text=True)
    assert_nothing_left(db)


def test_single_document_form_without_csrf_is_400(client, auth, db):
    make_user("free@example.com", plan="starter")
    auth.login("free@example.com")
    resp = post_form(client, None, [("a.pdf", make_pdf(1))], prompt_strategy="auto")
    assert resp.status_code == 400
    assert "security token" in resp.get_data(as_text=True)
    assert_nothing_left(db)
    assert list(get_storage().keys()) == []
