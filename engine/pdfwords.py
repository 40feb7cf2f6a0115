"""Words and lines of a PDF page rebuilt from PDFium's characters.

PDFium reports every character with its box, its origin on the baseline, its text matrix and whether
it was drawn or generated (a space or line break PDFium inferred). Producers place glyphs very
differently: a whole line in one run, every glyph on its own, letter-spaced, justified, or the
same glyph printed twice a hair apart for a fake bold. Reading the characters themselves gives
the words a person sees in all of these cases:

- characters sharing a baseline (or overlapping vertically) form a row;
- a space goes between two neighbours when their gap, beyond the row's usual letter spacing,
  is a word gap, or when the producer drew (or PDFium inferred) a space between them;
- a gap wider than a column gap starts a new cell;
- a character printed again over itself is dropped, ligatures are spelt out.

Rotated text is read along its own direction: its lines are ordered and its cells placed in
that direction's frame (as on the page turned upright). Boxes of words and the vertical extent
of cells are always on the displayed page, in points with y growing downwards.
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from dataclasses import dataclass

from .layout import Cell, Line, Word

# A gap (beyond the row's usual letter spacing) wider than this share of the loose line height
# is a word gap...
SPACE_GAP = 0.15
# ...and a narrower one still is when the producer drew or PDFium inferred a space there.
HINTED_SPACE_GAP = 0.05
# A gap wider than this many line heights separates two cells (columns of a table).
CELL_GAP = 0.9
# Kinds of space before a character.
GENERATED, DRAWN = 1, 2
# Tight text height as a share of PDFium's loose (font ascent to descent) box.
TEXT_HEIGHT = 0.68

_SPACES = frozenset(
    " \t\r\n\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_DROP = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\ufffe")


@dataclass
class _Char:
    """One drawn character in the reading frame of its text direction."""

    index: int
    text: str
    u0: float  # along the text direction
    u1: float
    v0: float  # across it, growing downwards
    v1: float
    base: float
    space_before: int  # 0 none, GENERATED (PDFium inferred one) or DRAWN (the file has one)
    prev: int  # index of the drawn character before it in the content stream
    frame: int
    box: tuple[float, float, float, float]  # display box: x0, y0, x1, y1 (y downwards)
    h: float = 0.0  # height across the text direction
    breaks: bool = False  # starts text printed over other text: a cell of its own

    def __post_init__(self):
        self.h = max(self.v1 - self.v0, 1e-3)


@dataclass
class PageChars:
    """What PDFium reports about a page's characters, with counts used to judge readability."""

    lines: list[Line]
    drawn: int = 0  # characters drawn (spaces and inferred characters left out)
    unmapped: int = 0  # characters whose font has no Unicode map for them
    junk: int = 0  # private-use, control or replacement characters


def char_text(code: int) -> str:
    """The text a character code stands for: ligatures spelt out, invisible marks dropped."""
    if code <= 0 or code > 0x10FFFF:
        return ""
    ch = chr(code)
    if ch in _DROP:
        return ""
    if 0xFB00 <= code <= 0xFB06:
        return unicodedata.normalize("NFKC", ch)
    return ch


def is_junk(ch: str) -> bool:
    """True for characters no document shows as text: private use, control, replacement."""
    code = ord(ch)
    return (
        0xE000 <= code <= 0xF8FF
        or code >= 0xF0000
        or (code < 0x20 and ch not in "\t\r\n")
        or 0x7F <= code <= 0x9F
        or code == 0xFFFD
    )


def _display(page):
    """Map from PDF content coordinates to the page as displayed, y downwards."""
    left, bottom, right, top = page.get_bbox()
    width, height = right - left, top - bottom
    rotation = page.get_rotation() % 360

    def to_display(x: float, y: float) -> tuple[float, float]:
        cx, cy = x - left, top - y
        if rotation == 90:
            return height - cy, cx
        if rotation == 180:
            return width - cx, height - cy
        if rotation == 270:
            return cy, width - cx
        return cx, cy

    return to_display, (left, top) if rotation == 0 else None


