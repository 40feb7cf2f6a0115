"""Reading an uploaded file of questions (CSV in UTF-8, or XLSX) into validated rows.

Rows are numbered as a spreadsheet shows them: the header is row 1 (or the first non-empty row),
the first question is the row below it. Every problem names its row, so a user can fix the file
in their spreadsheet app; nothing about the file is stored while it has problems.

Columns: ``question`` (required), ``chat_id`` and ``document`` (optional). Other columns are kept
as they are and come back in exports. Header names match case-insensitively, with spaces or
hyphens read as underscores (``Chat ID`` is ``chat_id``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from app.services import cleantext

QUESTION = "question"
CHAT_ID = "chat_id"
DOCUMENT = "document"
KNOWN_COLUMNS = (QUESTION, CHAT_ID, DOCUMENT)
ALIASES = {
    "question": QUESTION,
    "chat_id": CHAT_ID,
    "chatid": CHAT_ID,
    "document": DOCUMENT,
    "document_id": DOCUMENT,
}

MAX_QUESTION_CHARS = 4000
MAX_CHAT_ID_CHARS = 200
MAX_DOCUMENT_CHARS = 255
MAX_COLUMNS = 100
MAX_PROBLEMS = 200
PREVIEW_ROWS = 10
# Rows of a sheet read beyond its questions: the header, leading and in-between empty rows.
SPARE_SHEET_ROWS = 100
MAX_CSV_LINE_CHARS = 1_000_000
# What the parts of a workbook may unpack to: shared strings are held in memory whole.
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_SHEET_ROW_CELLS = 16384  # a spreadsheet's own column count (XFD)
# Cells a workbook may hold (each one is parsed, empty or not): this many per row read on
# average (a question sheet has a few columns, up to MAX_COLUMNS in some rows), at least
# MIN_CELL_BUDGET. Above it a workbook is refused unopened; a CSV has no such budget.
AVERAGE_ROW_CELLS = 32
MIN_CELL_BUDGET = 100_000
# <row ...> and <c ...> tags of a sheet, with or without a namespace prefix.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?c[\s/>]")
# Shared strings, held in memory whole: they count against the cell budget too.
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?si[\s/>]")

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
_PLAIN_NUMBER = re.compile(r"[+-]\s*[\d.,\s]*\d[\d.,\s]*%?")
# Anything in a CSV other than whitespace, separators and quotes.
_CSV_CONTENT = re.compile(r'[^\s,;"]')


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, at a row (None when it concerns the whole file)."""

    row: int | None
    reason: str

    def to_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason}


@dataclass
class QuestionRow:
    """One question row: its spreadsheet row number, the known cells and every cell by column."""

    row: int
    question: str
    chat_id: str | None
    document: str | None
    cells: dict[str, str]

    @property
    def thread_key(self) -> str:
        """Rows with the same chat_id share a thread; a row without one is its own thread."""
        return f"chat:{self.chat_id}" if self.chat_id else f"row:{self.row}"

    def to_dict(self) -> dict:
        return {
            "row": self.row,
            "question": self.question,
            "chat_id": self.chat_id,
            "document": self.document,
            "cells": self.cells,
        }


