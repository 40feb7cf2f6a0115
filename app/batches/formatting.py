"""Template filters for times and values on the batch and document pages."""

import json
from datetime import UTC, datetime

from app.models.types import utcnow

UNITS = (
    (365 * 24 * 3600, "year"),
    (30 * 24 * 3600, "month"),
    (7 * 24 * 3600, "week"),
    (24 * 3600, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """'3 minutes ago', 'just now', or an empty string for None."""
    if value is None:
        return ""
    now = now or utcnow()
    seconds = int((now - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now"
    unit, count = "second", seconds
    for size, name in UNITS:
        if seconds >= size:
            unit, count = name, seconds // size
            break
    text = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {text}" if future else f"{text} ago"


def exact_time(value: datetime | None) -> str:
    """'2026-03-14 09:30:12 UTC', or an empty string for None."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(start: datetime | None, end: datetime | None) -> str:
    """Time between two moments as '2 min 05 s' / '4.2 s'; empty when either is missing."""
    if start is None or end is None:
        return ""
    seconds = max((end - start).total_seconds(), 0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def cell_value(value) -> str:
    """A result value as readable text: lists joined, objects as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(cell_value(v) for v in value)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def percent(value) -> str:
    """A 0-1 confidence as '87%'; empty when missing."""
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return ""


def _count(n, one: str, many: str | None = None) -> str:
    n = int(n or 0)
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


EXPORT_ROWS = {"document": "a row per document", "item": "a row per line item"}


def history_sentence(action: str, details: dict | None) -> str:
    """One event of a batch's history as a sentence for people."""
    d = details or {}
    if action == "batch.created":
        text = f"Created with {_count(d.get('documents'), 'document')}"
        if d.get("pages") is not None:
            text += f" ({_count(d.get('pages'), 'page')})"
        if d.get("failed"):
            text += f"; {_count(d['failed'], 'file')} could not be read"
        return text + "."
    if action == "batch.cancelled":
        return f"Cancelled {_count(d.get('cancelled_documents'), 'document')}."
    if action == "batch.resumed":
        return f"Resumed {_count(d.get('resumed_documents'), 'cancelled document')}."
    if action == "batch.retried":
        return f"Queued {_count(d.get('retried_documents'), 'failed document')} again."
    if action == "batch.exported":
        text = f"Exported as {str(d.get('format') or '').upper() or 'a file'}"
        if d.get("rows") in EXPORT_ROWS:
            text += f", {EXPORT_ROWS[d['rows']]}"
        if d.get("bundle"):
            text += ", in a zip with other batches"
        return text + "."
    if action == "correct":
        fields = ", ".join(str(f).replace("_", " ") for f in d.get("fields") or [])
        return f"Corrected {fields or 'values'} of a document."
    if action == "review":
        return "Approved a document after review."
    words = action.split(".")[-1].replace("_", " ")
    facts = ", ".join(f"{str(k).replace('_', ' ')} {v}" for k, v in d.items())
    return f"{words.capitalize()}{': ' + facts if facts else ''}."


def register(bp) -> None:
    """Make the filters available to every template once the blueprint is registered."""
    bp.add_app_template_filter(relative_time, "relative_time")
    bp.add_app_template_filter(exact_time, "exact_time")
    bp.add_app_template_filter(duration, "duration")
    bp.add_app_template_filter(cell_value, "cell_value")
    bp.add_app_template_filter(percent, "percent")
    bp.add_app_template_global(history_sentence, "history_sentence")
