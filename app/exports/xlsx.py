"""XLSX exports: typed cells, fitted columns, a frozen and filtered header, a line-items sheet."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.exports.rows import (
    CHUNK_SIZE,
    SHEET_TITLE,
    RowsFactory,
    _cell,
    _document_row,
    _is_number,
    _item_rows,
    _row_values,
)

XLSX_SPOOL_SIZE = 8 * 1024 * 1024
XLSX_MAX_CELL_CHARS = 32767
XLSX_SAMPLE_ROWS = 200  # rows per sheet buffered to fit column widths and find date columns
XLSX_MIN_WIDTH = 8
XLSX_MAX_WIDTH = 60
XLSX_FILTER_BUTTON = 2  # characters of a header cell hidden by the filter's drop-down button
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_DECIMAL_FORMAT = "#,##0.00"
XLSX_MAX_DECIMALS = 10
XLSX_WHOLE_FORMAT = "0"  # keeps Excel from showing long whole numbers in scientific notation
XLSX_WHOLE_DIGITS = 11  # General shows at most 11 digits before switching to 1.23E+11
XLSX_MAX_EXACT_INT = 10**15  # Excel keeps 15 significant digits: larger integers go as text


# --- XLSX -----------------------------------------------------------------------------------------


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
# Column names (their last dotted part) that hold dates: invoice_date, datum, created_at, ...
_DATE_NAME = re.compile(r"date|datum|timestamp|(?:^|_)(?:at|on|time|day)$")


def _xlsx_datetime(value: datetime) -> datetime:
    """Excel has no time zones: an aware datetime is written as naive UTC."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def _iso_value(text: str) -> date | datetime | None:
    """The date or datetime of a strict ISO text ("2026-03-14", "2026-03-14T09:30:00Z"), else None."""
    try:
        if _ISO_DATE.fullmatch(text):
            value: date = date.fromisoformat(text)
        elif _ISO_DATETIME.fullmatch(text):
            value = _xlsx_datetime(datetime.fromisoformat(text))
        else:
            return None
    except ValueError:
        return None
    return value if value.year >= 1900 else None  # Excel has no dates before 1900


def _is_date_column(name: str, index: int, sample: Sequence[Sequence[Any]]) -> bool:
    """A column whose ISO texts become dates: named like a date, or holding nothing but ISO
    dates and datetimes in the sampled rows."""
    if _DATE_NAME.search(name.rsplit(".", 1)[-1].lower()):
        return True
    seen = False
    for values in sample:
        value = values[index]
        if value is None or value == "":
            continue
        if not isinstance(value, str) or _iso_value(value) is None:
            return False
        seen = True
    return seen


def _decimal_places(value: float | Decimal) -> int | None:
    """Decimal places of a number as written, or None for scientific notation."""
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else None
    text = repr(value)
    if "e" in text or "E" in text:
        return None
    return len(text.partition(".")[2].rstrip("0"))


def _number_format(value: int | float | Decimal) -> str | None:
    if isinstance(value, int):
        return XLSX_WHOLE_FORMAT if abs(value) >= 10**XLSX_WHOLE_DIGITS else None
    places = _decimal_places(value)
    if places is None:
        return None
    extra = min(max(places, 2), XLSX_MAX_DECIMALS) - 2
    return XLSX_DECIMAL_FORMAT + "#" * extra


def _xlsx_value(value: Any, dates: bool = False) -> tuple[Any, str | None]:
    """A cell value and its number format: numbers stay numbers, dates and datetimes (and, in a
    date column, strict ISO texts) become date cells, the rest formula-safe text or None."""
    if isinstance(value, datetime):
        value = _xlsx_datetime(value)
        if value.year >= 1900:
            return value, XLSX_DATETIME_FORMAT
    elif isinstance(value, date) and value.year >= 1900:
        return value, XLSX_DATE_FORMAT
    value = _cell(value)
    if value is None or isinstance(value, bool):
        return value, None
    if _is_number(value):
        if isinstance(value, int) and abs(value) >= XLSX_MAX_EXACT_INT:
            return str(value), None  # an identifier, not a quantity: keep every digit
        return value, _number_format(value)
    if dates and (parsed := _iso_value(value)) is not None:
        fmt = XLSX_DATETIME_FORMAT if isinstance(parsed, datetime) else XLSX_DATE_FORMAT
        return parsed, fmt
    return (value[:XLSX_MAX_CELL_CHARS] or None), None


