"""Exports of batch results as JSON, CSV and XLSX.

Rows come from a ``rows_factory``: a callable returning a fresh iterable each time it is called, so a
large batch can be read twice (once to learn the columns, once to write them) without being held in
memory. The returned ``Export.body`` is a lazy iterable of bytes that calls the factory again while
it is consumed; when the rows come from the database, stream it inside the app context (for example
with Flask's ``stream_with_context``).

Tables (CSV, XLSX) are written by one pair of writers behind :func:`export_table`;
:func:`export_batch` flattens documents into table rows and hands them over. An XLSX of one row per
document is a workbook of its own: a "Results" sheet keyed by ``document_id`` and, when the batch
has line items, a "Line items" sheet with one row per item.

XLSX cells are typed: numbers the data already holds as numbers stay numbers (decimals shown with
two places and thousands separators), ISO dates and datetimes in date columns become date cells,
and everything else is formula-safe text; text is never parsed as a number, so identifiers such as
"0042" stay text. Column widths follow the first rows, the header row is frozen and filtered.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from app.services import cleantext

FORMATS = ("json", "csv", "xlsx")
ROW_MODES = ("document", "item")

LEADING_COLUMNS = (
    "filename",
    "status",
    "document_type",
    "page_count",
    "error_code",
    "error_message",
)
LINE_ITEMS = "line_items"
DOCUMENT_ID = "document_id"
SHEET_TITLE = "Results"
ITEMS_SHEET_TITLE = "Line items"
ITEM_VALUE = "value"

MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

LIST_SEPARATOR = "; "

CHUNK_SIZE = 64 * 1024
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

RowsFactory = Callable[[], Iterable[Any]]


@dataclass(frozen=True)
class Export:
    """A ready-to-stream export: content type, file extension (no dot) and body chunks."""

    mimetype: str
    extension: str
    body: Iterable[bytes]


# --- public API -----------------------------------------------------------------------------------


def export_batch(rows_factory: RowsFactory, fmt: str, rows: str | None = "document") -> Export:
    """Export a batch's documents as JSON, or as a CSV/XLSX table with one row per document or item."""
    fmt = _check_format(fmt)
    mode = _check_rows(rows)
    _check_factory(rows_factory)
    if fmt == "json":
        return Export(MIMETYPES["json"], "json", _json_documents(rows_factory))
    if fmt == "xlsx" and mode == "document":
        sheets = _workbook_sheets(rows_factory())
        return Export(MIMETYPES["xlsx"], "xlsx", _xlsx_documents(sheets, rows_factory))
    columns = batch_columns(rows_factory(), mode)
    return export_table(columns, lambda: _flat_rows(rows_factory(), mode), fmt)


def export_table(columns: Sequence[str], rows_factory: RowsFactory, fmt: str) -> Export:
    """Export rows (mappings by column name, or sequences in column order) as JSON, CSV or XLSX."""
    fmt = _check_format(fmt)
    _check_factory(rows_factory)
    columns = [str(c) for c in columns]
    writer = {"json": _json_table, "csv": _csv_table, "xlsx": _xlsx_table}[fmt]
    return Export(MIMETYPES[fmt], fmt, writer(columns, rows_factory))


