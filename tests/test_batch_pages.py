"""The batch list, the batch page and the document page as a browser without scripts sees them."""

import csv
import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from app.exports import export_filename
from app.extensions import db
from app.models import Batch, BatchStatus, Document, DocumentStatus, PromptStrategy
from app.services import batch_actions
from tests.batch_rows import INVOICE_RESULT, claim, reload, run_document
from tests.factories import make_batch, make_document

D = DocumentStatus


@pytest.fixture
def logged_in(client, auth, user):
    auth.login(user.email)
    return client


def page_text(resp) -> str:
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# --- /batches -------------------------------------------------------------------------------------


def test_empty_list_points_to_the_wizard(logged_in):
    html = page_text(logged_in.get("/batches"))
    assert "No batches yet" in html
    assert 'href="/batches/new"' in html


def test_list_shows_status_progress_pages_time_and_actions(logged_in, user):
    running = make_batch(user, name="Running invoices")
    for i in range(3):
        make_document(user, running, filename=f"r{i}.pdf", page_count=2)
    mixed = make_batch(user, name="Mixed receipts")
    done = make_document(user, mixed, filename="ok.pdf")
    bad = make_document(user, mixed, filename="bad.pdf")
    run_document(done.id)
    run_document(bad.id, D.FAILED)

    html = page_text(logged_in.get("/batches"))

    assert "Running invoices" in html and "Mixed receipts" in html
    assert f'href="/batches/{running.id}"' in html
    assert "0 / 3 completed" in html and "1 / 2 completed" in html and "1 failed" in html
    assert "badge-queued" in html and "badge-partially_completed" in html
    assert re.search(
        r'<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC">just now', html
    )
    assert f'action="/batches/{running.id}/cancel"' in html  # queued: can be cancelled
    assert f'action="/batches/{mixed.id}/cancel"' not in html
    assert f'action="/batches/{mixed.id}/retry"' in html  # a failure: can be retried
    assert f'action="/batches/{running.id}/retry"' not in html
    assert f'action="/batches/{running.id}/delete"' in html
    assert "data-confirm=" in html


def test_list_filters_searches_sorts_and_paginates(logged_in, user):
    for n in range(23):
        make_batch(user, name=f"Invoices {n:02d}")
    make_batch(user, name="Zeta contracts", status=BatchStatus.FAILED)

    failed = page_text(logged_in.get("/batches?status=failed"))
    assert "Zeta contracts" in failed and "Invoices 00" not in failed

    found = page_text(logged_in.get("/batches?q=zeta"))
    assert "Zeta contracts" in found and "Invoices 01" not in found

    by_name = page_text(logged_in.get("/batches?sort=name"))
    assert (
        by_name.index("Invoices 00") < by_name.index("Invoices 01") < by_name.index("Invoices 02")
    )
    assert "Page 1 of 2" in by_name
    assert "Zeta contracts" not in by_name  # last by name: on page 2
    second = page_text(logged_in.get("/batches?sort=name&page=2"))
    assert "Zeta contracts" in second and 'rel="prev"' in second

    none = page_text(logged_in.get("/batches?q=nothing-like-this"))
    assert "No batch matches these filters" in none


def test_bulk_delete_removes_only_the_selected_batches(logged_in, user):
    keep = make_batch(user, name="Keep me")
    gone = [make_batch(user, name=f"Old {i}") for i in range(2)]
    html = page_text(logged_in.get("/batches"))

    resp = logged_in.post(
        "/batches/bulk",
        data={"csrf_token": csrf(html), "action": "delete", "batch_ids": [str(b.id) for b in gone]},
        follow_redirects=True,
    )

    assert "Deleted 2 batches" in page_text(resp)
    remaining = db.session.scalars(sa.select(Batch.name)).all()
    assert remaining == [keep.name]


def test_bulk_export_is_a_zip_with_one_file_per_batch(logged_in, user):
    batches = []
    for name in ("North", "South"):
        batch = make_batch(user, name=name)
        doc = make_document(user, batch, filename=f"{name.lower()}.pdf")
        run_document(doc.id)
        batches.append(batch)
    html = page_text(logged_in.get("/batches"))

    resp = logged_in.post(
        "/batches/bulk",
        data={
            "csrf_token": csrf(html),
            "action": "export",
            "format": "csv",
            "rows": "item",
            "batch_ids": [str(b.id) for b in batches],
        },
    )

    assert resp.status_code == 200
    assert resp.mimetype == "application/zip"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="batches-')
    archive = zipfile.ZipFile(io.BytesIO(resp.get_data()))
    expected = {export_filename(b.name, b.id, "csv", "item") for b in batches}
    assert set(archive.namelist()) == expected
    for batch in batches:
        name = export_filename(batch.name, batch.id, "csv", "item")
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        assert [r["line_items.description"] for r in rows] == ["Widget", "Service"]