def _text_width(text: str) -> int:
    """Characters a line of text takes in a cell; East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown_width(value: Any, fmt: str | None) -> int:
    """Width of a cell as a spreadsheet shows it."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if fmt == XLSX_DATETIME_FORMAT:
        return len("2026-03-14 09:30:00")
    if fmt == XLSX_DATE_FORMAT:
        return len("2026-03-14")
    if _is_number(value):
        if fmt and fmt.startswith(XLSX_DECIMAL_FORMAT):
            return len(f"{value:,.{len(fmt.partition('.')[2])}f}")
        return len(str(value))
    return max((_text_width(line) for line in str(value).splitlines()), default=0)


def _fitted_width(longest: int) -> int:
    return min(max(longest + 2, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH)


class _XlsxSheet:
    """One write-only sheet: its first rows are held back to fit the column widths and find the
    date columns (write-only sheets take widths only before the first row), then rows stream."""

    def __init__(self, workbook, title: str, columns: Sequence[str]):
        self.sheet = workbook.create_sheet(title)
        self.columns = list(columns)
        self.sample: list[list[Any]] | None = []
        self.dates: list[bool] = []
        self.count = 0

    def append(self, row: Any) -> None:
        values = _row_values(self.columns, row)
        self.count += 1
        if self.sample is None:
            self.sheet.append(self._cells(self._typed(values)))
            return
        self.sample.append(values)
        if len(self.sample) >= XLSX_SAMPLE_ROWS:
            self._start()

    def close(self) -> None:
        if self.sample is not None:
            self._start()
        if self.columns:
            from openpyxl.utils import get_column_letter

            last = get_column_letter(len(self.columns))
            # Written with the sheet's tail when the workbook is saved: the row count is known.
            self.sheet.auto_filter.ref = f"A1:{last}{self.count + 1}"

    def _typed(self, values: Sequence[Any]) -> list[tuple[Any, str | None]]:
        return [_xlsx_value(v, d) for v, d in zip(values, self.dates, strict=True)]

    def _cells(self, typed: Iterable[tuple[Any, str | None]], font=None) -> list[Any]:
        """Write-only cells of a row: text is always a string cell, never read as a formula."""
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value, fmt in typed:
            if isinstance(value, str) or fmt is not None or font is not None:
                cell = WriteOnlyCell(self.sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                if fmt is not None:
                    cell.number_format = fmt
                if font is not None:
                    cell.font = font
                value = cell
            cells.append(value)
        return cells

    def _start(self) -> None:
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        sample, self.sample = self.sample or [], None
        self.dates = [_is_date_column(n, i, sample) for i, n in enumerate(self.columns)]
        header = [_xlsx_value(name) for name in self.columns]
        rows = [self._typed(values) for values in sample]
        for index, (name, _fmt) in enumerate(header):
            longest = _shown_width(name, None) + XLSX_FILTER_BUTTON
            for row in rows:
                longest = max(longest, _shown_width(*row[index]))
            letter = get_column_letter(index + 1)
            self.sheet.column_dimensions[letter].width = _fitted_width(longest)
        self.sheet.freeze_panes = "A2"
        self.sheet.append(self._cells(header, font=Font(bold=True)))
        for row in rows:
            self.sheet.append(self._cells(row))


def _xlsx_write(sheets: Sequence[tuple[str, Sequence[str]]], rows: Iterable[tuple[int, Any]]):
    """An XLSX workbook of the given sheets (title, columns); ``rows`` yields (sheet index, row).

    The workbook is spooled to memory, then to a temporary file once it grows, and streamed out
    after it is saved: a zip cannot be streamed while it is being written."""
    from openpyxl import Workbook

    with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_SIZE) as spool:
        workbook = Workbook(write_only=True)
        writers = [_XlsxSheet(workbook, title, columns) for title, columns in sheets]
        for index, row in rows:
            writers[index].append(row)
        for writer in writers:
            writer.close()
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_SIZE):
            yield chunk


def _xlsx_table(columns: list[str], rows_factory: RowsFactory) -> Iterator[bytes]:
    yield from _xlsx_write([(SHEET_TITLE, columns)], ((0, row) for row in rows_factory()))


def _xlsx_documents(
    sheets: Sequence[tuple[str, Sequence[str]]], rows_factory: RowsFactory
) -> Iterator[bytes]:
    """The per-document workbook: a row per document, and a row per line item on its own sheet
    (both sheets are written in one pass over the documents)."""

    def rows() -> Iterator[tuple[int, Any]]:
        for doc in rows_factory():
            yield 0, _document_row(doc)
            if len(sheets) > 1:
                yield from ((1, item) for item in _item_rows(doc))

    yield from _xlsx_write(sheets, rows())