def export_filename(batch_name: str | None, batch_id: Any, fmt: str, rows: str | None) -> str:
    """Safe ASCII download name such as ``invoices-march-1f3e9a2b-documents.csv``."""
    fmt = _check_format(fmt)
    mode = _check_rows(rows)
    slug = slugify(batch_name or "") or "batch"
    short_id = re.sub(r"[^a-z0-9]", "", str(batch_id or "").lower())[:8]
    kind = "items" if mode == "item" and fmt != "json" else "documents"
    parts = [slug, short_id, kind] if short_id else [slug, kind]
    return "-".join(parts) + "." + fmt


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII slug of ``text`` (letters, digits and single dashes); may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def batch_columns(
    documents: Iterable[Mapping[str, Any]], rows: str | None = "document"
) -> list[str]:
    """Table columns for the documents: fixed leading columns, then data and item columns."""
    mode = _check_rows(rows)
    data_columns: dict[str, None] = {}
    item_columns: dict[str, None] = {}
    has_items = False
    for doc in documents:
        data_columns.update(dict.fromkeys(_flat_data(doc)))
        items = _line_items(doc)
        has_items = has_items or bool(items)
        if mode == "item":
            for item in items:
                item_columns.update(dict.fromkeys(_flat_item(item)))
    columns = [*LEADING_COLUMNS, *data_columns]
    if mode == "item":
        columns.extend(c for c in item_columns if c not in data_columns)
    elif has_items:
        columns.append(LINE_ITEMS)
    return columns


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings to dotted keys; lists become "; "-joined text or JSON text."""
    # An empty mapping adds no column: there is nothing to show under it.
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(inner, name))
        return flat
    return {prefix: _flat_value(value)}


def escape_formula(text: str) -> str:
    """Text for a table cell: invisible characters removed, then a formula quoted with `'`."""
    return cleantext.safe_cell_text(text)


# --- validation -----------------------------------------------------------------------------------


def _check_format(fmt: Any) -> str:
    value = str(fmt).strip().lower() if fmt is not None else ""
    if value not in FORMATS:
        raise ValueError(f"unsupported export format {fmt!r}: use json, csv or xlsx")
    return value


def _check_rows(rows: Any) -> str:
    value = str(rows).strip().lower() if rows is not None else "document"
    if value not in ROW_MODES:
        raise ValueError(f"unsupported rows value {rows!r}: use document or item")
    return value


def _check_factory(rows_factory: Any) -> None:
    if not callable(rows_factory):
        raise TypeError("rows_factory must be a callable returning a fresh iterable of rows")


# --- documents to rows ----------------------------------------------------------------------------


def _line_items(doc: Mapping[str, Any]) -> list[Any]:
    items = doc.get("line_items")
    if not isinstance(items, list):
        data = doc.get("data")
        items = data.get(LINE_ITEMS) if isinstance(data, Mapping) else None
    return items if isinstance(items, list) else []


def _flat_data(doc: Mapping[str, Any]) -> dict[str, Any]:
    data = doc.get("data")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        return {"data": _flat_value(data)}
    # line_items has its own column(s); data often repeats the same list.
    return flatten({k: v for k, v in data.items() if k != LINE_ITEMS}, "data")


def _flat_item(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return flatten(item, LINE_ITEMS)
    return {LINE_ITEMS: _flat_value(item)}


def _flat_rows(documents: Iterable[Mapping[str, Any]], mode: str) -> Iterator[dict[str, Any]]:
    for doc in documents:
        base = {name: doc.get(name) for name in LEADING_COLUMNS}
        base.update(_flat_data(doc))
        items = _line_items(doc)
        if mode == "document":
            base[LINE_ITEMS] = _json_text(items) if items else None
            yield base
        elif not items:
            yield base
        else:
            for item in items:
                yield {**base, **_flat_item(item)}


def _workbook_sheets(documents: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    """Titles and columns of the per-document workbook: results, then line items if any."""
    data_columns: dict[str, None] = {}
    item_columns: dict[str, None] = {}
    has_items = False
    for doc in documents:
        data_columns.update(dict.fromkeys(_flat_data(doc)))
        for item in _line_items(doc):
            has_items = True
            item_columns.update(dict.fromkeys(_item_cells(item)))
    sheets = [(SHEET_TITLE, [DOCUMENT_ID, *LEADING_COLUMNS, *data_columns])]
    if has_items:
        sheets.append((ITEMS_SHEET_TITLE, [DOCUMENT_ID, "filename", *item_columns]))
    return sheets


def _document_id(doc: Mapping[str, Any]) -> str | None:
    doc_id = doc.get("id")
    return None if doc_id is None else str(doc_id)


def _document_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    row = {DOCUMENT_ID: _document_id(doc)}
    row.update((name, doc.get(name)) for name in LEADING_COLUMNS)
    row.update(_flat_data(doc))
    return row


def _item_cells(item: Any) -> dict[str, Any]:
    """An item's own cells: its keys flattened (a clash with a leading column gets an ``item.``
    prefix); an item that is not an object is one ``value`` cell."""
    if not isinstance(item, Mapping):
        return {ITEM_VALUE: _flat_value(item)}
    cells = flatten(item)
    return {f"item.{k}" if k in (DOCUMENT_ID, "filename") else k: v for k, v in cells.items()}


def _item_rows(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    base = {DOCUMENT_ID: _document_id(doc), "filename": doc.get("filename")}
    for item in _line_items(doc):
        yield {**base, **_item_cells(item)}


def _flat_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        if not value:
            return None
        if any(isinstance(v, Mapping | list | tuple) for v in value):
            return _json_text(value)
        return LIST_SEPARATOR.join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return _json_text(value) if value else None
    return value


# --- cell values ----------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value: Any) -> str:
    """Plain text of a scalar as a spreadsheet user expects to read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return _json_text(value)
    return str(value)


