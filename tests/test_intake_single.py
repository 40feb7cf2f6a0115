"""Single-document uploads over the API and the browser's XHR path: the answer, refused requests,
unreadable files and the starter plan's hourly limit."""

import pytest
import sqlalchemy as sa

from app.models import AuditAction, AuditEvent, Batch, Document
from tests.factories import make_user
from tests.pdfgen import make_encrypted_pdf, make_jpeg
from tests.support.intake import (
    PROMPT,
    assert_nothing_left,
    error_of,
    pdf_file,
    queued_job_ids,
)

# --- Single documents -------------------------------------------------------------------------


def test_single_document_upload_works_on_the_starter_plan(sender, db):
    user = make_user(plan="starter")
    resp = sender(user).document([pdf_file("receipt.pdf", 2)], global_prompt=PROMPT)
    assert resp.status_code == 202
    body = resp.json
    assert resp.headers["Location"] == f"/api/v1/documents/{body['id']}"
    assert body["batch_id"] is None
    assert (body["filename"], body["page_count"], body["status"]) == ("receipt.pdf", 2, "uploaded")
    assert body["extraction_prompt"] == PROMPT
    assert queued_job_ids() == [f"document-{body['id']}"]
    doc = db.session.scalars(sa.select(Document)).one()
    assert doc.batch_id is None and doc.user_id == user.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.DOCUMENT_CREATED)
    ).one()
    assert event.document_id == doc.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0


def test_single_document_with_auto_has_no_prompt(api_as, db):
    user = make_user(plan="starter")
    body = api_as(user).document([("photo.jpg", make_jpeg())], prompt_strategy="auto").json
    assert body["extraction_prompt"] is None
    assert body["mime_type"] == "image/jpeg"


@pytest.mark.parametrize(
    "files,fields,status,code",
    [
        ([pdf_file("a.pdf"), pdf_file("b.pdf")], {"global_prompt": PROMPT}, 400, "too_many_files"),
        ([], {"global_prompt": PROMPT}, 400, "no_files"),
        ([("a.exe", b"MZ")], {"global_prompt": PROMPT}, 400, "unsupported_file"),
        ([pdf_file()], {}, 400, "invalid_prompt"),
    ],
    ids=["two files", "no file", "exe", "no prompt"],
)
def test_single_document_bad_input(sender, db, files, fields, status, code):
    user = make_user(plan="starter")
    resp = sender(user).document(files, **fields)
    assert resp.status_code == status
    assert error_of(resp)["code"] == code
    assert_nothing_left(db)


def test_single_unreadable_document_is_accepted_as_failed(api_as, db):
    user = make_user(plan="starter")
    body = (
        api_as(user).document([("locked.pdf", make_encrypted_pdf(1))], prompt_strategy="auto").json
    )
    assert body["status"] == "failed"
    assert body["error"]["code"] == "encrypted_pdf"
    assert queued_job_ids() == []


def test_starter_single_uploads_are_limited_to_ten_an_hour(api_as, db):
    user = make_user(plan="starter")
    api = api_as(user)
    for n in range(10):
        assert api.document([pdf_file(f"d{n}.pdf")], prompt_strategy="auto").status_code == 202
    resp = api.document([pdf_file("d11.pdf")], prompt_strategy="auto")
    assert resp.status_code == 429
    assert error_of(resp)["code"] == "rate_limited"
