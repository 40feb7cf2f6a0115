"""Batch results as table rows and cell values: what every export format writes."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from app.services import cleantext

RowsFactory = Callable[[], Iterable[Any]]

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
LIST_SEPARATOR = "; "
CHUNK_SIZE = 64 * 1024


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
