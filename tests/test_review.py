"""Review and correction: where values sit on the page, page images, typed corrections, approval."""

import csv
import io
import json
import re

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PIL import Image

from app.extensions import db
from app.models import AuditEvent, Batch, Document
from app.services import review
from app.storage import get_storage
from engine.ocr import ocr_image
from tests.factories import make_token, make_user
from tests.support.pipeline import fresh, invoice_pdf

PROMPT = "Extract the invoice number, date and total"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def create(client, token, files, prompt=PROMPT):
    data = {"files": [(io.BytesIO(c), n) for c, n in files], "global_prompt": prompt}
    resp = client.post(
        "/api/v1/batches", data=data, headers=bearer(token), content_type="multipart/form-data"
    )
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()


def processed(client, token, worker, files, prompt=PROMPT) -> tuple[dict, list[dict]]:
    """Create a batch, run it, and return its status JSON and its documents' JSON."""
    batch = create(client, token, files, prompt)
    worker()
    status = client.get(f"/api/v1/batches/{batch['id']}", headers=bearer(token)).get_json()
    docs = [
        client.get(f"/api/v1/documents/{d['id']}", headers=bearer(token)).get_json()
        for d in status["documents"]
    ]
    return status, docs


def scanned_invoice_png() -> bytes:
    """The invoice PDF rendered at 200 dpi: an image whose text only OCR can read."""
    pdf = pdfium.PdfDocument(invoice_pdf(1))
    image = pdf[0].render(scale=200 / 72).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def read_box(client, token, doc_id, field) -> str:
    """The page image cropped at the field's box (with a small margin), read by OCR."""
    page = client.get(
        f"/api/v1/documents/{doc_id}/pages/{field['page']}.png", headers=bearer(token)
    )
    assert page.status_code == 200
    image = Image.open(io.BytesIO(page.data)).convert("RGB")
    x0, y0, x1, y1 = field["bbox"]
    w, h = image.size
    pad_x, pad_y = 0.006, 0.002
    crop = image.crop(
        (
            int(max(x0 - pad_x, 0) * w),
            int(max(y0 - pad_y, 0) * h),
            int(min(x1 + pad_x, 1) * w),
            int(min(y1 + pad_y, 1) * h),
        )
    )
    crop = crop.resize((crop.width * 3, crop.height * 3))
    lines, _w, _h = ocr_image(crop, 1)
    return " ".join(line.text for line in lines)


@pytest.mark.parametrize("kind", ["text PDF", "scanned image"])
def test_each_box_lies_on_the_page_over_its_value(client, token, worker, kind):
    files = (
        [(invoice_pdf(1), "invoice.pdf")]
        if kind == "text PDF"
        else [(scanned_invoice_png(), "invoice.png")]
    )
    _status, (doc,) = processed(client, token, worker, files)
    fields = doc["result"]["fields"]
    for name in ("invoice_number", "date", "total"):
        field = fields[name]
        x0, y0, x1, y1 = field["bbox"]
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, (name, field)
        assert field["page"] == 1
    # What the boxes cover reads as the values, and not as the whole line with its label.
    number_text = read_box(client, token, doc["id"], fields["invoice_number"])
    assert "0042" in number_text and "Invoice" not in number_text, number_text
    total_text = read_box(client, token, doc["id"], fields["total"])
    assert "12" in total_text and "Total" not in total_text, total_text
    date_text = read_box(client, token, doc["id"], fields["date"])
    assert re.search(r"2024.?03.?15", date_text), date_text