def read_chars(textpage, page, number: int) -> PageChars:
    """Lines of a page (reading order, cells split at column gaps) from its characters."""
    import pypdfium2.raw as pdfium_c

    to_display, upright_page = _display(page)
    n = textpage.count_chars()
    raw = textpage.raw
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    chars: list[_Char] = []
    frames: dict[int, tuple[float, float]] = {}
    result = PageChars([])
    pending_space = 0
    prev = -1
    for i in range(n):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        # A hyphen drawn at the end of a line is reported as a control code ("RE-" / "2026-
        # 04117" in a narrow box): it is on the page, so it stays.
        text = "-" if pdfium_c.FPDFText_IsHyphen(raw, i) == 1 else char_text(code)
        generated = pdfium_c.FPDFText_IsGenerated(raw, i) == 1
        if not text or text in _SPACES or generated:
            if generated:
                pending_space = max(pending_space, GENERATED)
            elif text:
                pending_space = DRAWN
            continue
        result.drawn += 1
        if pdfium_c.FPDFText_HasUnicodeMapError(raw, i) == 1:
            result.unmapped += 1
        if any(is_junk(c) for c in text):
            result.junk += 1
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            continue
        pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy)
        if rect.top - rect.bottom < 0.05 and rect.right - rect.left < 0.05:
            # A font with no usable metrics (some Type 3 fonts): a box from the font size.
            size = max(pdfium_c.FPDFText_GetFontSize(raw, i), 1.0)
            rect.left, rect.right = ox.value, ox.value + 0.5 * size
            rect.bottom, rect.top = oy.value - 0.2 * size, oy.value + 0.9 * size
        # The text matrix's first column is the direction the text runs in (PDF space).
        pdfium_c.FPDFText_GetMatrix(raw, i, matrix)
        norm = math.hypot(matrix.a, matrix.b)
        dx, dy = (matrix.a / norm, matrix.b / norm) if norm else (1.0, 0.0)
        if upright_page is not None and dx > 0.9999:
            # Upright text on an unrotated page (nearly every character): boxes as they are.
            left, top = upright_page
            x0, x1, y0, y1 = rect.left - left, rect.right - left, top - rect.top, top - rect.bottom
            chars.append(
                _Char(
                    i,
                    text,
                    x0,
                    x1,
                    y0,
                    y1,
                    top - oy.value,
                    pending_space,
                    prev,
                    0,
                    (x0, y0, x1, y1),
                )
            )
            pending_space = 0
            prev = i
            continue
        ax, ay = to_display(ox.value, oy.value)
        bx, by = to_display(ox.value + dx, oy.value + dy)
        frame = round(math.degrees(math.atan2(by - ay, bx - ax))) % 360
        frame = 0 if frame == 359 else frame
        ex, ey = frames.setdefault(
            frame, (math.cos(math.radians(frame)), math.sin(math.radians(frame)))
        )
        corners = [
            to_display(x, y)
            for x, y in (
                (rect.left, rect.bottom),
                (rect.left, rect.top),
                (rect.right, rect.bottom),
                (rect.right, rect.top),
            )
        ]
        us = [x * ex + y * ey for x, y in corners]
        vs = [-x * ey + y * ex for x, y in corners]
        xs = [x for x, _ in corners]
        ys = [y for _, y in corners]
        chars.append(
            _Char(
                i,
                text,
                min(us),
                max(us),
                min(vs),
                max(vs),
                -ax * ey + ay * ex,
                pending_space,
                prev,
                frame,
                (min(xs), min(ys), max(xs), max(ys)),
            )
        )
        pending_space = 0
        prev = i
    if not chars:
        return result
    counts: dict[int, int] = {}
    for c in chars:
        counts[c.frame] = counts.get(c.frame, 0) + 1
    main = max(counts, key=lambda f: counts[f])
    lines: list[Line] = []
    extra: list[Line] = []
    for frame in sorted(counts, key=lambda f: (f != main, f)):
        group = [c for c in chars if c.frame == frame]
        built = _lines(group, upright=frame == 0)
        (lines if frame == main else extra).extend(built)
    lines.sort(key=lambda ln: ln.y)
    extra.sort(key=lambda ln: ln.y)
    result.lines = [
        Line(number, index, ln.y, ln.height, ln.cells, ln.score)
        for index, ln in enumerate(lines + extra)
    ]
    return result