@dataclass
class ParsedQuestions:
    """The outcome of reading a file: its columns, rows and problems."""

    filename: str
    kind: str = ""
    columns: list[str] = field(default_factory=list)
    header_row: int = 1
    rows: list[QuestionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cells_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def thread_count(self) -> int:
        return len({r.thread_key for r in self.rows})

    def add(self, row: int | None, reason: str) -> None:
        """Record a problem (the list is capped so a broken file answers quickly)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, reason))

    def problem_dicts(self) -> list[dict]:
        return [p.to_dict() for p in sorted(self.problems, key=lambda p: p.row or 0)]


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def normalize_header(name: str) -> str:
    """Lower-case header name with spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def looks_like_formula(value: str) -> bool:
    """True for a cell a spreadsheet would run as a formula, once invisible characters are gone.

    A signed plain number (``-5``, ``+1 555 0100``) is not a formula here: it is read as text.
    """
    if not cleantext.starts_like_formula(value):
        return False
    visible = cleantext.strip_invisible(value)
    return visible[0] in "\t\r" or not _PLAIN_NUMBER.fullmatch(visible.strip())


def sheet_row_bound(max_rows: int) -> int:
    """The last sheet row read for a plan allowing `max_rows` questions (room for empty rows)."""
    return 2 * max(max_rows, 0) + SPARE_SHEET_ROWS


def detect_kind(filename: str, head: bytes) -> str | None:
    """'csv' or 'xlsx' from the name and the first bytes; None for anything else."""
    name = (filename or "").lower()
    if head.startswith(ZIP_MAGIC):
        return (
            "xlsx" if name.endswith(XLSX_EXTENSIONS) or not name.endswith(CSV_EXTENSIONS) else None
        )
    if name.endswith(XLSX_EXTENSIONS):
        return None
    if name.endswith(CSV_EXTENSIONS) or "." not in name.rsplit("/", 1)[-1]:
        return "csv"
    return None


def parse_questions(filename: str, data: bytes, max_rows: int) -> ParsedQuestions:
    """Read and check a file of questions; problems name their rows."""
    parsed = ParsedQuestions(filename=filename or "questions.csv")
    if not data or not data.strip():
        parsed.add(None, "The file is empty: it needs a header row with a 'question' column.")
        return parsed
    kind = detect_kind(filename, data[:8])
    if kind is None:
        parsed.add(None, "The file is not a CSV or XLSX file. Save it as CSV UTF-8 or XLSX.")
        return parsed
    parsed.kind = kind
    last_row = sheet_row_bound(max_rows)
    if kind == "csv":
        table = _csv_records(data, parsed, last_row)
    else:
        table = _xlsx_records(data, parsed, last_row)
    if table is None:
        return parsed
    _read_table(table, parsed, max_rows)
    return parsed


# --- file formats ---------------------------------------------------------------------------------


def _csv_records(data: bytes, parsed: ParsedQuestions, last_row: int):
    """(row number, cells) records of a UTF-8 CSV file, or None after recording a problem.

    Like a sheet, only rows 1..`last_row` are read; a line longer than MAX_CSV_LINE_CHARS ends
    the reading with a problem, so a row of millions of separators is never split into cells.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        parsed.add(
            line,
            f"The text is not UTF-8 (byte 0x{byte} on this row). Save the file as "
            "'CSV UTF-8' and upload it again.",
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        parsed.add(line, "The file contains binary data (a NUL character); it is not a CSV file.")
        return None
    first_line = _first_filled_line(text)
    delimiter = max((",", ";", "\t"), key=lambda d: (first_line.count(d), d == ","))
    source = io.StringIO(text, newline="")
    position = 0

    def lines():
        nonlocal position
        for line in source:
            if len(line) > MAX_CSV_LINE_CHARS:
                raise csv.Error(f"a line is longer than {MAX_CSV_LINE_CHARS} characters")
            position += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)

    def records():
        number = 0
        while True:
            start = position
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                parsed.add(number + 1, f"The CSV cannot be read here: {exc}.")
                return
            number += 1
            parsed.cells_read += len(cells)
            if number > last_row:
                # Stop reading; what is left only matters if it holds more than separators.
                if _CSV_CONTENT.search(text, start) is not None:
                    parsed.add(number, _below_problem(last_row))
                return
            yield number, cells

    return records()


def _first_filled_line(text: str) -> str:
    """The first line with something other than spaces, found without splitting the text."""
    found = re.search(r"\S", text)
    if found is None:
        return ""
    start = max(text.rfind("\n", 0, found.start()), text.rfind("\r", 0, found.start())) + 1
    end = min((i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0), default=-1)
    return text[start:] if end < 0 else text[start:end]


def _below_problem(last_row: int) -> str:
    """The problem of content below the last row read."""
    return (
        f"There is content below row {last_row}: at most {last_row} rows are read, for the "
        "questions your plan allows in one batch. Delete the rows below your questions, or split "
        "the file into several."
    )


def _xlsx_cell(value) -> str:
    """Text of a workbook cell as a user reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes, parsed: ParsedQuestions, last_row: int):
    """(row number, cells) records of the first sheet of a workbook, or None after a problem.

    Only rows 1..`last_row` + 1 and the first MAX_COLUMNS + 1 columns are read, whatever the
    sheet declares: a single cell at XFD1048576 would otherwise make the reader fill in some 17
    billion empty cells. A value in the row or column just past the bound,
    or a declared range beyond it, is a problem of the file rather than something silently left
    out. Content far beyond the bound in a sheet that declares no range is never reached.
    """
    from openpyxl import load_workbook

    unpacked = _unpacked_size(data)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        parsed.add(
            None,
            f"The workbook unpacks to {unpacked // (1024 * 1024)} MB; at most "
            f"{MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)} MB are read. Keep only the sheet of "
            "questions, or save it as CSV.",
        )
        return None
    most_cells = max((last_row + 2) * AVERAGE_ROW_CELLS, MIN_CELL_BUDGET)
    widest, cells = _cell_counts(data, most_cells)
    if widest > MAX_SHEET_ROW_CELLS:
        parsed.add(
            None,
            f"A row of the workbook holds more than {MAX_SHEET_ROW_CELLS} cells, more than a "
            "spreadsheet has columns; save it again from your spreadsheet app.",
        )
        return None
    if cells > most_cells:
        parsed.add(
            None,
            f"The workbook holds more than {most_cells} cells, more than the questions your plan "
            "allows in one batch need. Keep only the sheet of questions, or split it.",
        )
        return None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        parsed.add(
            None, f"The workbook cannot be read ({type(exc).__name__}); save it again as XLSX."
        )
        return None
    sheets = workbook.worksheets
    if not sheets:
        parsed.add(None, "The workbook has no sheets.")
        return None
    sheet = sheets[0]
    declared_rows = _declared(sheet, "max_row")
    declared_cols = _declared(sheet, "max_column")
    # Not narrowed to the declared width: some writers declare "A1" whatever the sheet holds.
    last_col = MAX_COLUMNS + 1

    def records():
        beyond = False
        try:
            rows = sheet.iter_rows(
                min_row=1, max_row=last_row + 1, min_col=1, max_col=last_col, values_only=True
            )
            for number, values in enumerate(rows, start=1):
                parsed.cells_read += len(values)
                if not any(v is not None and v != "" for v in values):
                    continue  # an empty row, read as nothing
                if number > last_row:
                    beyond = True
                    break
                yield number, [_xlsx_cell(v) for v in values]
        finally:
            workbook.close()
        if beyond:
            parsed.add(last_row + 1, _below_problem(last_row))
        elif declared_rows > last_row:
            parsed.add(
                None,
                f"The sheet's used range reaches row {declared_rows}: at most {last_row} rows "
                "are read, for the questions your plan allows in one batch. Delete the rows "
                "below your questions, or split the file into several.",
            )
        elif declared_cols > last_col:
            parsed.add(
                None,
                f"The sheet's used range reaches column {column_letter(declared_cols - 1)}: at "
                f"most {MAX_COLUMNS} columns are read. Delete the columns right of your table.",
            )

    return records()


