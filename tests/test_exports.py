import csv
import io
import json
import types

import pytest
from openpyxl import load_workbook

from app.exports import (
    Export,
    batch_columns,
    escape_formula,
    export_batch,
    export_filename,
    export_table,
    flatten,
    slugify,
)

ITEMS = [
    {"description": "Widget", "quantity": 2, "unit_price": 10.0, "amount": 20.0},
    {"description": "Service", "quantity": 1, "unit_price": 100.5, "amount": 100.5},
]

INVOICE = {
    "id": "d-1",
    "filename": "inv-1.pdf",
    "status": "completed",
    "document_type": "invoice",
    "page_count": 2,
    "error_code": None,
    "error_message": None,
    "data": {
        "invoice_number": "INV-1",
        "total": 120.5,
        "vendor": {"name": "ACME", "vat": "DE123"},
        "tags": ["a", "b"],
        "line_items": ITEMS,
    },
    "line_items": ITEMS,
}

FAILED = {
    "id": "d-2",
    "filename": "broken.pdf",
    "status": "failed",
    "document_type": None,
    "page_count": 1,
    "error_code": "unreadable_pdf",
    "error_message": "The PDF could not be read",
    "data": None,
    "line_items": None,
}

DOCUMENT_HEADER = [
    "filename",
    "status",
    "document_type",
    "page_count",
    "error_code",
    "error_message",
    "data.invoice_number",
    "data.total",
    "data.vendor.name",
    "data.vendor.vat",
    "data.tags",
    "line_items",
]

ITEM_HEADER = DOCUMENT_HEADER[:-1] + [
    "line_items.description",
    "line_items.quantity",
    "line_items.unit_price",
    "line_items.amount",
]

INVOICE_CELLS = ["inv-1.pdf", "completed", "invoice", "2", "", "", "INV-1", "120.5", "ACME"]
INVOICE_CELLS += ["DE123", "a; b"]
FAILED_CELLS = ["broken.pdf", "failed", "", "1", "unreadable_pdf", "The PDF could not be read"]
FAILED_CELLS += ["", "", "", "", ""]


def factory(*docs):
    """A rows factory that also counts how often it was called."""

    def make():
        make.calls += 1
        return iter(docs)

    make.calls = 0
    return make


def body_bytes(export: Export) -> bytes:
    return b"".join(export.body)


def read_csv(export: Export) -> list[list[str]]:
    raw = body_bytes(export)
    assert not raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def read_xlsx(export: Export) -> list[list]:
    book = load_workbook(io.BytesIO(body_bytes(export)))
    assert book.sheetnames == ["Results"]
    return [list(row) for row in book["Results"].iter_rows(values_only=True)]


def test_csv_document_rows():
    export = export_batch(factory(INVOICE, FAILED), "csv", "document")

    assert (export.mimetype, export.extension) == ("text/csv", "csv")
    header, invoice, failed = read_csv(export)
    assert header == DOCUMENT_HEADER
    assert invoice[:-1] == INVOICE_CELLS
    assert json.loads(invoice[-1]) == ITEMS
    assert failed == FAILED_CELLS + [""]


def test_csv_uses_crlf_and_reads_each_document_twice_at_most():
    rows = factory(INVOICE, FAILED)
    raw = body_bytes(export_batch(rows, "csv"))

    assert raw.count(b"\r\n") == 3
    assert raw.decode("utf-8").splitlines()[0] == ",".join(DOCUMENT_HEADER)
    assert rows.calls == 2


def test_csv_item_rows_repeat_document_fields():
    header, *rows = read_csv(export_batch(factory(INVOICE, FAILED), "csv", "item"))

    assert header == ITEM_HEADER
    assert rows == [
        INVOICE_CELLS + ["Widget", "2", "10", "20"],
        INVOICE_CELLS + ["Service", "1", "100.5", "100.5"],
        FAILED_CELLS + ["", "", "", ""],
    ]


def test_csv_numbers_are_plain_without_a_trailing_zero():
    from decimal import Decimal

    doc = {**INVOICE, "data": {"a": 12.0, "b": 1234.56, "c": Decimal("5.00"), "d": -3.0}}
    header, row, *_ = read_csv(export_batch(factory(doc), "csv"))
    cells = dict(zip(header, row, strict=True))
    assert [cells[f"data.{k}"] for k in "abcd"] == ["12", "1234.56", "5", "-3"]


