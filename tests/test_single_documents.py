"""The list of single uploads (/documents) and the dashboard's recent question batches, as a
browser without scripts sees them."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import BatchStatus, DocumentStatus, QuestionBatch
from app.models.types import utcnow
from app.services.batch_queries import DEFAULT_PER_PAGE
from tests.factories import make_batch, make_document, make_user


@pytest.fixture
def logged_in(client, auth, user):
    auth.login(user.email)
    return client


def page_text(resp) -> str:
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def listed_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-document-id="([0-9a-f-]{36})"', html)


def make_question_batch(user, name: str, **values) -> QuestionBatch:
    row = QuestionBatch(
        user_id=user.id,
        name=name,
        status=values.pop("status", BatchStatus.PROCESSING),
        **values,
    )
    db.session.add(row)
    db.session.commit()
    return row


# --- /documents -----------------------------------------------------------------------------------


def test_the_list_needs_a_login(client, db):
    resp = client.get("/documents")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_empty_list_points_to_the_upload_form(logged_in, user):
    # A document of a batch is not a single upload.
    make_document(user, make_batch(user, name="Batch"), filename="in-a-batch.pdf")

    html = page_text(logged_in.get("/documents"))

    assert "No single documents yet" in html
    assert 'href="/documents/new"' in html
    assert "in-a-batch.pdf" not in html


def test_list_shows_own_single_uploads_newest_first_with_their_facts(logged_in, user):
    older = make_document(user, None, filename="older-receipt.pdf", page_count=1)
    newer = make_document(
        user, None, filename="newer-invoice.pdf", page_count=3, status=DocumentStatus.COMPLETED
    )
    older.created_at = utcnow() - timedelta(hours=2)
    newer.document_type = "bank_statement"
    db.session.commit()
    batch = make_batch(user, name="March invoices")
    make_document(user, batch, filename="batch-member.pdf")
    other = make_user("someone@example.com")
    make_document(other, None, filename="not-mine.pdf")

    resp = logged_in.get("/documents")
    html = page_text(resp)

    assert listed_ids(html) == [str(newer.id), str(older.id)]
    assert f'href="/documents/{newer.id}"' in html and f'href="/documents/{older.id}"' in html
    assert "badge-completed" in html and "badge-uploaded" in html
    assert "bank statement" in html
    assert "2 hours ago" in html
    assert "batch-member.pdf" not in html and "not-mine.pdf" not in html
    assert "No single documents yet" not in html
    assert resp.headers["Cache-Control"] == "no-store"


def test_another_users_single_uploads_are_not_listed(client, auth, user):
    make_document(user, None, filename="owner-only.pdf")
    make_user("other@example.com")
    auth.login("other@example.com")

    html = page_text(client.get("/documents"))

    assert "owner-only.pdf" not in html
    assert "No single documents yet" in html


def test_list_is_paginated(logged_in, user):
    start = utcnow()
    docs = []
    for i in range(DEFAULT_PER_PAGE + 1):
        doc = make_document(user, None, filename=f"single-{i:02d}.pdf")
        doc.created_at = start - timedelta(minutes=i)
        docs.append(doc)
    db.session.commit()

    first = page_text(logged_in.get("/documents"))
    assert listed_ids(first) == [str(d.id) for d in docs[:DEFAULT_PER_PAGE]]
    assert f"Page 1 of 2 · {DEFAULT_PER_PAGE + 1} documents" in first
    assert 'href="/documents?page=2"' in first and 'rel="prev"' not in first

    second = page_text(logged_in.get("/documents?page=2"))
    assert listed_ids(second) == [str(docs[-1].id)]
    assert 'href="/documents?page=1"' in second and 'rel="next"' not in second

    # A page past the end shows the last one; a page that is not a number shows the first.
    assert listed_ids(page_text(logged_in.get("/documents?page=9"))) == [str(docs[-1].id)]
    assert len(listed_ids(page_text(logged_in.get("/documents?page=x")))) == DEFAULT_PER_PAGE


def test_list_is_linked_from_the_navigation_the_upload_form_and_a_single_document(logged_in, user):
    doc = make_document(user, None, filename="lonely.pdf")

    for path in ("/dashboard", "/documents/new", f"/documents/{doc.id}"):
        html = page_text(logged_in.get(path))
        assert re.search(r'href="/documents"[^>]*>Single documents</a>', html), path

    listing = page_text(logged_in.get("/documents"))
    assert 'href="/documents" aria-current="page"' in listing
    assert 'href="/documents/new"' in listing


def test_deleting_a_single_upload_goes_back_to_the_list(logged_in, user):
    doc = make_document(user, None, filename="to-delete.pdf")
    html = page_text(logged_in.get(f"/documents/{doc.id}"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    resp = logged_in.post(f"/documents/{doc.id}/delete", data={"csrf_token": token})

    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/documents")
    assert "No single documents yet" in page_text(logged_in.get("/documents"))


# --- dashboard: recent question batches -----------------------------------------------------------


def test_dashboard_shows_own_recent_question_batches(logged_in, user):
    mine = make_question_batch(
        user, "Supplier questions", item_count=4, completed_count=1, failed_count=1
    )
    other = make_user("someone@example.com")
    make_question_batch(other, "Somebody else's questions")

    html = page_text(logged_in.get("/dashboard"))

    assert "Recent question batches" in html
    assert "Supplier questions" in html
    assert f'href="/questions/{mine.id}"' in html
    assert "1 / 4 answered" in html and "1 failed" in html
    assert 'aria-valuenow="50"' in html  # two of four rows are done
    assert "badge-processing" in html
    assert 'href="/questions">All question batches</a>' in html
    assert "Somebody else" not in html


def test_dashboard_shows_the_newest_five_question_batches(logged_in, user):
    start = utcnow()
    rows = []
    for i in range(6):
        row = make_question_batch(user, f"Questions #{i}", status=BatchStatus.COMPLETED)
        row.created_at = start - timedelta(hours=i)
        rows.append(row)
    db.session.commit()

    html = page_text(logged_in.get("/dashboard"))

    shown = re.findall(r'<tr data-question-batch-id="([0-9a-f-]{36})"', html)
    assert shown == [str(r.id) for r in rows[:5]]
    assert "Questions #5" not in html


def test_dashboard_without_question_batches_has_an_empty_state(client, auth, user):
    other = make_user("someone@example.com")
    make_question_batch(other, "Somebody else's questions")
    auth.login(user.email)

    html = page_text(client.get("/dashboard"))

    assert "No question batches yet" in html
    assert 'href="/questions/new"' in html
    assert "Somebody else" not in html
    assert "All question batches" not in html


def test_dashboard_empty_state_for_a_plan_without_question_batches(client, auth, db):
    make_user("free@example.com", plan="starter")
    auth.login("free@example.com")

    html = page_text(client.get("/dashboard"))

    assert "No question batches yet" in html
    assert "Question batches come with the Plus and Growth plans" in html
    assert 'href="/questions/new"' not in html