# --- /batches/<id> --------------------------------------------------------------------------------


def test_batch_page_shows_summary_documents_and_history(logged_in, user, api):
    batch = make_batch(
        user, name="Per-document batch", strategy=PromptStrategy.PER_DOCUMENT, prompt=None
    )
    good = make_document(user, batch, filename="good.pdf", page_count=2, prompt="Find the IBAN")
    bad = make_document(user, batch, filename="bad.pdf", prompt="Find the total")
    waiting = make_document(user, batch, filename="waiting.pdf", prompt="Find the date")
    run_document(good.id)
    run_document(bad.id, D.FAILED, error_message="The scan is unreadable.")
    html = page_text(logged_in.get(f"/batches/{batch.id}"))

    assert "Per-document batch" in html
    assert "A prompt per document" in html
    assert 'data-field="completed_count">1</span> completed' in html
    assert 'data-field="failed_count">1</span> failed' in html
    assert 'of <span data-field="document_count">3</span> documents' in html
    assert 'aria-valuenow="66"' in html
    # Screen readers hear the figures change as the page follows the batch.
    assert '<p class="progress-text" aria-live="polite" aria-atomic="true">' in html
    # The bar shows each outcome apart: a third completed, a third failed, nothing cancelled.
    assert 'data-segment="completed_count" style="width: 33.33%"' in html
    assert 'data-segment="failed_count" style="width: 33.33%"' in html
    assert 'data-segment="cancelled_count" style="width: 0.00%"' in html
    assert f'href="/documents/{good.id}"' in html and f'href="/documents/{waiting.id}"' in html
    assert (
        '<details><summary>Show</summary><pre class="prompt">Find the IBAN</pre></details>' in html
    )
    assert "The scan is unreadable." in html
    assert f"/api/v1/batches/{batch.id}/export?format=csv&amp;rows=item" in html
    assert f"/api/v1/batches/{batch.id}/export?format=xlsx" in html
    assert 'data-final="false"' in html
    assert f'data-poll-url="/api/v1/batches/{batch.id}"' in html
    assert "js/poll.js" in html

    # Cancel through the page; the history shows it and the page is now final.
    logged_in.post(f"/batches/{batch.id}/cancel", data={"csrf_token": csrf(html)})
    after = page_text(logged_in.get(f"/batches/{batch.id}"))
    assert "cancelled" in after and 'data-final="true"' in after
    assert re.search(r'<span data-history="batch.cancelled">Cancelled 1 document.</span>', after)
    assert re.search(r'data-show-if="cancellable"\s+hidden', after)


def test_batch_page_tag_matches_the_status_endpoint(logged_in, user):
    batch = make_batch(user)
    make_document(user, batch)
    html = page_text(logged_in.get(f"/batches/{batch.id}"))
    tag = re.search(r'data-etag="([^"]+)"', html).group(1).replace("&#34;", '"')
    resp = logged_in.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag})
    assert resp.status_code == 304


def test_without_scripts_a_reload_shows_the_current_state(logged_in, user):
    batch = make_batch(user, name="Reload me")
    doc = make_document(user, batch, filename="one.pdf")
    before = page_text(logged_in.get(f"/batches/{batch.id}"))
    assert "badge-queued" in before and "<noscript>" in before

    run_document(doc.id)

    after = page_text(logged_in.get(f"/batches/{batch.id}"))
    assert "badge-completed" in after and "badge-queued" not in after
    assert logged_in.get(f"/batches/{batch.id}").headers["Cache-Control"] == "no-store"


# --- /documents/<id> ------------------------------------------------------------------------------