def test_page_images_render_are_cached_and_are_private(client, user, token, worker):
    _status, (doc,) = processed(client, token, worker, [(invoice_pdf(2), "two.pdf")])
    first = client.get(
        f"/api/v1/documents/{doc['id']}/pages/2.png?width=500", headers=bearer(token)
    )
    assert first.status_code == 200 and first.mimetype == "image/png"
    image = Image.open(io.BytesIO(first.data))
    assert image.width == 500 and image.height > 500, "an A4 page, 500 px wide"
    assert "private" in first.headers["Cache-Control"]
    again = client.get(
        f"/api/v1/documents/{doc['id']}/pages/2.png?width=500",
        headers={**bearer(token), "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    row = fresh(Document, doc["id"])
    cached = [k for k in get_storage().keys() if k != row.storage_key]
    assert len(cached) == 1, "the rendered page is kept in storage"
    assert client.get(f"/api/v1/documents/{doc['id']}/pages/1.png", headers=bearer(token)).status_code == 200  # fmt: skip

    for missing in (0, 3):
        resp = client.get(
            f"/api/v1/documents/{doc['id']}/pages/{missing}.png", headers=bearer(token)
        )
        assert resp.status_code == 404
    other = make_token(make_user(plan="growth"))
    resp = client.get(f"/api/v1/documents/{doc['id']}/pages/1.png", headers=bearer(other))
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"

    assert client.delete(f"/api/v1/batches/{doc['batch_id']}", headers=bearer(token)).status_code == 204  # fmt: skip
    assert list(get_storage().keys()) == [], "the file and its page images are removed together"


def test_corrections_are_typed_kept_with_the_original_and_audited(client, user, token, worker):
    _status, (doc,) = processed(client, token, worker, [(invoice_pdf(1), "invoice.pdf")])
    url = f"/api/v1/documents/{doc['id']}/result"

    bad = client.patch(url, json={"data": {"date": "not a date"}}, headers=bearer(token))
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_value"
    assert bad.get_json()["error"]["details"]["field"] == "date"
    bad = client.patch(url, json={"data": {"total": "twelve"}}, headers=bearer(token))
    assert (bad.status_code, bad.get_json()["error"]["details"]["field"]) == (400, "total")

    ok = client.patch(
        url, json={"data": {"total": "1.234,50", "date": "31 March 2024"}}, headers=bearer(token)
    )
    assert ok.status_code == 200
    fields = ok.get_json()["result"]["fields"]
    assert fields["total"]["value"] == 1234.5 and fields["total"]["original"] == 12.0
    assert fields["total"]["corrected"] is True and fields["total"]["confidence"] == 1.0
    assert fields["date"]["value"] == "2024-03-31" and fields["date"]["original"] == "2024-03-15"
    assert ok.get_json()["result"]["data"]["total"] == 1234.5
    assert "corrected" not in fields["invoice_number"]

    # A second correction keeps the extracted value as the original.
    again = client.patch(url, json={"data": {"total": 99.9}}, headers=bearer(token)).get_json()
    assert again["result"]["fields"]["total"]["original"] == 12.0

    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "correct").order_by(AuditEvent.created_at)
    ).all()
    assert [(str(e.user_id), e.details["fields"]) for e in events] == [
        (str(user.id), ["date", "total"]),
        (str(user.id), ["total"]),
    ]

    other = make_token(make_user(plan="growth"))
    assert client.patch(url, json={"data": {"total": 1}}, headers=bearer(other)).status_code == 404


def test_a_document_that_is_not_completed_cannot_be_corrected(client, user, token):
    batch = create(client, token, [(invoice_pdf(1), "queued.pdf")])  # no worker ran
    doc_id = batch["documents"][0]["id"]
    resp = client.patch(
        f"/api/v1/documents/{doc_id}/result", json={"data": {"total": 1}}, headers=bearer(token)
    )
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "invalid_state"
    resp = client.post(
        f"/api/v1/documents/{doc_id}/review", json={"approved": True}, headers=bearer(token)
    )
    assert resp.status_code == 409


