"""XLSX exports a spreadsheet can use as they are: typed cells, fitted widths, a frozen and
filtered header, a document id, line items on a sheet of their own; and dated zip entries."""

import csv
import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.exports import export_batch, export_filename
from tests.batch_rows import run_document
from tests.factories import make_batch, make_document

LONG_NAME = "supplier-invoice-2026-03-acme-gmbh-berlin.pdf"

RESULT = {
    "document_type": "invoice",
    "data": {
        "invoice_number": "0042",
        "date": "2026-03-14",
        "total": 1234.5,
        "phone": "030 1234567",
        "fax": "+49 30 7654321",
        "iban": "DE89370400440532013000",
        "created_at": "2026-03-14T09:30:00+01:00",
        "note": '=HYPERLINK("http://evil.example")',
    },
    "fields": {},
    "line_items": [
        {"description": "Widget", "quantity": 2, "unit_price": 10.0, "amount": 20.0},
        {"description": "Service", "quantity": 1, "amount": 100.5, "sku": "0007"},
    ],
    "meta": {"provider": "local", "model": "rules", "pages": 1, "duration_ms": 3},
}

PLAIN_RESULT = {
    "document_type": "receipt",
    "data": {"invoice_number": "R-7", "date": "2026-03-15", "total": 9},
    "fields": {},
    "line_items": [],
    "meta": {"provider": "local", "model": "rules", "pages": 1, "duration_ms": 3},
}


@pytest.fixture
def batch(user):
    """Two completed documents (one with line items) in a real batch, finished as the job does."""
    batch = make_batch(user, name="March invoices")
    invoice = make_document(user, batch, filename=LONG_NAME)
    receipt = make_document(user, batch, filename="receipt.pdf")
    run_document(invoice.id, result=RESULT)
    run_document(receipt.id, result=PLAIN_RESULT)
    batch.doc_ids = [str(invoice.id), str(receipt.id)]
    return batch


def download(api, batch, rows="document"):
    resp = api.get(f"/api/v1/batches/{batch.id}/export?format=xlsx&rows={rows}")
    assert resp.status_code == 200
    return load_workbook(io.BytesIO(resp.get_data()))


def table(sheet):
    header, *body = [list(row) for row in sheet.iter_rows()]
    return [c.value for c in header], body


def test_document_sheet_has_typed_cells(api, batch):
    sheet = download(api, batch)["Results"]
    header, (invoice, receipt) = table(sheet)
    cell = dict(zip(header, invoice, strict=True))

    assert header[0] == "document_id"
    assert [row[0].value for row in (invoice, receipt)] == batch.doc_ids
    assert "line_items" not in header  # the items are on their own sheet, not a JSON blob

    date = cell["data.date"]
    assert isinstance(date.value, datetime) and date.is_date
    assert date.value == datetime(2026, 3, 14)
    assert date.number_format == "yyyy-mm-dd"

    created = cell["data.created_at"]
    assert created.value == datetime(2026, 3, 14, 8, 30)  # naive UTC
    assert created.number_format == "yyyy-mm-dd hh:mm:ss"

    total = cell["data.total"]
    assert total.data_type == "n" and total.value == 1234.5
    assert total.number_format == "#,##0.00"
    pages = cell["page_count"]
    assert pages.data_type == "n" and isinstance(pages.value, int)
    assert pages.number_format == "General"
    receipt_total = dict(zip(header, receipt, strict=True))["data.total"]
    assert receipt_total.value == 9 and receipt_total.number_format == "General"

    for name, value in [
        ("data.invoice_number", "0042"),
        ("data.phone", "030 1234567"),
        ("data.iban", "DE89370400440532013000"),
    ]:
        assert cell[name].data_type == "s" and cell[name].value == value, name
    # Formula escaping is unchanged: text starting like a formula gets a leading "'".
    assert cell["data.fax"].data_type == "s" and cell["data.fax"].value == "'+49 30 7654321"
    note = cell["data.note"]
    assert note.data_type == "s" and note.value.startswith("'=")


def test_line_items_sheet_has_a_row_per_item_keyed_by_document(api, batch):
    book = download(api, batch)

    assert book.sheetnames == ["Results", "Line items"]
    sheet = book["Line items"]
    header, body = table(sheet)
    assert header[:2] == ["document_id", "filename"]
    assert set(header[2:]) == {"description", "quantity", "unit_price", "amount", "sku"}
    rows = [dict(zip(header, row, strict=True)) for row in body]
    assert [(r["document_id"].value, r["description"].value) for r in rows] == [
        (batch.doc_ids[0], "Widget"),
        (batch.doc_ids[0], "Service"),
    ]
    assert rows[0]["filename"].value == LONG_NAME
    assert rows[1]["amount"].value == 100.5 and rows[1]["amount"].data_type == "n"
    assert rows[1]["sku"].value == "0007" and rows[1]["sku"].data_type == "s"
    assert rows[0]["sku"].value is None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}3"


def test_header_is_frozen_filtered_and_columns_fit(api, batch):
    sheet = download(api, batch)["Results"]
    header, body = table(sheet)
    widths = {
        name: sheet.column_dimensions[get_column_letter(i)].width
        for i, name in enumerate(header, start=1)
    }

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(body) + 1}"
    assert widths["filename"] == len(LONG_NAME) + 2
    assert widths["filename"] > 10
    assert widths["document_id"] == 36 + 2  # a UUID
    assert all(8 <= w <= 60 for w in widths.values())