def test_document_page_shows_fields_items_json_prompt_and_attempts(logged_in, user):
    batch = make_batch(user, prompt="Extract the invoice number, date and total")
    doc = make_document(user, batch, filename="inv.pdf")
    run_document(doc.id, D.FAILED, error_message="Provider timed out.")
    batch_actions.retry_batch(batch.id, user.id)
    run_document(doc.id)

    html = page_text(logged_in.get(f"/documents/{doc.id}"))

    assert "inv.pdf" in html and "badge-completed" in html
    # Each field is a labelled input of the review form, with its confidence.
    assert re.search(
        r'<label for="field-invoice_number">invoice number</label></th>\s*<td>\s*'
        r'<input type="text" id="field-invoice_number" name="field-invoice_number"[^>]*'
        r'value="INV-1001"[^>]*>.*?</td>\s*<td>97%</td>',
        html,
        re.DOTALL,
    )
    # A nested object is shown one inner value per row.
    assert re.search(r"<th scope=\"row\">vendor › address › city</th>\s*<td>\s*Berlin", html)
    assert re.search(r"<th scope=\"row\">vendor › name</th>\s*<td>\s*ACME GmbH", html)
    assert '<th scope="col">description</th>' in html
    assert re.search(r'<input type="text" name="item-0-description"[^>]*value="Widget"', html)
    assert "Raw JSON" in html and '"invoice_number": "INV-1001"' in html
    assert "Extract the invoice number, date and total" in html
    assert html.count("attempts-table") == 1
    assert "extraction_failed: Provider timed out." in html  # the first attempt's error
    assert f'href="/documents/{doc.id}/file"' in html
    assert 'data-final="true"' in html and "js/poll.js" not in html


def test_document_page_polls_while_processing(logged_in, user):
    batch = make_batch(user)
    doc = make_document(user, batch)
    claim(doc.id)
    html = page_text(logged_in.get(f"/documents/{doc.id}"))
    assert "badge-processing" in html
    assert f'data-poll-url="/api/v1/documents/{doc.id}"' in html and "js/poll.js" in html
    assert "The result appears here when processing ends." in html


def test_download_serves_the_original_as_a_safe_attachment(logged_in, user):
    content = b"%PDF-1.4\n% original bytes\n"
    name = 'Rechnung März "final";\r\n.pdf'
    doc = make_document(user, None, content=content, filename=name)

    resp = logged_in.get(f"/documents/{doc.id}/file")

    assert resp.status_code == 200
    assert resp.get_data() == content
    assert resp.mimetype == "application/pdf"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Rechnung%20M%C3%A4rz%20%22final%22%3B.pdf" in disposition
    assert "\r" not in disposition and "\n" not in disposition


def test_download_of_an_unexpected_type_is_plain_bytes(logged_in, user):
    doc = make_document(user, None, content=b"<script>alert(1)</script>", mime_type="text/html")
    resp = logged_in.get(f"/documents/{doc.id}/file")
    assert resp.mimetype == "application/octet-stream"
    assert resp.headers["Content-Disposition"].startswith("attachment;")


def test_single_upload_can_be_deleted_from_its_page(logged_in, user):
    doc = make_document(user, None, filename="lonely.pdf")
    run_document(doc.id)
    html = page_text(logged_in.get(f"/documents/{doc.id}"))
    assert "Single document" in html
    assert f'action="/documents/{doc.id}/delete"' in html

    resp = logged_in.post(
        f"/documents/{doc.id}/delete", data={"csrf_token": csrf(html)}, follow_redirects=True
    )

    assert "Document deleted." in page_text(resp)
    assert reload(Document, doc.id) is None
    assert logged_in.get(f"/documents/{doc.id}").status_code == 404


def test_result_json_matches_what_the_page_shows(api, user):
    doc = make_document(user, None, filename="api.pdf")
    run_document(doc.id)
    assert api.get(f"/api/v1/documents/{doc.id}").get_json()["result"] == INVOICE_RESULT


@pytest.mark.parametrize(
    ("action", "details", "sentence"),
    [
        (
            "batch.created",
            {"documents": 9, "failed": 1, "pages": 12},
            "Created with 9 documents (12 pages); 1 file could not be read.",
        ),  # fmt: skip
        ("batch.cancelled", {"cancelled_documents": 8}, "Cancelled 8 documents."),
        ("batch.retried", {"retried_documents": 1}, "Queued 1 failed document again."),
        ("batch.resumed", {"resumed_documents": 3}, "Resumed 3 cancelled documents."),
        ("batch.resumed", {"resumed_documents": 1}, "Resumed 1 cancelled document."),
        (
            "batch.exported",
            {"format": "xlsx", "rows": "item", "bundle": True},
            "Exported as XLSX, a row per line item, in a zip with other batches.",
        ),  # fmt: skip
        ("correct", {"fields": ["total", "due_date"]}, "Corrected total, due date of a document."),
    ],
)
def test_history_reads_as_sentences(action, details, sentence):
    from app.batches.formatting import history_sentence

    assert history_sentence(action, details) == sentence