def test_exports_and_question_answers_use_corrected_values(client, user, token, worker):
    status, (doc,) = processed(client, token, worker, [(invoice_pdf(1), "invoice.pdf")])
    client.patch(
        f"/api/v1/documents/{doc['id']}/result",
        json={"data": {"total": "4321.09"}},
        headers=bearer(token),
    )
    base = f"/api/v1/batches/{status['id']}/export"
    as_json = client.get(f"{base}?format=json", headers=bearer(token)).get_data(as_text=True)
    assert "4321.09" in as_json
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"{base}?format=csv", headers=bearer(token)).get_data(as_text=True)
            )
        )
    )
    assert rows[0]["data.total"] == "4321.09"
    book = load_workbook(io.BytesIO(client.get(f"{base}?format=xlsx", headers=bearer(token)).data))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert 4321.09 in values or "4321.09" in values

    from app.services.questions import retrieval
    from app.services.questions.answer import Ask, LocalAnswerer

    scope = retrieval.Scope(user.id)
    for document in retrieval.unindexed_documents(scope):
        retrieval.index_document(document)
    db.session.commit()
    answer = LocalAnswerer().answer(Ask("What is the total of invoice INV-2024-0042?", scope), [])
    assert "4321.09" in answer.text, answer.text


def test_needs_review_is_counted_filtered_and_cleared_by_approval(client, user, token, worker):
    # The invoice has no IBAN: a requested field is missing, so the document needs review.
    missing = "Extract the invoice number, the total and the IBAN"
    status, docs = processed(
        client,
        token,
        worker,
        [(invoice_pdf(1), "a.pdf"), (invoice_pdf(2), "b.pdf")],
        prompt=missing,
    )
    assert status["needs_review_count"] == 2
    assert all(d["needs_review"] for d in status["documents"])
    clean, _ = processed(client, token, worker, [(invoice_pdf(1), "c.pdf")])
    assert clean["needs_review_count"] == 0 and not clean["documents"][0]["needs_review"]

    listed = client.get("/api/v1/batches?needs_review=1", headers=bearer(token)).get_json()
    assert [b["id"] for b in listed["batches"]] == [status["id"]]
    assert len(client.get("/api/v1/batches", headers=bearer(token)).get_json()["batches"]) == 2

    url = f"/api/v1/documents/{docs[0]['id']}/review"
    assert client.post(url, json={"approved": False}, headers=bearer(token)).status_code == 400
    resp = client.post(url, json={"approved": True}, headers=bearer(token))
    assert resp.status_code == 200 and resp.get_json()["needs_review"] is False
    client.post(url, json={"approved": True}, headers=bearer(token))  # twice counts once
    assert fresh(Batch, status["id"]).needs_review_count == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "review")
        )
        == 2
    )


def test_needs_review_follows_the_confidence_threshold():
    fields = {"total": {"value": 12.0, "confidence": 0.55}, "date": {"value": "2024-01-01"}}
    fields["date"]["confidence"] = 0.9
    assert review.needs_review({"fields": fields}, 0.6) is True
    assert review.needs_review({"fields": fields}, 0.5) is False
    fields["total"]["corrected"] = True
    assert review.needs_review({"fields": fields}, 0.6) is False


def test_line_items_are_corrected_as_typed_rows(client, token, worker):
    _status, (doc,) = processed(
        client,
        token,
        worker,
        [(invoice_pdf(1), "a.pdf")],
        prompt="Extract the total and line items",
    )
    url = f"/api/v1/documents/{doc['id']}/result"
    rows = [{"description": "Paper A4", "quantity": "3", "unit_price": "5", "amount": "15,00"}]
    resp = client.patch(url, json={"line_items": rows}, headers=bearer(token))
    assert resp.status_code == 200, resp.get_json()
    result = resp.get_json()["result"]
    assert result["line_items"] == [
        {"description": "Paper A4", "quantity": 3.0, "unit_price": 5.0, "amount": 15.0}
    ]
    assert result["data"]["line_items"] == result["line_items"]
    bad = client.patch(url, json={"line_items": [{"amount": "lots"}]}, headers=bearer(token))
    assert bad.status_code == 400
    assert bad.get_json()["error"]["details"]["field"] == "line_items[0].amount"
    assert json.loads(json.dumps(result))  # plain JSON


