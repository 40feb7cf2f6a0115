"""A batch created over the API and the browser's XHR path: its answer, real page counts
(invariant 5 of docs/states.md), stored files and prompts."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from app import intake
from app.models import AuditAction, AuditEvent, Batch, Document
from app.storage import get_storage
from tests.factories import make_user
from tests.pdfgen import make_encrypted_pdf, make_jpeg, make_pdf, make_png
from tests.support.intake import PROMPT, pdf_file, queued_job_ids

# --- A created batch ----------------------------------------------------------------------------


def test_create_answers_202_with_the_batch_and_its_location(sender, db):
    user = make_user(plan="plus")
    resp = sender(user).batch(
        [pdf_file("a.pdf", 2), pdf_file("b.pdf", 3)],
        global_prompt=PROMPT,
        name="March invoices",
        description="From the shared inbox",
    )
    assert resp.status_code == 202
    body = resp.json
    assert resp.headers["Location"] == f"/api/v1/batches/{body['id']}"
    assert body["name"] == "March invoices"
    assert body["description"] == "From the shared inbox"
    assert body["status"] == "queued"
    assert (body["document_count"], body["failed_count"], body["total_pages"]) == (2, 0, 5)
    assert [d["filename"] for d in body["documents"]] == ["a.pdf", "b.pdf"]
    batch = db.session.get(Batch, uuid.UUID(body["id"]))
    assert batch.user_id == user.id
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert [(e.action, str(e.batch_id)) for e in events if e.action.startswith("batch")] == [
        (AuditAction.BATCH_CREATED.value, body["id"])
    ]


def test_default_name_counts_files_and_gives_the_time(api_as, db):
    user = make_user(plan="plus")
    body = api_as(user).batch([pdf_file("a.pdf"), pdf_file("b.pdf")], global_prompt=PROMPT).json
    assert body["name"].startswith("Batch of 2 files, ")
    assert intake.default_name(1, datetime(2026, 11, 23, 14, 5, tzinfo=UTC)) == (
        "Batch of 1 file, 23 Nov 2026 14:05"
    )


def test_page_counts_are_real_and_unreadable_pdfs_fail_their_document(api_as, db):
    user = make_user(plan="growth")
    pdf5 = make_pdf(5)
    files = [
        ("one.pdf", make_pdf(1)),
        ("seven.pdf", make_pdf(7)),
        ("long.pdf", make_pdf(300)),
        ("liar.pdf", make_pdf(3, count=40)),
        ("locked.pdf", make_encrypted_pdf(2)),
        ("truncated.pdf", pdf5[: len(pdf5) // 2]),
        ("scan.png", make_png()),
        ("photo.jpg", make_jpeg()),
    ]
    resp = api_as(user).batch(files, global_prompt=PROMPT)
    assert resp.status_code == 202
    body = resp.json
    docs = {d["filename"]: d for d in body["documents"]}
    assert {name: d["page_count"] for name, d in docs.items()} == {
        "one.pdf": 1,
        "seven.pdf": 7,
        "long.pdf": 300,
        "liar.pdf": 3,
        "locked.pdf": 0,
        "truncated.pdf": 0,
        "scan.png": 1,
        "photo.jpg": 1,
    }
    assert docs["locked.pdf"]["status"] == "failed"
    assert docs["locked.pdf"]["error"]["code"] == "encrypted_pdf"
    assert docs["truncated.pdf"]["status"] == "failed"
    assert docs["truncated.pdf"]["error"]["code"] == "unreadable_pdf"
    readable = [d for d in docs.values() if d["status"] == "uploaded"]
    assert len(readable) == 6 and all(d["error"] is None for d in readable)
    assert body["status"] == "queued"
    assert (body["document_count"], body["failed_count"], body["total_pages"]) == (8, 2, 313)
    # one job per readable document, none for the failed ones
    assert sorted(queued_job_ids()) == sorted(f"document-{d['id']}" for d in readable)
    rows = {d.original_filename: d for d in db.session.scalars(sa.select(Document))}
    assert rows["photo.jpg"].mime_type == "image/jpeg"
    assert rows["scan.png"].mime_type == "image/png"
    assert rows["locked.pdf"].completed_at is not None
    # the unreadable files keep their rows, not their bytes: they are never processed
    assert sorted(get_storage().keys()) == sorted(
        rows[name].storage_key for name in rows if name not in ("locked.pdf", "truncated.pdf")
    )


def test_a_batch_with_nothing_readable_is_failed_at_once(api_as, db):
    user = make_user(plan="plus")
    pdf = make_pdf(4)
    files = [("locked.pdf", make_encrypted_pdf(1)), ("cut.pdf", pdf[:200])]
    body = api_as(user).batch(files, global_prompt=PROMPT).json
    assert body["status"] == "failed"
    assert body["completed_at"] is not None
    assert (body["document_count"], body["failed_count"], body["progress"]) == (2, 2, 100)
    assert queued_job_ids() == []


def test_stored_files_get_generated_keys_and_their_sha256(api_as, db):
    import hashlib

    user = make_user(plan="plus")
    content = make_pdf(2)
    body = api_as(user).batch([("../../etc/passwd.pdf", content)], global_prompt=PROMPT).json
    doc = db.session.scalars(sa.select(Document)).one()
    assert body["documents"][0]["filename"] == "passwd.pdf"
    assert doc.original_filename == "passwd.pdf"
    assert "passwd" not in doc.storage_key and "/" not in doc.storage_key
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.size_bytes == len(content)
    with get_storage().open(doc.storage_key) as f:
        assert f.read() == content


# --- Prompts ------------------------------------------------------------------------------------


def test_per_document_prompts_are_stored_per_document(api_as, db):
    user = make_user(plan="plus")
    prompts = {"a.pdf": "Extract the total", "b.pdf": "Extract the IBAN", "c.png": "Read the name"}
    files = [pdf_file("a.pdf"), pdf_file("b.pdf"), ("c.png", make_png())]
    body = (
        api_as(user).batch(files, prompt_strategy="per_document", per_document_prompts=prompts).json
    )
    assert body["prompt_strategy"] == "per_document"
    assert body["extraction_prompt"] is None
    assert {d["filename"]: d["extraction_prompt"] for d in body["documents"]} == prompts
    rows = db.session.scalars(sa.select(Document)).all()
    assert {d.original_filename: d.extraction_prompt for d in rows} == prompts


def test_global_prompt_is_stored_on_the_batch(api_as, db):
    user = make_user(plan="plus")
    body = (
        api_as(user)
        .batch(
            [pdf_file("a.pdf"), pdf_file("b.pdf")],
            prompt_strategy="global",
            global_prompt=f"  {PROMPT} ",
        )
        .json
    )
    batch = db.session.scalars(sa.select(Batch)).one()
    assert batch.prompt_strategy == "global"
    assert batch.extraction_prompt == PROMPT
    assert body["extraction_prompt"] == PROMPT
    # each document records the prompt it will be extracted with
    assert {d.extraction_prompt for d in batch.documents} == {PROMPT}


def test_auto_leaves_prompts_empty(api_as, db):
    user = make_user(plan="plus")
    body = (
        api_as(user)
        .batch(
            [pdf_file("a.pdf"), pdf_file("b.pdf")], prompt_strategy="auto", global_prompt="ignored"
        )
        .json
    )
    batch = db.session.scalars(sa.select(Batch)).one()
    assert (batch.prompt_strategy, batch.extraction_prompt) == ("auto", None)
    assert [d.extraction_prompt for d in batch.documents] == [None, None]
    assert body["extraction_prompt"] is None


def test_strategy_defaults_to_global(api_as, db):
    user = make_user(plan="plus")
    body = api_as(user).batch([pdf_file()], global_prompt=PROMPT).json
    assert body["prompt_strategy"] == "global"


def test_duplicate_filenames_are_fine_with_one_prompt_for_all(api_as, db):
    user = make_user(plan="plus")
    resp = api_as(user).batch(
        [pdf_file("scan.pdf", 1), pdf_file("scan.pdf", 2)], global_prompt=PROMPT
    )
    assert resp.status_code == 202
    assert [d["page_count"] for d in resp.json["documents"]] == [1, 2]
    keys = db.session.scalars(sa.select(Document.storage_key)).all()
    assert len(set(keys)) == 2
