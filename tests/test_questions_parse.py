"""Reading question files: row numbers as a spreadsheet shows them, and clear problems."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from app.services.questions import parse
from app.services.questions.parse import (
    MAX_COLUMNS,
    column_letter,
    looks_like_formula,
    parse_questions,
    sheet_row_bound,
)
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


def xlsx_bytes(cells: dict[str, str], declare_dimension: bool = True, dimension: str = "") -> bytes:
    """A workbook with these cells; without a declared range, or with a wrong one, when asked."""
    wb = Workbook()
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    if declare_dimension and not dimension:
        return out.getvalue()
    replacement = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", replacement, data)
            dst.writestr(item, data)
    return dst_buf.getvalue()


def test_a_cell_at_the_last_column_and_row_is_refused_without_walking_the_sheet():
    data = xlsx_bytes({"A1": "question", "A2": "What is the total?", "XFD1048576": "x"})
    assert len(data) < 10_000
    parsed = parse_questions("bomb.xlsx", data, 500)
    bound = (sheet_row_bound(500) + 1) * (MAX_COLUMNS + 1)
    assert parsed.cells_read <= bound < 200_000
    assert not parsed.ok
    assert "used range reaches row 1048576" in parsed.problems[0].reason


def test_an_undeclared_far_cell_is_never_reached():
    data = xlsx_bytes(
        {"A1": "question", "A2": "What is the total?", "XFD1048576": "x"}, declare_dimension=False
    )
    parsed = parse_questions("bomb.xlsx", data, 5)
    assert parsed.cells_read <= (sheet_row_bound(5) + 1) * (MAX_COLUMNS + 1)
    assert parsed.ok, parsed.problems
    assert [r.question for r in parsed.rows] == ["What is the total?"]


def test_content_just_below_the_rows_read_is_named():
    last = sheet_row_bound(2)
    data = xlsx_bytes(
        {"A1": "question", "A2": "First?", f"A{last + 1}": "Far below?"}, declare_dimension=False
    )
    parsed = parse_questions("far.xlsx", data, 2)
    assert [p.to_dict()["row"] for p in parsed.problems] == [last + 1]
    assert f"content below row {last}" in parsed.problems[0].reason


def test_a_header_wider_than_the_columns_read_is_refused():
    data = xlsx_bytes({"A1": "question", "A2": "What?", "XFD1": "far"})
    parsed = parse_questions("wide.xlsx", data, 5)
    assert parsed.cells_read <= (sheet_row_bound(5) + 1) * (MAX_COLUMNS + 1)
    assert not parsed.ok
    assert "used range reaches column XFD" in parsed.problems[0].reason
    wide = {f"{column_letter(i)}1": f"c{i}" for i in range(MAX_COLUMNS + 1)}
    wide["A1"] = "question"
    parsed = parse_questions("wide.xlsx", xlsx_bytes({**wide, "A2": "What?"}), 5)
    assert f"at most {MAX_COLUMNS} are read" in parsed.problems[0].reason


def test_too_many_questions_in_a_sheet_name_the_first_row_over():
    cells = {"A1": "question", **{f"A{n}": f"Q{n}?" for n in range(2, 8)}}
    parsed = parse_questions("q.xlsx", xlsx_bytes(cells), 3)
    assert [p.to_dict()["row"] for p in parsed.problems] == [5]
    assert "more than 3 questions" in parsed.problems[0].reason


def test_a_sheet_declaring_a_too_small_range_is_read_whole():
    cells = {"A1": "question", "B1": "chat_id", "C1": "Owner", "A2": "Q?", "C2": "Ann"}
    parsed = parse_questions("q.xlsx", xlsx_bytes(cells, dimension="A1"), 5)
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].cells == {"question": "Q?", "chat_id": "", "Owner": "Ann"}


def test_a_csv_is_read_only_down_to_the_rows_the_plan_allows():
    last = sheet_row_bound(5)
    blank_tail = b"question\nWhat?\n" + b",\n" * 2_000_000
    parsed = parse_questions("q.csv", blank_tail, 5)
    assert parsed.ok, parsed.problems
    assert parsed.cells_read <= 2 * (last + 1)
    far = b"question\nWhat?\n" + b"\n" * 2_000_000 + b"Far below?\n"
    parsed = parse_questions("q.csv", far, 5)
    assert [p.row for p in parsed.problems] == [last + 1]
    assert f"content below row {last}" in parsed.problems[0].reason
    assert parsed.cells_read <= 2 * (last + 1)


def test_a_csv_line_of_millions_of_separators_is_refused_unsplit():
    parsed = parse_questions("q.csv", b"question\nWhat?" + b"," * 5_000_000 + b"\n", 5)
    assert [p.row for p in parsed.problems] == [2]
    assert "longer than" in parsed.problems[0].reason
    assert parsed.cells_read == 1


def test_a_workbook_unpacking_to_too_much_is_refused_unopened(monkeypatch):
    monkeypatch.setattr(parse, "MAX_XLSX_UNPACKED_BYTES", 1024 * 1024)
    plain = xlsx_bytes({"A1": "question", "A2": "What?"})
    assert parse_questions("q.xlsx", plain, 5).ok
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename), compress_type=zipfile.ZIP_DEFLATED)
        dst.writestr("xl/media/padding.bin", b"\0" * 2 * 1024 * 1024, zipfile.ZIP_DEFLATED)
    assert len(out.getvalue()) < 64 * 1024
    parsed = parse_questions("q.xlsx", out.getvalue(), 5)
    assert [p.row for p in parsed.problems] == [None]
    assert "unpacks to" in parsed.problems[0].reason and parsed.cells_read == 0


def with_sheet_xml(plain: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_row_of_millions_of_empty_cells_is_refused_unopened():
    plain = xlsx_bytes({"A1": "question", "A2": "What?"})
    wide_row = b'<row r="3">' + b"<c/>" * 2_000_000 + b"</row></sheetData>"
    bomb = with_sheet_xml(plain, lambda xml: xml.replace(b"</sheetData>", wide_row))
    assert len(bomb) < 20_000
    parsed = parse_questions("q.xlsx", bomb, 5)
    assert "more than 16384 cells" in parsed.problems[0].reason
    assert parsed.cells_read == 0
    prefixed = b'<x:row r="3">' + b'<x:c r="A3"/>' * 16385 + b"</x:row></sheetData>"
    parsed = parse_questions(
        "q.xlsx", with_sheet_xml(plain, lambda xml: xml.replace(b"</sheetData>", prefixed)), 5
    )
    assert "more than 16384 cells" in parsed.problems[0].reason
    full = b'<row r="3">' + b"<c/>" * 16384 + b"</row></sheetData>"
    parsed = parse_questions(
        "q.xlsx", with_sheet_xml(plain, lambda xml: xml.replace(b"</sheetData>", full)), 5
    )
    assert parsed.ok, parsed.problems


def test_a_workbook_with_more_cells_than_the_plan_needs_is_refused_unopened():
    plain = xlsx_bytes({"A1": "question", "A2": "What?"})
    rows = b"".join(b'<row r="%d">' % n + b"<c/>" * 100 + b"</row>" for n in range(3, 1103))
    padded = with_sheet_xml(plain, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>"))
    parsed = parse_questions("q.xlsx", padded, 5)
    assert "more than 100000 cells" in parsed.problems[0].reason
    assert parsed.cells_read == 0
    assert parse_questions("q.xlsx", padded, 5000).ok  # a larger plan reads that many


def test_a_workbook_of_millions_of_shared_strings_is_refused_unopened():
    plain = xlsx_bytes({"A1": "question", "A2": "What?"})
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>a</t></si>" * 1_000_000 + b"</sst>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename), compress_type=zipfile.ZIP_DEFLATED)
        dst.writestr("xl/sharedStrings.xml", strings, zipfile.ZIP_DEFLATED)
    assert len(out.getvalue()) < 100_000
    parsed = parse_questions("q.xlsx", out.getvalue(), 5000)
    assert "more than" in parsed.problems[0].reason and "cells" in parsed.problems[0].reason
    assert parsed.cells_read == 0
