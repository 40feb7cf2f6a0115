"""Exports through the API: JSON, CSV and XLSX, one row per document or per item."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.exports import export_filename
from app.extensions import db
from app.models import AuditEvent, DocumentStatus, ExtractionResult
from tests.batch_rows import INVOICE_RESULT, add_documents, run_document
from tests.factories import make_batch, make_document

RECEIPT_RESULT = {
    "document_type": "receipt",
    "data": {"merchant": "Café Ünïcode", "total": 9.9, "vendor": {"name": "Corner shop"}},
    "fields": {},
    "line_items": [{"description": "Coffee", "quantity": 3, "amount": 9.9}],
    "meta": {"provider": "local", "model": "rules", "pages": 1, "duration_ms": 3},
}


@pytest.fixture
def finished_batch(user):
    """Two completed documents with nested fields and line items, and one failed document."""
    batch = make_batch(user, name="March invoices")
    invoice = make_document(user, batch, filename="invoice.pdf", page_count=2)
    receipt = make_document(user, batch, filename="receipt.pdf")
    broken = make_document(user, batch, filename="broken.pdf")
    run_document(invoice.id, result=INVOICE_RESULT)
    run_document(receipt.id, result=RECEIPT_RESULT)
    run_document(broken.id, DocumentStatus.FAILED, error_message="The PDF is damaged.")
    return batch


def read_csv(resp):
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_csv_one_row_per_document_flattens_nested_fields(api, finished_batch):
    resp = api.get(f"/api/v1/batches/{finished_batch.id}/export?format=csv&rows=document")

    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    expected = export_filename("March invoices", finished_batch.id, "csv", "document")
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    rows = read_csv(resp)
    header = list(rows[0])
    assert header[:6] == [
        "filename",
        "status",
        "document_type",
        "page_count",
        "error_code",
        "error_message",
    ]
    assert {"data.invoice_number", "data.vendor.name", "data.vendor.address.city"} <= set(header)
    assert {"data.merchant", "line_items"} <= set(header)
    by_name = {r["filename"]: r for r in rows}
    assert list(by_name) == ["invoice.pdf", "receipt.pdf", "broken.pdf"]
    invoice = by_name["invoice.pdf"]
    assert (invoice["status"], invoice["document_type"], invoice["page_count"]) == (
        "completed",
        "invoice",
        "2",
    )
    assert invoice["data.vendor.address.city"] == "Berlin"
    assert invoice["data.total"] == "120.5"
    assert '"Widget"' in invoice["line_items"]
    assert by_name["receipt.pdf"]["data.merchant"] == "Café Ünïcode"
    assert by_name["broken.pdf"]["error_message"] == "The PDF is damaged."
    assert by_name["broken.pdf"]["data.invoice_number"] == ""


def test_csv_escapes_formula_cells(api, finished_batch):
    rows = read_csv(api.get(f"/api/v1/batches/{finished_batch.id}/export?format=csv"))
    note = rows[0]["data.note"]
    assert note.startswith("'=")
    assert note[1:] == INVOICE_RESULT["data"]["note"]


def test_csv_one_row_per_line_item_repeats_document_fields(api, finished_batch):
    resp = api.get(f"/api/v1/batches/{finished_batch.id}/export?format=csv&rows=item")

    assert resp.status_code == 200
    assert "-items.csv" in resp.headers["Content-Disposition"]
    rows = read_csv(resp)
    assert [r["filename"] for r in rows] == [
        "invoice.pdf",
        "invoice.pdf",
        "receipt.pdf",
        "broken.pdf",
    ]
    assert {"line_items.description", "line_items.quantity", "line_items.amount"} <= set(rows[0])
    assert [r["line_items.description"] for r in rows] == ["Widget", "Service", "Coffee", ""]
    assert rows[1]["data.invoice_number"] == "INV-1001"  # repeated on every item row
    assert rows[1]["line_items.amount"] == "100.5"


def test_xlsx_is_a_workbook_that_reads_back(api, finished_batch):
    resp = api.get(f"/api/v1/batches/{finished_batch.id}/export?format=xlsx&rows=item")

    assert resp.status_code == 200
    assert resp.mimetype == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert resp.headers["Content-Disposition"].endswith('-items.xlsx"')
    sheet = load_workbook(io.BytesIO(resp.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    assert header[:2] == ("filename", "status")
    assert len(body) == 4
    col = {name: i for i, name in enumerate(header)}
    assert body[0][col["data.total"]] == 120.5  # numbers stay numbers
    assert body[1][col["line_items.description"]] == "Service"
    note = sheet.cell(row=2, column=col["data.note"] + 1)
    assert note.data_type == "s" and note.value.startswith("'=")


def test_json_has_one_object_per_document(api, finished_batch):
    resp = api.get(f"/api/v1/batches/{finished_batch.id}/export?format=json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    docs = resp.get_json()
    assert [d["filename"] for d in docs] == ["invoice.pdf", "receipt.pdf", "broken.pdf"]
    assert docs[0]["data"]["vendor"] == {"name": "ACME GmbH", "address": {"city": "Berlin"}}
    assert docs[0]["line_items"] == INVOICE_RESULT["line_items"]
    assert docs[2]["error"] == {"code": "extraction_failed", "message": "The PDF is damaged."}


def test_export_is_audited(api, finished_batch):
    api.get(f"/api/v1/batches/{finished_batch.id}/export?format=xlsx")
    details = db.session.scalars(
        sa.select(AuditEvent.details).where(
            AuditEvent.batch_id == finished_batch.id, AuditEvent.action == "batch.exported"
        )
    ).all()
    assert details == [{"format": "xlsx", "rows": "document"}]


@pytest.mark.parametrize("query", ["format=pdf", "format=csv&rows=page", "format=xlsx&rows=items"])
def test_bad_format_or_rows_is_400(api, finished_batch, query):
    resp = api.get(f"/api/v1/batches/{finished_batch.id}/export?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"
    assert not db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "batch.exported")
    )


def test_without_a_format_the_export_is_json(api, finished_batch):
    resp = api.get(f"/api/v1/batches/{finished_batch.id}/export")
    assert resp.status_code == 200
    assert len(resp.get_json()) == 3


def test_a_large_batch_streams_every_row(api, user):
    batch = make_batch(user, name="Big")
    ids = add_documents(user, batch, 450, status=DocumentStatus.COMPLETED)
    db.session.execute(
        sa.insert(ExtractionResult),
        [{"document_id": i, "data": RECEIPT_RESULT} for i in ids],
    )
    db.session.commit()

    resp = api.get(f"/api/v1/batches/{batch.id}/export?format=csv&rows=item")

    assert resp.is_streamed
    rows = read_csv(resp)
    assert len(rows) == 450
    assert {r["line_items.description"] for r in rows} == {"Coffee"}
