"""Where each extracted value sits on its page: `bbox` [x0, y0, x1, y1] in fractions of the page.

Works on the positioned text of a document (PDF text layer or OCR boxes, `layout.Page`), so it
serves every provider alike: the local engine and the LLM providers report a value, its page and
the text it was read from, and the box is found here by looking for that value among the page's
words. Origin top left, y downwards, as the page is shown (and rendered by PDFium).

The search, per field: the lines of its page (all pages when none is known) that hold the source
text, else every line; in them the shortest run of words whose text reads as the value (the same
amount, the same date, the same text); else the words of the source text. Nothing found: `bbox`
is None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from . import values as V
from .layout import Line, Page, Word

# Longest run of words a value is looked for in (a date such as "1 March 2026" is three).
MAX_RUN = 6
_ALNUM = re.compile(r"[^0-9a-z]+")


def _plain(text: str) -> str:
    return _ALNUM.sub("", str(text).casefold())


def _words(line: Line) -> list[Word]:
    return [w for cell in line.cells for w in cell.words]


def _only_value(text: str, start: int, end: int) -> bool:
    """True when the text around a found value holds no word (a currency code or sign at most)."""
    letters = re.sub(r"[^A-Za-z]", "", text[:start] + text[end:])
    return not letters or (len(letters) == 3 and letters.isupper())


def _matches(value: Any, text: str) -> bool:
    """True when `text` (a run of words) reads as `value` and nothing else."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float | Decimal) or re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", str(value).strip()
    ):
        span = _span_in(value, text)
        return span is not None and _only_value(text, *span)
    raw = str(value).strip()
    want = _plain(raw)
    if want and _plain(text) == want:
        return True
    # A currency found from its sign ("$12.00" for USD).
    return bool(re.fullmatch(r"[A-Z]{3}", raw)) and raw in V.find_currencies(text)


def _run_box(words: list[Word]) -> tuple[float, float, float, float]:
    return (
        min(w.x0 for w in words),
        min(w.y0 for w in words),
        max(w.x1 for w in words),
        max(w.y1 for w in words),
    )


def _find_run(value: Any, lines: Iterable[Line]) -> list[Word] | None:
    """The shortest run of words of one line that reads as the value."""
    best: list[Word] | None = None
    for line in lines:
        words = _words(line)
        for size in range(1, MAX_RUN + 1):
            if best is not None and size >= len(best):
                break
            for start in range(0, len(words) - size + 1):
                run = words[start : start + size]
                if _matches(value, " ".join(w.text for w in run)):
                    best = run
                    break
    return best


def _span_in(value: Any, text: str) -> tuple[int, int] | None:
    """Where in one piece of text the value is written (start, end), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        for found in V.find_amounts(text):
            if abs(float(found.value.value) - float(value)) < 0.005:
                return found.start, found.end
        for m in re.finditer(r"\d[\d.,' ]*\d|\d", text):
            number = V.parse_number(m.group())
            if number is not None and abs(float(number) - float(value)) < 0.005:
                return m.start(), m.end()
        return None
    raw = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        for order in ("dmy", "mdy"):
            for found in V.find_dates(text, order):
                if isinstance(found.value, date) and found.value.isoformat() == raw:
                    return found.start, found.end
        return None
    at = text.casefold().find(raw.casefold()) if raw else -1
    return (at, at + len(raw)) if at >= 0 else None


def _inside_word(value: Any, lines: Iterable[Line]) -> Word | None:
    """The part of one word (an OCR box holds a whole phrase) where the value is written.

    Its box is cut out of the word's box in proportion to the characters before and after it.
    """
    for line in lines:
        for word in _words(line):
            span = _span_in(value, word.text)
            if span is None or not word.text:
                continue
            per_char = (word.x1 - word.x0) / len(word.text)
            return Word(
                word.x0 + span[0] * per_char, word.y0, word.x0 + span[1] * per_char, word.y1, ""
            )
    return None


def _source_run(source: str, lines: Iterable[Line]) -> list[Word] | None:
    """The words of the line holding the source text (the whole text, or its end)."""
    want = _plain(source)
    if not want:
        return None
    for line in lines:
        words = _words(line)
        if not words:
            continue
        joined = _plain(" ".join(w.text for w in words))
        if want not in joined:
            continue
        # The run of words whose text makes up the source, trimmed from both ends.
        lo, hi = 0, len(words)
        while lo < hi - 1 and want in _plain(" ".join(w.text for w in words[lo + 1 : hi])):
            lo += 1
        while hi > lo + 1 and want in _plain(" ".join(w.text for w in words[lo : hi - 1])):
            hi -= 1
        return words[lo:hi]
    return None


def as_shown(box: list[float], turned: int) -> list[float]:
    """A box in fractions of a page read turned (counter-clockwise) mapped to the page as shown.

    Turned by 90°, a point at (x, y) of the page as shown sits at (y, 1 - x) of the turned
    page; by 270°, at (1 - y, x).
    """
    fx0, fy0, fx1, fy1 = box
    if turned == 90:
        xs, ys = (1 - fy0, 1 - fy1), (fx0, fx1)
    elif turned == 270:
        xs, ys = (fy0, fy1), (1 - fx0, 1 - fx1)
    else:
        return box
    return [min(xs), min(ys), max(xs), max(ys)]


def locate(entry: Mapping[str, Any], pages: list[Page]) -> tuple[int, list[float]] | None:
    """The page number and bbox (fractions) of one field entry, or None."""
    value, source = entry.get("value"), entry.get("source_text") or ""
    if value is None and not source:
        return None
    number = entry.get("page")
    candidates = [p for p in pages if p.number == number] or pages
    for page in candidates:
        if page.width <= 0 or page.height <= 0:
            continue
        holding = [line for line in page.lines if source and _plain(source) in _plain(line.text)]
        run = None
        if not isinstance(value, list | dict):
            run = _find_run(value, holding) or _find_run(value, page.lines)
            if run is None:
                part = _inside_word(value, holding) or _inside_word(value, page.lines)
                run = [part] if part else None
        run = run or _source_run(source, page.lines)
        if run:
            x0, y0, x1, y1 = _run_box(run)
            box = as_shown(
                [x0 / page.width, y0 / page.height, x1 / page.width, y1 / page.height],
                page.turned,
            )
            return page.number, [round(min(max(v, 0.0), 1.0), 4) for v in box]
    return None


def add_boxes(fields: dict[str, dict[str, Any]], pages: list[Page]) -> None:
    """Give every field entry of a result its `bbox` (and its page when it had none)."""
    for entry in fields.values():
        found = locate(entry, pages) if pages else None
        if found is None:
            entry["bbox"] = None
            continue
        number, box = found
        entry["page"] = entry.get("page") or number
        entry["bbox"] = box
