"""Exports of batch results as JSON, CSV and XLSX.

Rows come from a ``rows_factory``: a callable returning a fresh iterable each time it is called, so a
large batch can be read twice (once to learn the columns, once to write them) without being held in
memory. The returned ``Export.body`` is a lazy iterable of bytes that calls the factory again while
it is consumed; when the rows come from the database, stream it inside the app context (for example
with Flask's ``stream_with_context``).

Tables (CSV, XLSX) are written by one pair of writers behind :func:`export_table`;
:func:`export_batch` flattens documents into table rows and hands them over.
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
from datetime import date, datetime, time
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
SHEET_TITLE = "Results"

MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

LIST_SEPARATOR = "; "

CHUNK_SIZE = 64 * 1024
XLSX_SPOOL_SIZE = 8 * 1024 * 1024
XLSX_MAX_CELL_CHARS = 32767

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


def _xlsx_cell(value: Any) -> Any:
    value = _cell(value)
    if isinstance(value, str):
        return value[:XLSX_MAX_CELL_CHARS] or None
    return value


def _xlsx_row(sheet, values: Iterable[Any], font=None) -> list[Any]:
    """Write-only cells of a row: text is always a string cell, never read as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        value = _xlsx_cell(value)
        if isinstance(value, str) or font is not None:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if font is not None:
                cell.font = font
            value = cell
        cells.append(value)
    return cells


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


def _xlsx_table(columns: list[str], rows_factory: RowsFactory) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_SIZE) as spool:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(SHEET_TITLE)
        for index, name in enumerate(columns, start=1):
            width = min(max(len(name) + 2, 10), 50)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(_xlsx_row(sheet, columns, font=Font(bold=True)))
        for row in rows_factory():
            sheet.append(_xlsx_row(sheet, _row_values(columns, row)))
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_SIZE):
            yield chunk
