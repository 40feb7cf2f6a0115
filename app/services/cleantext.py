"""Characters nobody sees, and text a spreadsheet would run as a formula.

Exports (CSV and XLSX, of document and question batches) and the question file check share these
functions so they agree on what a formula is. Invisible characters are removed *before* the check:
``"\\x01=HYPERLINK(...)"`` is a formula once a writer or a spreadsheet drops the ``\\x01``.
"""

from __future__ import annotations

import os
import re

# C0 controls other than tab, line feed and carriage return; DEL and the C1 controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Controls plus zero-width, direction and separator characters that hide what a cell starts with:
# soft hyphen, Arabic letter mark, Mongolian vowel separator, U+200B–U+200F (zero-width spaces,
# joiners and marks), U+2028/U+2029, U+202A–U+202E (embeddings and overrides), U+2060–U+206F
# (word joiner, invisible operators, isolates), U+FEFF and the interlinear annotation marks.
INVISIBLE_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    r"\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
# Leading characters that make spreadsheet apps read a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_STARTS = "=+-@"


def strip_invisible(text: str) -> str:
    """The text without control, zero-width and direction characters (tab and newlines stay)."""
    return INVISIBLE_CHARS.sub("", text)


def has_control_chars(text: str) -> bool:
    """True when the text holds a NUL or another control character (tab and newlines excepted)."""
    return CONTROL_CHARS.search(text) is not None


def starts_like_formula(text: str) -> bool:
    """True when the text, once invisible characters are gone, would start a formula.

    Leading whitespace does not hide a formula either: some spreadsheet apps trim it on import.
    """
    visible = strip_invisible(text)
    return visible.startswith(FORMULA_PREFIXES) or visible.lstrip().startswith(
        tuple(_FORMULA_STARTS)
    )


def safe_cell_text(text: str) -> str:
    """Text for a spreadsheet cell: invisible characters removed, a formula quoted with `'`."""
    visible = strip_invisible(text)
    return "'" + visible if starts_like_formula(visible) else visible


MAX_FILENAME = 255


def clean_filename(raw: str | None) -> str:
    """The base name of an uploaded file without control characters, at most 255 characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_FILENAME:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: MAX_FILENAME - len(ext)] + ext
    return name or "unnamed"