def test_analytics_shows_the_share_of_fields_users_corrected(client, auth, user, token, worker):
    _status, docs = processed(
        client, token, worker, [(invoice_pdf(1), "a.pdf"), (invoice_pdf(2), "b.pdf")]
    )
    client.patch(
        f"/api/v1/documents/{docs[0]['id']}/result",
        json={"data": {"total": "15.00"}},
        headers=bearer(token),
    )
    auth.login(user.email)
    html = client.get("/analytics").data.decode()
    # Two invoices, four fields each: one of eight corrected.
    assert re.search(r'id="fig-corrected">1</strong> of the extracted fields \(12.5 %\)', html)
    assert re.search(r"<td>invoice</td><td>total</td><td>1</td><td>2</td><td>50.0 %</td>", html)
    csv_text = client.get("/analytics.csv").get_data(as_text=True)
    assert "corrections,invoice.total,corrected,1" in csv_text


def test_bad_widths_names_and_values_are_refused_with_their_field(client, token, worker):
    _status, (doc,) = processed(client, token, worker, [(invoice_pdf(1), "a.pdf")])
    for width in ("50", "2001", "wide"):
        resp = client.get(f"/api/v1/documents/{doc['id']}/pages/1.png?width={width}", headers=bearer(token))  # fmt: skip
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_request"
    url = f"/api/v1/documents/{doc['id']}/result"
    for data, field in (
        ({"total": "12\x00"}, "total"),
        ({"bad\x00name": "x"}, "bad\x00name"),
        ({"x" * 101: "y"}, "x" * 100),
    ):
        resp = client.patch(url, json={"data": data}, headers=bearer(token))
        assert resp.status_code == 400, data
        assert resp.get_json()["error"]["details"]["field"] == field
    assert client.patch(url, json={"data": "total=1"}, headers=bearer(token)).status_code == 400
    assert document_json_total(client, token, doc["id"]) == 12.0


def document_json_total(client, token, doc_id):
    return client.get(f"/api/v1/documents/{doc_id}", headers=bearer(token)).get_json()["result"][
        "data"
    ]["total"]


def test_boxes_of_a_scan_lying_on_its_side_land_on_the_page_as_shown(tmp_path):
    """OCR reads the scan turned upright; its boxes are mapped back to the image as uploaded."""
    from engine import SourceDocument
    from engine.local import LocalProvider

    upright = Image.open(io.BytesIO(scanned_invoice_png()))
    sideways = upright.rotate(-90, expand=True)  # turned clockwise, as a scanner may feed it
    boxes = {}
    for name, image in (("upright", upright), ("sideways", sideways)):
        path = tmp_path / f"{name}.png"
        image.save(path)
        result = LocalProvider().extract(SourceDocument(str(path), "image/png", path.name), PROMPT)
        boxes[name] = {k: v["bbox"] for k, v in result["fields"].items()}
    for field in ("invoice_number", "date", "total"):
        x0, y0, x1, y1 = boxes["upright"][field]
        # Turned clockwise, a point (x, y) of the page goes to (1 - y, x).
        expected = [1 - y1, x0, 1 - y0, x1]
        found = boxes["sideways"][field]
        overlap_w = min(found[2], expected[2]) - max(found[0], expected[0])
        overlap_h = min(found[3], expected[3]) - max(found[1], expected[1])
        assert overlap_w > 0 and overlap_h > 0, (field, found, expected)
        area = (expected[2] - expected[0]) * (expected[3] - expected[1])
        assert overlap_w * overlap_h > 0.5 * area, (field, found, expected)


def test_line_items_that_are_not_a_list_are_refused(client, token, worker):
    _status, (doc,) = processed(client, token, worker, [(invoice_pdf(1), "a.pdf")])
    resp = client.patch(
        f"/api/v1/documents/{doc['id']}/result",
        json={"data": {}, "line_items": False},
        headers=bearer(token),
    )
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_value"


def test_a_document_deleted_meanwhile_is_not_found(db):
    with pytest.raises(review.Gone):
        review.correct(__import__("uuid").uuid4(), None, {"total": 1})