def test_items_are_taken_from_data_when_not_given_separately():
    doc = {**INVOICE, "line_items": None}

    header, *rows = read_csv(export_batch(factory(doc), "csv", "item"))

    assert header == ITEM_HEADER
    assert [row[-4:] for row in rows] == [
        ["Widget", "2", "10", "20"],
        ["Service", "1", "100.5", "100.5"],
    ]


def test_columns_are_the_union_in_first_seen_order():
    first = {**FAILED, "data": {"b": 1, "a": {"x": 2}}}
    second = {**FAILED, "data": {"c": 3, "b": 4, "a": {"y": 5}}}

    header, one, two = read_csv(export_batch(factory(first, second), "csv"))

    assert header[6:] == ["data.b", "data.a.x", "data.c", "data.a.y"]
    assert one[6:] == ["1", "2", "", ""]
    assert two[6:] == ["4", "", "3", "5"]


def test_batch_without_items_has_no_line_items_column():
    assert batch_columns([FAILED], "document") == list(DOCUMENT_HEADER[:6])
    assert batch_columns([], "item") == list(DOCUMENT_HEADER[:6])


def test_json_parses_back_and_does_not_repeat_line_items():
    export = export_batch(factory(INVOICE, FAILED), "json", "item")

    assert (export.mimetype, export.extension) == ("application/json", "json")
    invoice, failed = json.loads(body_bytes(export))
    assert invoice == {
        "id": "d-1",
        "filename": "inv-1.pdf",
        "status": "completed",
        "document_type": "invoice",
        "page_count": 2,
        "error": None,
        "data": {
            "invoice_number": "INV-1",
            "total": 120.5,
            "vendor": {"name": "ACME", "vat": "DE123"},
            "tags": ["a", "b"],
        },
        "line_items": ITEMS,
    }
    assert failed["error"] == {"code": "unreadable_pdf", "message": "The PDF could not be read"}
    assert (failed["data"], failed["line_items"]) == (None, [])


def test_json_of_an_empty_batch_is_an_empty_array():
    assert json.loads(body_bytes(export_batch(factory(), "json"))) == []


def test_xlsx_reads_back_with_typed_cells():
    export = export_batch(factory(INVOICE, FAILED), "xlsx", "item")

    assert export.extension == "xlsx"
    assert export.mimetype.endswith("spreadsheetml.sheet")
    header, first, second, failed = read_xlsx(export)
    assert list(header) == ITEM_HEADER
    expected = ["inv-1.pdf", "completed", "invoice", 2, None, None, "INV-1", 120.5, "ACME"]
    expected += ["DE123", "a; b"]
    assert first == expected + ["Widget", 2, 10, 20]
    assert second == expected + ["Service", 1, 100.5, 100.5]
    failed_cells = ["broken.pdf", "failed", None, 1, "unreadable_pdf", "The PDF could not be read"]
    assert failed == failed_cells + [None] * 9
    assert isinstance(first[3], int) and isinstance(first[7], float)


def test_xlsx_header_is_bold():
    book = load_workbook(io.BytesIO(body_bytes(export_batch(factory(INVOICE), "xlsx"))))
    sheet = book["Results"]

    assert sheet["A1"].font.b is True
    assert sheet["A2"].font.b is not True


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","click")', "+1", "@SUM(A1:A2)", "-cmd", "\tx", "\rx"],
)
def test_formula_text_is_escaped_in_csv_and_xlsx(text):
    doc = {**FAILED, "filename": text, "data": {"note": text, "tags": [text]}}

    _, csv_row = read_csv(export_batch(factory(doc), "csv"))
    xlsx_header, xlsx_row = read_xlsx(export_batch(factory(doc), "xlsx"))

    assert csv_row[0] == csv_row[6] == csv_row[7] == "'" + text
    # The per-document workbook starts with document_id: the same cells are one column later.
    assert xlsx_header[:2] == ["document_id", "filename"]
    assert xlsx_row[0] == "d-2"
    assert xlsx_row[1] == xlsx_row[7] == xlsx_row[8] == "'" + text


def test_formula_escaping_leaves_ordinary_text_alone():
    assert escape_formula("INV-1") == "INV-1"
    assert escape_formula("a=b") == "a=b"
    assert escape_formula("-1") == "'-1"


def test_negative_amounts_stay_numbers():
    doc = {**FAILED, "data": {"amount": -12.5, "count": -3}}

    _, xlsx_row = read_xlsx(export_batch(factory(doc), "xlsx"))
    _, csv_row = read_csv(export_batch(factory(doc), "csv"))

    assert xlsx_row[7:] == [-12.5, -3]
    assert isinstance(xlsx_row[7], float) and isinstance(xlsx_row[8], int)
    assert csv_row[6:] == ["-12.5", "-3"]


