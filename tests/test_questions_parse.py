"""Reading question files: row numbers as a spreadsheet shows them, and clear problems."""

import io

import pytest
from openpyxl import Workbook

from app.services.questions.parse import looks_like_formula, parse_questions
from tests.pdfgen import make_pdf


def test_semicolons_bom_aliases_blank_lines_and_quoted_newlines():
    data = (
        "\ufeffQuestion;Chat ID;Document;Owner\n"
        "What is the total?;a;invoice-42.pdf;Ann\n"
        "\n"
        '"A question\nover two lines?";a;;Bob\n'
        "Standalone?;;;\n"
    ).encode("utf-8")
    parsed = parse_questions("q.csv", data, 100)
    assert parsed.ok, parsed.problems
    assert parsed.kind == "csv"
    assert parsed.columns == ["Question", "Chat ID", "Document", "Owner"]
    assert [r.row for r in parsed.rows] == [2, 4, 5]
    assert parsed.rows[0].document == "invoice-42.pdf"
    assert parsed.rows[1].question == "A question\nover two lines?"
    assert parsed.rows[1].cells == {
        "Question": "A question\nover two lines?",
        "Chat ID": "a",
        "Document": "",
        "Owner": "Bob",
    }
    assert [r.thread_key for r in parsed.rows] == ["chat:a", "chat:a", "row:5"]
    assert parsed.thread_count == 2


def test_trailing_empty_columns_are_ignored_but_unnamed_values_are_not():
    ok = parse_questions("q.csv", b"question,,\nWhat?,,\n", 10)
    assert ok.ok and ok.columns == ["question"]
    bad = parse_questions("q.csv", b"question,,note\nWhat?,x,\n", 10)
    assert [p.to_dict() for p in bad.problems] == [
        {"row": 2, "reason": "Column B has a value but no name in the header row."}
    ]


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ("=1+2", True),
        ("@SUM(A1)", True),
        ("+cmd|' /C calc'!A0", True),
        ("-what is this?", True),
        ("\tWhat?", True),
        ("-5", False),
        ("+1 555 0100", False),
        ("12%", False),
        ("What is 2+2?", False),
    ],
)
def test_formula_looking_cells(value, formula):
    assert looks_like_formula(value) is formula


def test_xlsx_rows_keep_their_sheet_numbers():
    wb = Workbook()
    ws = wb.active
    ws.append([])
    ws.append(["question", "chat_id"])
    ws.append(["First?", 1.0])
    ws.append([None, None])
    ws.append(["Second?", None])
    out = io.BytesIO()
    wb.save(out)
    parsed = parse_questions("q.xlsx", out.getvalue(), 10)
    assert parsed.ok, parsed.problems
    assert parsed.header_row == 2
    assert [(r.row, r.question, r.chat_id) for r in parsed.rows] == [
        (3, "First?", "1"),
        (5, "Second?", None),
    ]


@pytest.mark.parametrize(
    ("filename", "data"),
    [("questions.pdf", make_pdf(1)), ("questions.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")],
)
def test_other_file_types_are_refused(filename, data):
    parsed = parse_questions(filename, data, 10)
    assert not parsed.ok
    assert "not a CSV or XLSX file" in parsed.problems[0].reason


def test_a_broken_workbook_and_an_empty_file():
    assert "cannot be read" in parse_questions("q.xlsx", b"PK\x03\x04junk", 10).problems[0].reason
    assert "empty" in parse_questions("q.csv", b"  \n", 10).problems[0].reason


def test_the_first_row_over_the_limit_is_named():
    data = b"question\n" + b"".join(f"Q{n}?\n".encode() for n in range(5))
    parsed = parse_questions("q.csv", data, 3)
    assert [p.to_dict()["row"] for p in parsed.problems] == [5]
    assert "more than 3 questions" in parsed.problems[0].reason