def _unpacked_size(data: bytes) -> int:
    """The bytes a workbook's parts unpack to, as its zip directory declares them.

    The declared sizes hold: the zip reader stops at them, so a part cannot unpack to more.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # unreadable: load_workbook names the problem


def _cell_counts(data: bytes, enough: int) -> tuple[int, int]:
    """(cells of the widest row, cells and shared strings in all) of a workbook, unparsed.

    The reader builds every cell of a row before the columns are cut, so a row of millions of
    empty cells (a few KB zipped) is refused before the workbook is opened. Counting stops once
    the total passes `enough`.
    """
    widest = total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".xml") and total <= enough:
                    with archive.open(info) as part:
                        part_widest, part_total = _part_cell_counts(part, enough - total)
                    widest, total = max(widest, part_widest), total + part_total
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return 0, 0  # unreadable: load_workbook names the problem
    return widest, total


def _part_cell_counts(part, enough: int) -> tuple[int, int]:
    """(cells of the widest row, cells in all) of one XML part, read in chunks."""
    widest = total = cells = 0
    pending = b""
    while True:
        chunk = part.read(1024 * 1024)
        buffer = pending + chunk
        # Up to the last "<", which may open a tag the chunk cuts: that one waits for the next.
        end = buffer.rfind(b"<") if chunk else len(buffer)
        end = end if end > 0 else len(buffer)
        for index, piece in enumerate(_ROW_TAG.split(buffer[:end])):
            count = len(_CELL_TAG.findall(piece))
            cells = cells + count if index == 0 else count
            total += count + len(_STRING_TAG.findall(piece))
            widest = max(widest, cells)
        if not chunk or widest > MAX_SHEET_ROW_CELLS or total > enough:
            return widest, total
        pending = buffer[end:]


def _declared(sheet, name: str) -> int:
    """A dimension the sheet declares (0 when it declares none)."""
    try:
        return int(getattr(sheet, name) or 0)
    except (TypeError, ValueError):
        return 0


# --- checks ---------------------------------------------------------------------------------------


def _read_header(number: int, cells: list[str], parsed: ParsedQuestions) -> dict[str, int] | None:
    """Known column → index from the header row; None after recording header problems."""
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        parsed.add(number, f"The header has {len(names)} columns; at most {MAX_COLUMNS} are read.")
        return None
    seen: dict[str, int] = {}
    known: dict[str, int] = {}
    ok = True
    for index, name in enumerate(names):
        if not name:
            continue
        key = name.casefold()
        if key in seen:
            parsed.add(
                number,
                f"The column name '{name}' appears more than once (columns "
                f"{column_letter(seen[key])} and {column_letter(index)}); give each column its "
                "own name.",
            )
            ok = False
            continue
        seen[key] = index
        alias = ALIASES.get(normalize_header(name))
        if alias is not None:
            if alias in known:
                parsed.add(
                    number,
                    f"Columns {column_letter(known[alias])} and {column_letter(index)} both name "
                    f"the '{alias}' column; keep one of them.",
                )
                ok = False
            known[alias] = index
        if cleantext.has_control_chars(name):
            parsed.add(number, _control_problem(column_letter(index), name))
            ok = False
        elif looks_like_formula(name):
            parsed.add(number, f"The header cell '{name}' looks like a spreadsheet formula.")
            ok = False
    if QUESTION not in known:
        listed = ", ".join(f"'{n}'" for n in names if n) or "no names"
        parsed.add(
            number,
            f"There is no 'question' column. The header row has {listed}; add a column "
            "named 'question' (optional: 'chat_id', 'document').",
        )
        ok = False
    parsed.columns = [n for n in names if n]
    parsed.header_row = number
    return {"_width": len(names), **known} if ok else None


def _control_problem(column: str, value: str) -> str:
    """The problem of a cell holding a control character (NUL included)."""
    char = cleantext.CONTROL_CHARS.search(value).group()
    return (
        f"The cell in column '{column}' contains a control character (U+{ord(char):04X}), which "
        "a question cannot hold; remove it."
    )


def _first_visible(value: str) -> str:
    """The character a spreadsheet would read first (tab and carriage return included)."""
    visible = cleantext.strip_invisible(value)
    return visible[:1] if visible[:1] in ("\t", "\r") else visible.lstrip()[:1]


def _read_table(records, parsed: ParsedQuestions, max_rows: int) -> None:
    header: dict[str, int] | None = None
    width = 0
    names: list[str] = []
    for number, raw in records:
        cells = list(raw)
        if header is None:
            if not any(c.strip() for c in cells):
                continue  # leading empty rows
            header = _read_header(number, cells, parsed)
            if header is None:
                return
            width = header.pop("_width")
            names = [c.strip() for c in cells[:width]]
            continue
        if not any(c.strip() for c in cells):
            continue  # an empty row is skipped, as a spreadsheet user expects
        if len(parsed.rows) >= max_rows:
            parsed.add(
                number,
                f"The file has more than {max_rows} questions, the limit of your plan for one "
                "batch. Split it into several files or upgrade.",
            )
            return
        _read_row(number, cells, header, width, names, parsed)
    if header is None:
        parsed.add(None, "The file has no header row: it needs a 'question' column.")
    elif not parsed.rows and parsed.ok:
        parsed.add(parsed.header_row + 1, "There are no questions below the header row.")


def _read_row(number, cells, header, width, names, parsed: ParsedQuestions) -> None:
    extra = [c for c in cells[width:] if c.strip()]
    problems_before = len(parsed.problems)
    if extra:
        parsed.add(
            number,
            f"The row has {width + len(extra)} or more cells but the header names {width} "
            "columns; a value is outside the named columns.",
        )
    cells = (cells + [""] * width)[:width]
    for index, value in enumerate(cells):
        if not names[index] and value.strip():
            parsed.add(
                number,
                f"Column {column_letter(index)} has a value but no name in the header row.",
            )
        if cleantext.has_control_chars(value):
            parsed.add(number, _control_problem(names[index] or column_letter(index), value))
        elif looks_like_formula(value):
            column = names[index] or column_letter(index)
            parsed.add(
                number,
                f"The cell in column '{column}' looks like a spreadsheet formula (it starts with "
                f"{_first_visible(value)!r}); remove that first character.",
            )
    question = cells[header[QUESTION]].strip()
    chat_id = cells[header[CHAT_ID]].strip() if CHAT_ID in header else ""
    document = cells[header[DOCUMENT]].strip() if DOCUMENT in header else ""
    if not question:
        parsed.add(number, "The question is empty.")
    elif len(question) > MAX_QUESTION_CHARS:
        parsed.add(
            number, f"The question has {len(question)} characters; at most {MAX_QUESTION_CHARS}."
        )
    if len(chat_id) > MAX_CHAT_ID_CHARS:
        parsed.add(number, f"The chat_id is longer than {MAX_CHAT_ID_CHARS} characters.")
    if len(document) > MAX_DOCUMENT_CHARS:
        parsed.add(number, f"The document is longer than {MAX_DOCUMENT_CHARS} characters.")
    if len(parsed.problems) > problems_before:
        return
    parsed.rows.append(
        QuestionRow(
            row=number,
            question=question,
            chat_id=chat_id or None,
            document=document or None,
            cells={names[i]: cells[i] for i in range(width) if names[i]},
        )
    )