def test_xlsx_drops_characters_excel_cannot_store():
    doc = {**FAILED, "data": {"note": "a\x00b\x1fc"}}

    _, row = read_xlsx(export_batch(factory(doc), "xlsx"))

    assert row[7] == "abc"


def test_nested_lists_of_objects_become_json_text():
    flat = flatten({"a": {"b": [{"c": 1}]}, "d": [], "e": [1, None, True], "f": {}})

    assert json.loads(flat["a.b"]) == [{"c": 1}]
    assert flat["d"] is None
    assert flat["e"] == "1; ; true"
    assert "f" not in flat


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_body_is_a_lazy_stream_of_bytes(fmt):
    rows = factory(INVOICE, FAILED)
    export = export_batch(rows, fmt)

    assert isinstance(export.body, types.GeneratorType)
    assert rows.calls == (0 if fmt == "json" else 1)
    chunks = list(export.body)
    assert chunks and all(isinstance(chunk, bytes) for chunk in chunks)


def test_csv_streams_large_batches_in_several_chunks():
    docs = [{**INVOICE, "filename": f"doc-{i}.pdf"} for i in range(2000)]

    chunks = list(export_batch(lambda: iter(docs), "csv", "item").body)

    assert len(chunks) > 1
    assert b"".join(chunks).count(b"\r\n") == 1 + 2 * len(docs)


@pytest.mark.parametrize("fmt, rows", [("pdf", "document"), ("", "document"), (None, "item")])
def test_unknown_format_is_rejected(fmt, rows):
    with pytest.raises(ValueError, match="format"):
        export_batch(factory(INVOICE), fmt, rows)


def test_unknown_rows_mode_is_rejected():
    with pytest.raises(ValueError, match="rows"):
        export_batch(factory(INVOICE), "csv", "pages")


def test_format_and_rows_are_case_insensitive():
    assert export_batch(factory(INVOICE), "CSV", "Item").extension == "csv"


def test_export_table_takes_mappings_or_sequences():
    columns = ["question", "chat_id", "answer", "sources", "status", "error"]
    sources = [{"document": "inv-1.pdf", "page": 1, "snippet": "Total 120.50"}]
    rows = [
        {"question": "What is the total?", "chat_id": "c1", "answer": 120.5, "sources": sources},
        ["=1+1", None, None, None, "failed", "no_answer"],
    ]

    header, first, second = read_csv(export_table(columns, lambda: iter(rows), "csv"))
    parsed = json.loads(body_bytes(export_table(columns, lambda: iter(rows), "json")))

    assert header == columns
    assert first[:3] == ["What is the total?", "c1", "120.5"]
    assert json.loads(first[3]) == sources
    assert first[4:] == ["", ""]
    assert second == ["'=1+1", "", "", "", "failed", "no_answer"]
    assert parsed[0]["sources"] == sources and parsed[1]["question"] == "=1+1"


def test_export_table_escapes_header_cells():
    header, row = read_xlsx(export_table(["=evil", "ok"], lambda: [[1, "x"]], "xlsx"))

    assert header == ["'=evil", "ok"]
    assert row == [1, "x"]


def test_rows_factory_must_be_callable():
    with pytest.raises(TypeError):
        export_batch([INVOICE], "csv")


RECHNUNGEN = "rechnungen-muller-sohne-2024-1f3e9a2b-items.xlsx"


@pytest.mark.parametrize(
    "name, fmt, rows, expected",
    [
        ("Invoices March", "csv", "document", "invoices-march-1f3e9a2b-documents.csv"),
        (" Rechnungen: Müller & Söhne / 2024 ", "xlsx", "item", RECHNUNGEN),
        ("", "json", "item", "batch-1f3e9a2b-documents.json"),
        (None, "csv", "item", "batch-1f3e9a2b-items.csv"),
        ("../../etc/passwd", "csv", "document", "etc-passwd-1f3e9a2b-documents.csv"),
        ("日本語", "xlsx", "document", "batch-1f3e9a2b-documents.xlsx"),
    ],
)
def test_export_filename(name, fmt, rows, expected):
    filename = export_filename(name, "1F3E9A2B-77c4-4d2a-9f10-0123456789ab", fmt, rows)

    assert filename == expected
    assert filename.isascii()


def test_slug_is_bounded():
    slug = slugify("word " * 40)

    assert len(slug) <= 60 and not slug.endswith("-")