def _listed_backwards(chars: list[_Char]) -> bool:
    """True when PDFium lists a row's characters against their own direction (it does on a page
    turned upside down by its /Rotate entry): most stand before the one listed before them."""
    by_index = {c.index: c for c in chars}
    forwards = backwards = 0
    for c in chars:
        p = by_index.get(c.prev)
        if p is None or abs(c.base - p.base) > 0.2 * min(c.h, p.h):
            continue
        if c.u0 < p.u0:
            backwards += 1
        else:
            forwards += 1
    return backwards > forwards


def _reverse_listing(chars: list[_Char]) -> list[_Char]:
    """A row listed backwards, listed in its own direction: each character's index, the one
    listed before it and the space before it describe the text as it reads. The letters of a
    ligature, listed in their own order, become one character first."""
    merged: list[_Char] = []
    for c in sorted(chars, key=lambda c: c.index):
        last = merged[-1] if merged else None
        if last is not None and c.prev == last.index and c.u0 >= last.u0:
            # Listed forwards within the backward row: the letters of one glyph ("fi").
            last.text += c.text
            last.u1 = max(last.u1, c.u1)
            last.box = (
                min(last.box[0], c.box[0]),
                min(last.box[1], c.box[1]),
                max(last.box[2], c.box[2]),
                max(last.box[3], c.box[3]),
            )
            continue
        merged.append(c)
    by_index = {c.index: c for c in merged}
    none = -(10**9)
    after: dict[int, tuple[int, int]] = {}  # index -> (index listed after it, space between)
    for c in merged:
        if c.prev in by_index:
            after[c.prev] = (c.index, c.space_before)
    for c in merged:
        nxt, space = after.get(c.index, (None, 0))
        c.prev = -nxt if nxt is not None else none
        # Spaces PDFium inferred while listing backwards fall beside ligatures and kerned pairs
        # as often as between words: the gaps themselves decide, and the file's own spaces.
        c.space_before = space if space == DRAWN else 0
        c.index = -c.index
    return merged


