"""The review screen without JavaScript: plain form posts correct, approve and walk the batch."""

import io
import re

import pytest

from app.extensions import db
from app.models import AuditEvent, Batch, Document
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.support.pipeline import fresh, invoice_pdf

# The invoice has no IBAN: every document of these batches needs review.
PROMPT = "Extract the invoice number, the total and the IBAN"


@pytest.fixture
def reviewed_batch(client, auth, user, worker):
    """A processed batch of three invoices that need review, as the logged-in owner sees it."""
    auth.login(user.email)
    page = client.get("/batches/new").data.decode()
    files = [(io.BytesIO(invoice_pdf(1)), f"inv-{i}.pdf") for i in range(3)]
    resp = client.post(
        "/api/v1/batches",
        data={"files": files, "global_prompt": PROMPT, "csrf_token": csrf_from(page)},
        headers={"X-CSRFToken": csrf_from(page)},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_json()
    worker()
    batch = fresh(Batch, resp.get_json()["id"])
    docs = sorted(batch.documents, key=lambda d: d.original_filename)
    return batch, docs


def form_post(client, doc_id, path, fields):
    page = client.get(f"/documents/{doc_id}").data.decode()
    return client.post(
        f"/documents/{doc_id}/{path}", data={"csrf_token": csrf_from(page), **fields}
    )


def test_the_page_shows_boxes_over_the_page_images_and_a_form(client, reviewed_batch):
    _batch, docs = reviewed_batch
    html = client.get(f"/documents/{docs[0].id}").data.decode()
    assert f'src="/api/v1/documents/{docs[0].id}/pages/1.png"' in html
    assert re.search(r'class="review-box[^"]*" data-box="total"[^>]*style="left: [\d.]+%', html)
    assert 'name="field-total" data-field-input="total"' in html
    assert "needs review" in html and "Review next" in html


def test_a_correction_is_saved_typed_and_audited(client, user, reviewed_batch):
    _batch, docs = reviewed_batch
    resp = form_post(client, docs[0].id, "result", {"field-total": "1.234,56"})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).data.decode()
    assert (
        'value="1234.56"' in html and "corrected" in html and re.search(r"was (EUR )?12\.00<", html)
    )
    result = client.get(f"/api/v1/documents/{docs[0].id}").get_json()["result"]
    assert result["data"]["total"] == 1234.56
    assert db.session.query(AuditEvent).filter_by(action="correct").count() == 1


def test_a_bad_value_answers_400_with_the_error_beside_the_field_and_keeps_the_input(
    client, reviewed_batch
):
    _batch, docs = reviewed_batch
    resp = form_post(client, docs[0].id, "result", {"field-total": "about twelve"})
    assert resp.status_code == 400
    html = resp.data.decode()
    assert 'value="about twelve"' in html and 'aria-invalid="true"' in html
    assert 'id="field-total-error"' in html and "Enter an amount" in html
    assert (
        client.get(f"/api/v1/documents/{docs[0].id}").get_json()["result"]["data"]["total"] == 12.0
    )


def test_forms_without_a_csrf_token_are_refused(client, reviewed_batch):
    _batch, docs = reviewed_batch
    assert (
        client.post(f"/documents/{docs[0].id}/result", data={"field-total": "1"}).status_code == 400
    )
    assert client.post(f"/documents/{docs[0].id}/review", data={}).status_code == 400
    assert fresh(Document, docs[0].id).needs_review is True


def test_another_user_gets_404(client, auth, reviewed_batch):
    _batch, docs = reviewed_batch
    auth.logout()
    other = make_user("other@example.com", plan="growth")
    auth.login(other.email)
    assert client.get(f"/documents/{docs[0].id}").status_code == 404
    page = client.get("/batches/new").data.decode()
    resp = client.post(f"/documents/{docs[0].id}/review", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 404
    assert fresh(Document, docs[0].id).needs_review is True


def test_approve_and_review_next_walk_the_batch_then_return_to_it(client, reviewed_batch):
    batch, docs = reviewed_batch
    start = client.get(f"/batches/{batch.id}/review-next")
    assert start.headers["Location"].startswith(f"/documents/{docs[0].id}")

    # Review next skips ahead without approving.
    skip = client.get(f"/documents/{docs[0].id}/next")
    assert skip.headers["Location"].startswith(f"/documents/{docs[1].id}")

    for current, following in ((docs[0], docs[1]), (docs[1], docs[2])):
        resp = form_post(client, current.id, "review", {})
        assert resp.headers["Location"].startswith(f"/documents/{following.id}")
        assert fresh(Document, current.id).needs_review is False
    last = form_post(client, docs[2].id, "review", {})
    assert last.headers["Location"] == f"/batches/{batch.id}"
    assert "No more documents in this batch need review." in client.get(last.headers["Location"]).data.decode()  # fmt: skip
    assert fresh(Batch, batch.id).needs_review_count == 0
    done = client.get(f"/batches/{batch.id}/review-next")
    assert done.headers["Location"] == f"/batches/{batch.id}"
    # An approved document offers no second approval.
    page = client.get(f"/documents/{docs[0].id}").data.decode()
    assert 'data-field="review-badge">reviewed<' in page and 'data-action="approve"' not in page


def test_line_items_are_edited_as_rows(client, auth, user, worker):
    auth.login(user.email)
    page = client.get("/batches/new").data.decode()
    resp = client.post(
        "/api/v1/batches",
        data={
            "files": [(io.BytesIO(invoice_pdf(1)), "items.pdf")],
            "global_prompt": "Extract the total and line items",
        },
        headers={"X-CSRFToken": csrf_from(page)},
        content_type="multipart/form-data",
    )
    worker()
    doc_id = resp.get_json()["documents"][0]["id"]
    html = client.get(f"/documents/{doc_id}").data.decode()
    assert 'name="item-0-amount"' in html
    resp = form_post(client, doc_id, "result", {"item-0-quantity": "4", "item-0-amount": "20"})
    assert resp.status_code == 302
    items = client.get(f"/api/v1/documents/{doc_id}").get_json()["result"]["line_items"]
    assert items[0]["quantity"] == 4.0 and items[0]["amount"] == 20.0
    bad = form_post(client, doc_id, "result", {"item-0-amount": "much"})
    assert bad.status_code == 400 and 'id="item-0-amount-error"' in bad.data.decode()
