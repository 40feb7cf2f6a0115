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
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.exports.rows import (  # noqa: F401 - part of this module's interface
    CHUNK_SIZE,
    DOCUMENT_ID,
    ITEM_VALUE,
    ITEMS_SHEET_TITLE,
    LEADING_COLUMNS,
    LINE_ITEMS,
    LIST_SEPARATOR,
    SHEET_TITLE,
    RowsFactory,
    _csv_cell,
    _flat_data,
    _flat_item,
    _flat_rows,
    _flat_value,
    _json_default,
    _json_text,
    _line_items,
    _row_values,
    _workbook_sheets,
    escape_formula,
    flatten,
)
from app.exports.xlsx import _xlsx_documents, _xlsx_table

FORMATS = ("json", "csv", "xlsx")
ROW_MODES = ("document", "item")


MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


# --- JSON -----------------------------------------------------------------------------------------


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


# --- zip bundles ----------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are handed out as they are written."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_entry(filename: str, when: datetime) -> zipfile.ZipInfo:
    """A compressed zip entry dated `when` (an aware datetime): the DOS date and time in UTC, as
    in the zip's name, plus the extended-timestamp field (Unix time) that unzip tools show in
    the reader's own time zone. Without a date an entry shows 1980-01-01."""
    utc = when.astimezone(UTC)
    info = zipfile.ZipInfo(filename, date_time=utc.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # -rw-r--r-- when unpacked
    info.extra = struct.pack("<HHBL", 0x5455, 5, 1, int(utc.timestamp()))  # "UT", mtime only
    return info


def zip_bundle(
    batches: Sequence[tuple[Any, str | None]],
    rows_of: Callable[[Any], Iterable[Any]],
    fmt: str,
    rows: str,
    when: datetime,
) -> Iterator[bytes]:
    """A zip of one export file per (batch id, name), written as it is read: each file's rows
    come from `rows_of(batch_id)`; every entry is dated `when`."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for batch_id, name in batches:
            export = export_batch(lambda batch_id=batch_id: rows_of(batch_id), fmt, rows)
            filename = export_filename(name, batch_id, fmt, rows)
            with archive.open(zip_entry(filename, when), "w", force_zip64=True) as member:
                for chunk in export.body:
                    member.write(chunk)
                    if data := sink.take():
                        yield data
            if data := sink.take():
                yield data
    yield sink.take()