def _rows(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into rows: same baseline, or boxes overlapping most of their height."""
    chars = sorted(chars, key=lambda c: (c.base, c.u0))
    rows: list[list[_Char]] = []
    keys: list[tuple[float, float, float]] = []  # base, top, bottom of each row's first char
    for c in chars:
        placed = False
        for k in range(len(rows) - 1, max(len(rows) - 5, -1), -1):
            base, top, bottom = keys[k]
            height = min(bottom - top, c.h)
            overlap = min(bottom, c.v1) - max(top, c.v0)
            if abs(c.base - base) < 0.2 * height or overlap > 0.6 * height:
                rows[k].append(c)
                placed = True
                break
        if not placed:
            rows.append([c])
            keys.append((c.base, c.v0, c.v1))
    return rows


def _dedupe(row: list[_Char]) -> list[_Char]:
    """Row in reading order without glyphs printed again over themselves (fake bold).

    Characters are taken in runs as the content stream draws them (consecutive, moving
    forwards). Runs are laid out left to right; a run that starts inside text already laid out
    (two texts printed over each other) is kept whole after it, starting a new cell, rather than
    having its letters interleaved with the other's.
    """
    row.sort(key=lambda c: c.index)
    runs: list[list[_Char]] = []
    for c in row:
        last = runs[-1][-1] if runs else None
        if last is not None and c.prev == last.index and c.u0 > last.u0 - 0.5 * min(c.h, last.h):
            runs[-1].append(c)
        else:
            runs.append([c])
    runs.sort(key=lambda r: (r[0].u0, r[0].index))
    placed: dict[str, list[_Char]] = {}
    out: list[_Char] = []
    frontier = -math.inf
    for run in runs:
        kept = []
        for c in run:
            width = max(c.u1 - c.u0, 1e-3)
            same = placed.setdefault(c.text, [])
            if any(
                abs(p.u0 - c.u0) < 0.3 * width and abs(p.base - c.base) < 0.15 * p.h
                for p in same[-4:]
            ):
                continue
            same.append(c)
            kept.append(c)
        if not kept:
            continue
        if out and kept[0].u0 < frontier - 0.3 * kept[0].h:
            kept[0].breaks = True
        out.extend(kept)
        frontier = max(frontier, max(c.u1 for c in kept))
    return out


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2] if values else 0.0


def _lines(chars: list[_Char], *, upright: bool) -> list[Line]:
    """Lines of one text direction, in that direction's frame (display frame when upright)."""
    lines = []
    for row in _rows(chars):
        if not upright and _listed_backwards(row):
            row = _reverse_listing(row)
        row = _dedupe(row)
        h = _median([c.h for c in row])
        height = TEXT_HEIGHT * h
        row_tracking = _tracking(row) or 0.0
        runs: list[list[_Char]] = [[row[0]]]
        for a, b in zip(row, row[1:], strict=False):
            if b.breaks or b.u0 - a.u1 - row_tracking > CELL_GAP * TEXT_HEIGHT * min(a.h, b.h):
                runs.append([b])
            else:
                runs[-1].append(b)
        cells = []
        for run in runs:
            cell = _cell([_word(w) for w in _split_words(run, row_tracking, upright=upright)])
            if not upright:
                # Along the text's own direction, so that columns line up as on a turned page.
                cell.x0, cell.x1 = run[0].u0, max(c.u1 for c in run)
            cells.append(cell)
        top = _median([c.v0 for c in row]) + (h - height) / 2
        lines.append(Line(0, 0, top, height, cells))
    return lines


def _tracking(chars: list[_Char]) -> float | None:
    """The usual gap between neighbouring letters (letter spacing), if enough gaps show it."""
    small = [
        b.u0 - a.u1
        for a, b in zip(chars, chars[1:], strict=False)
        if -0.2 * a.h < b.u0 - a.u1 < 0.5 * a.h
    ]
    if len(small) < 3:
        return None
    # A low quantile, not the median: in short words the gaps between words are many.
    return max(0.0, sorted(small)[int(0.3 * len(small))])


def _split_words(
    run: list[_Char], row_tracking: float | None, *, upright: bool = True
) -> list[list[_Char]]:
    """A run of characters without column gaps split into words.

    The run's usual letter spacing (tracking, as in letter-spaced headings) is taken off every
    gap first, so that only gaps wider than the letters' own spacing part words.
    """
    gaps = [b.u0 - a.u1 for a, b in zip(run, run[1:], strict=False)]
    tracking = _tracking(run)
    if tracking is None:
        tracking = row_tracking or 0.0
    words: list[list[_Char]] = [[run[0]]]
    for a, b, gap in zip(run, run[1:], gaps, strict=False):
        h = min(a.h, b.h)
        extra = gap - tracking
        follows = b.prev == a.index
        hinted = b.space_before == GENERATED and follows
        # A space the file draws between the two, or text drawn elsewhere in the content stream
        # with a break before it: another word even when it (nearly) touches this one.
        drawn = b.space_before == DRAWN and follows
        jumped = b.space_before and not follows
        # A kerned pair of letters ("T" over "o") overlaps: on a turned page PDFium may list
        # them apart and infer a space between them; they are still one word. (Digits are not
        # kerned: overlapping digits are two columns that touch.)
        kerned = (
            not upright
            and jumped
            and b.space_before == GENERATED
            and extra < 0
            and a.text[-1].isalpha()
            and (b.text[0].isalpha() or b.text[0] in ".,:;")
        )
        if (
            extra > SPACE_GAP * h
            or (hinted and extra > HINTED_SPACE_GAP * h)
            or ((drawn or jumped) and not kerned and extra > -0.1 * h)
        ):
            words.append([b])
        else:
            words[-1].append(b)
    return words


def _word(chars: list[_Char]) -> Word:
    """A word with its box on the displayed page."""
    text = "".join(c.text for c in chars)
    x0 = min(c.box[0] for c in chars)
    y0 = min(c.box[1] for c in chars)
    x1 = max(c.box[2] for c in chars)
    y1 = max(c.box[3] for c in chars)
    return Word(x0, y0, x1, y1, text)


def _cell(words: list[Word]) -> Cell:
    """Words that sit together, joined with spaces, with their box."""
    return Cell(
        min(w.x0 for w in words),
        max(w.x1 for w in words),
        " ".join(w.text for w in words),
        y0=min(w.y0 for w in words),
        y1=max(w.y1 for w in words),
        words=words,
    )