def _cell(value: Any) -> Any:
    """Value for a table cell: None, bool, finite number or formula-safe text."""
    if value is None or isinstance(value, bool):
        return value
    if _is_number(value):
        if isinstance(value, Decimal) and not value.is_finite():
            return escape_formula(str(value))
        if isinstance(value, float) and not math.isfinite(value):
            return escape_formula(str(value))
        return value
    if isinstance(value, list | tuple | Mapping):
        value = _flat_value(value)
        if value is None:
            return None
    return escape_formula(_text(value))


def _csv_cell(value: Any) -> str:
    """A CSV cell: numbers machine-readable (a plain decimal point, no grouping, and no trailing
    ".0" on whole numbers: 12, 12.5, 1234.56)."""
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _row_values(columns: Sequence[str], row: Any) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(name) for name in columns]
    values = list(row)[: len(columns)]
    return values + [None] * (len(columns) - len(values))


# --- JSON -----------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return list(value)
    return str(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_array(objects: Iterable[Any]) -> Iterator[bytes]:
    yield b"["
    first = True
    for obj in objects:
        yield (b"\n" if first else b",\n") + _json_text(obj).encode("utf-8")
        first = False
    yield b"]\n" if first else b"\n]\n"


def _document_object(doc: Mapping[str, Any]) -> dict[str, Any]:
    data = doc.get("data")
    if isinstance(data, Mapping):
        data = {k: v for k, v in data.items() if k != LINE_ITEMS}
    code, message = doc.get("error_code"), doc.get("error_message")
    return {
        "id": doc.get("id"),
        "filename": doc.get("filename"),
        "status": doc.get("status"),
        "document_type": doc.get("document_type"),
        "page_count": doc.get("page_count"),
        "error": {"code": code, "message": message} if code or message else None,
        "data": data,
        "line_items": _line_items(doc),
    }


def _json_documents(rows_factory: RowsFactory) -> Iterator[bytes]:
    yield from _json_array(_document_object(doc) for doc in rows_factory())


def _json_table(columns: list[str], rows_factory: RowsFactory) -> Iterator[bytes]:
    yield from _json_array(
        dict(zip(columns, _row_values(columns, row), strict=True)) for row in rows_factory()
    )


# --- CSV ------------------------------------------------------------------------------------------


def _csv_table(columns: list[str], rows_factory: RowsFactory) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(name) for name in columns])
    for row in rows_factory():
        writer.writerow([_csv_cell(v) for v in _row_values(columns, row)])
        if buffer.tell() >= CHUNK_SIZE:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


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
