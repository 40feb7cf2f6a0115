"""No exported cell runs as a formula: invisible characters cannot hide one, in CSV or XLSX, for
document batches and question batches alike, and the question file check sees through them too."""

import csv
import io
import unicodedata

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.exports import export_batch, export_table
from app.extensions import db
from app.models import QuestionBatch, QuestionItem
from app.services.questions.parse import parse_questions
from tests.batch_rows import INVOICE_RESULT, run_document
from tests.factories import make_batch, make_document
from tests.question_corpus import build_corpus

HOSTILE = [
    '\x01=HYPERLINK("http://evil.example","v")',
    "\x00=1+2",
    '\u200b=HYPERLINK("http://evil.example")',
    "\ufeff@SUM(A1:A2)",
    "\u2028+cmd|' /C calc'!A0",
    "\u202e\u2060-2+3",
    "\x9b=1+1",
    " =1+1",
    "\x1f\t=1",
]


def visible(text: str) -> str:
    """What a spreadsheet shows: no controls, format or separator characters, no leading space."""
    kept = "".join(
        c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") or c in "\n"
    )
    return kept.lstrip()


def csv_bytes(*rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def xlsx_cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_no_formula_in_xlsx(data: bytes) -> list:
    cells = xlsx_cells(data)
    assert cells
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            assert not visible(cell.value).startswith(("=", "+", "-", "@")), cell.value
    return [c.value for c in cells]


def assert_no_formula_in_csv(data: bytes) -> list:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    values = [v for row in rows for v in row if v]
    for value in values:
        if is_number(value):
            continue  # the exporter's own numbers, written as numbers
        assert not visible(value).startswith(("=", "+", "-", "@")), value
        assert not value.startswith(("\t", "\r")), value
    return values


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("rows", ["document", "item"])
def test_document_exports_never_hold_a_formula(text, rows):
    doc = {
        "filename": text,
        "status": "completed",
        "data": {"note": text, "tags": [text, "ok"], "vendor": {text: text}},
        "line_items": [{"description": text, "amount": -3}],
    }
    xlsx = b"".join(export_batch(lambda: [doc], "xlsx", rows).body)
    values = assert_no_formula_in_xlsx(xlsx)
    assert -3 in values or rows == "document"  # the exporter's own numbers stay numbers
    assert_no_formula_in_csv(b"".join(export_batch(lambda: [doc], "csv", rows).body))


@pytest.mark.parametrize("text", HOSTILE)
def test_table_exports_never_hold_a_formula_in_header_or_cells(text):
    columns = [text, "answer"]
    rows = [{text: text, "answer": text}, [text, 12.5]]
    values = assert_no_formula_in_xlsx(b"".join(export_table(columns, lambda: rows, "xlsx").body))
    assert 12.5 in values
    assert_no_formula_in_csv(b"".join(export_table(columns, lambda: rows, "csv").body))


def test_document_batch_export_through_the_api(api, user):
    batch = make_batch(user, name="Hostile")
    doc = make_document(user, batch, filename="invoice.pdf")
    result = {**INVOICE_RESULT, "data": {**INVOICE_RESULT["data"], "note": HOSTILE[0]}}
    run_document(doc.id, result=result)
    resp = api.get(f"/api/v1/batches/{batch.id}/export?format=xlsx")
    assert resp.status_code == 200
    values = assert_no_formula_in_xlsx(resp.get_data())
    assert '\'=HYPERLINK("http://evil.example","v")' in values
    resp = api.get(f"/api/v1/batches/{batch.id}/export?format=csv")
    assert '\'=HYPERLINK("http://evil.example","v")' in assert_no_formula_in_csv(resp.get_data())


def test_question_batch_export_through_the_api(api, user):
    build_corpus(user)
    data = b"question,Owner\nWhat is the total of invoice 42?,Ann\n"
    resp = api.post(
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(data), "q.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202
    batch = db.session.get(QuestionBatch, resp.get_json()["id"])
    # An answer quoting a document's text, and cells as they may have been stored before.
    batch.columns = ["question", HOSTILE[2]]
    db.session.execute(
        sa.update(QuestionItem)
        .where(QuestionItem.question_batch_id == batch.id)
        .values(answer=HOSTILE[0], original={"question": HOSTILE[5], HOSTILE[2]: HOSTILE[3]})
    )
    db.session.commit()
    resp = api.get(f"/api/v1/question-batches/{batch.id}/export?format=xlsx")
    assert resp.status_code == 200
    values = assert_no_formula_in_xlsx(resp.get_data())
    assert '\'=HYPERLINK("http://evil.example","v")' in values
    resp = api.get(f"/api/v1/question-batches/{batch.id}/export?format=csv")
    assert_no_formula_in_csv(resp.get_data())


@pytest.mark.parametrize("text", ['\u200b=HYPERLINK("http://evil.example")', " @SUM(A1)"])
def test_question_files_see_formulas_behind_invisible_characters(text):
    cell = parse_questions("q.csv", csv_bytes(["question", "Owner"], ["What?", text]), 10)
    assert not cell.ok and "formula" in cell.problems[0].reason
    header = parse_questions("q.csv", csv_bytes(["question", text], ["What?", "x"]), 10)
    assert not header.ok and "formula" in header.problems[0].reason


def test_question_files_refuse_control_characters():
    parsed = parse_questions("q.csv", csv_bytes(["question", "Owner"], ["What?", "\x01=X(1)"]), 10)
    assert [p.row for p in parsed.problems] == [2]
    assert "control character (U+0001)" in parsed.problems[0].reason