def test_item_rows_keep_their_shape_with_typed_cells(api, batch):
    sheet = download(api, batch, rows="item").active
    header, body = table(sheet)
    cell = dict(zip(header, body[0], strict=True))

    assert header[:2] == ["filename", "status"]
    assert len(body) == 3  # two items, and the receipt without any
    assert cell["data.date"].is_date and cell["data.date"].number_format == "yyyy-mm-dd"
    assert cell["line_items.amount"].value == 20 and cell["line_items.amount"].data_type == "n"
    assert cell["data.invoice_number"].value == "0042"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}4"


def test_csv_is_unchanged(api, batch):
    resp = api.get(f"/api/v1/batches/{batch.id}/export?format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))

    assert list(rows[0])[0] == "filename"
    assert rows[0]["data.total"] == "1234.5"
    assert rows[0]["data.date"] == "2026-03-14"
    assert rows[0]["data.invoice_number"] == "0042"
    assert '"Widget"' in rows[0]["line_items"]
    assert rows[1]["data.total"] == "9"


# --- the writer on its own ------------------------------------------------------------------------


def doc(i, **data):
    return {"id": f"d-{i}", "filename": f"f-{i}.pdf", "status": "completed", "data": data}


def workbook(docs, rows="document"):
    return load_workbook(io.BytesIO(b"".join(export_batch(lambda: iter(docs), "xlsx", rows).body)))


def test_iso_text_becomes_a_date_only_in_a_date_column():
    docs = [
        doc(1, reference="2026-03-14", code="0042", period_start="2026-01-01", due="14.03.2026"),
        doc(2, reference="R-2026-1", code="2026-03-14", period_start=None, due="2026-13-01"),
    ]
    header, (first, second) = table(workbook(docs)["Results"])
    col = {name: i for i, name in enumerate(header)}

    # Mixed with other text and not named like a date: an identifier, kept as text.
    assert first[col["data.reference"]].value == "2026-03-14"
    assert second[col["data.code"]].data_type == "s"
    # Nothing but ISO dates: a date column even without a date-like name.
    assert first[col["data.period_start"]].is_date
    # Only strict, real ISO dates convert.
    assert first[col["data.due"]].value == "14.03.2026"
    assert second[col["data.due"]].value == "2026-13-01"


def test_date_named_columns_convert_their_iso_values_only():
    docs = [doc(1, invoice_date="2026-03-14"), doc(2, invoice_date="14 March 2026")]
    header, (first, second) = table(workbook(docs)["Results"])
    i = header.index("data.invoice_date")

    assert first[i].is_date and first[i].value == datetime(2026, 3, 14)
    assert second[i].value == "14 March 2026" and second[i].data_type == "s"


def test_numbers_keep_their_precision_and_huge_integers_stay_text():
    docs = [doc(1, rate=0.125, count=3, big_count=123456789012, card=4111111111111111111)]
    header, (row,) = table(workbook(docs)["Results"])
    cell = dict(zip(header, row, strict=True))

    assert cell["data.rate"].value == 0.125 and cell["data.rate"].number_format == "#,##0.00#"
    assert cell["data.count"].number_format == "General"
    assert cell["data.big_count"].value == 123456789012
    assert cell["data.big_count"].number_format == "0"
    assert cell["data.card"].value == "4111111111111111111"


def test_large_batches_stream_past_the_sampled_rows():
    docs = [
        {
            **doc(i, total=i + 0.5, date="2026-03-14"),
            "line_items": [{"n": i}],
        }
        for i in range(450)
    ]
    docs[300]["filename"] = "x" * 200  # past the sample: does not widen the column
    book = workbook(docs)
    results, items = book["Results"], book["Line items"]
    header, body = table(results)

    assert len(body) == 450 and results.auto_filter.ref.endswith("451")
    assert items.auto_filter.ref == "A1:C451"
    assert body[449][header.index("data.date")].is_date
    assert body[449][header.index("data.total")].value == 449.5
    assert results.column_dimensions["B"].width == 12  # "filename" + filter button + 2


def test_batch_without_items_has_a_single_sheet():
    book = workbook([doc(1, total=1)])

    assert book.sheetnames == ["Results"]
    assert book["Results"].auto_filter.ref == "A1:H2"


def test_empty_batch_is_a_header_row():
    sheet = workbook([])["Results"]

    assert [c.value for c in next(sheet.iter_rows())][:2] == ["document_id", "filename"]
    assert sheet.auto_filter.ref == "A1:G1"


# --- zip of several batches -----------------------------------------------------------------------


def test_zip_entries_carry_the_export_time(client, auth, user):
    auth.login(user.email)
    batches = []
    for name in ("North", "South"):
        b = make_batch(user, name=name)
        d = make_document(user, b, filename=f"{name.lower()}.pdf")
        run_document(d.id, result=RESULT)
        batches.append(b)
    html = client.get("/batches").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    resp = client.post(
        "/batches/bulk",
        data={
            "csrf_token": token,
            "action": "export",
            "format": "xlsx",
            "rows": "document",
            "batch_ids": [str(b.id) for b in batches],
        },
    )

    assert resp.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(resp.get_data()))
    infos = archive.infolist()
    assert {i.filename for i in infos} == {
        export_filename(b.name, b.id, "xlsx", "document") for b in batches
    }
    for info in infos:
        assert info.date_time[0] != 1980
        stamp = datetime(*info.date_time)
        assert abs((stamp - before).total_seconds()) < 120  # the export time, in UTC
        assert info.compress_type == zipfile.ZIP_DEFLATED
        book = load_workbook(io.BytesIO(archive.read(info)))
        assert book.sheetnames == ["Results", "Line items"]
