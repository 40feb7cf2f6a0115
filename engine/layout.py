"""Page layout: text segments grouped into lines (reading order) and cells (column breaks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Text separated by at least this many spaces is treated as separate columns.
CELL_GAP = "   "
_MULTISPACE = re.compile(r"\s{2,}")


@dataclass
class Segment:
    """A run of text with its box; y grows downwards, units are the page's own."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float = 1.0

    @property
    def height(self) -> float:
        """Box height."""
        return max(self.y1 - self.y0, 1e-6)

    @property
    def cy(self) -> float:
        """Vertical centre."""
        return (self.y0 + self.y1) / 2


@dataclass
class Word:
    """A word with its box in page units (points for PDF text), y growing downwards."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Cell:
    """Words of one line that sit together (no column gap between them).

    ``y0``/``y1`` and ``words`` (the PDF's words, or the OCR's text boxes) are known for text
    with positions; text without them (the plain-text fallback) leaves them empty.
    """

    x0: float
    x1: float
    text: str
    y0: float = 0.0
    y1: float = 0.0
    words: list[Word] = field(default_factory=list)


@dataclass
class Line:
    """One line of a page in reading order, split into cells at column gaps."""

    page: int
    index: int
    y: float
    height: float
    cells: list[Cell]
    score: float = 1.0

    @property
    def text(self) -> str:
        """The line as text, cells joined with a column gap."""
        return CELL_GAP.join(c.text for c in self.cells)

    @property
    def x0(self) -> float:
        """Left edge."""
        return self.cells[0].x0 if self.cells else 0.0


@dataclass
class Page:
    """A page's lines and size; source tells whether the text came from the PDF or from OCR."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    source: str = "text"
    # OCR of a page lying on its side reads it turned by this many degrees counter-clockwise
    # (90 or 270): positions, width and height are then those of the page as read (turned).
    turned: int = 0

    @property
    def text(self) -> str:
        """The page as plain text, one line per line."""
        return "\n".join(line.text for line in self.lines)


def _split_spaced(seg: Segment) -> list[Segment]:
    """Split a segment whose text holds runs of spaces (alignment by spaces) into pieces."""
    text = seg.text.strip()
    if not _MULTISPACE.search(text):
        return [Segment(seg.x0, seg.y0, seg.x1, seg.y1, text, seg.score)] if text else []
    per_char = (seg.x1 - seg.x0) / max(len(seg.text), 1)
    out = []
    for m in re.finditer(r"\S+(?: \S+)*", seg.text):
        x0 = seg.x0 + m.start() * per_char
        out.append(Segment(x0, seg.y0, seg.x0 + m.end() * per_char, seg.y1, m.group(), seg.score))
    return out


def build_lines(
    segments: list[Segment],
    page: int,
    *,
    gap_factor: float = 0.9,
    exclusive_x: bool = False,
) -> list[Line]:
    """Group segments into lines top to bottom and cells left to right.

    Segments whose vertical spans overlap by more than half of the smaller height share a line;
    a horizontal gap wider than ``gap_factor`` times the line height starts a new cell. With
    ``exclusive_x`` (OCR boxes) a segment never joins a line holding a box it overlaps
    sideways: two boxes above one another belong to two printed lines, however tall they are.
    """
    pieces: list[Segment] = []
    for seg in segments:
        pieces.extend(_split_spaced(seg))
    if not pieces:
        return []
    pieces.sort(key=lambda s: (s.cy, s.x0))
    rows: list[list[Segment]] = []
    for seg in pieces:
        placed = False
        # Only the last few rows can overlap a segment that comes later in y order.
        for row in reversed(rows[-4:]):
            top = sorted(s.y0 for s in row)[len(row) // 2]
            bottom = sorted(s.y1 for s in row)[len(row) // 2]
            overlap = min(bottom, seg.y1) - max(top, seg.y0)
            if exclusive_x and any(_x_overlap(s, seg) for s in row):
                continue
            if overlap > 0.5 * min(bottom - top, seg.height):
                row.append(seg)
                placed = True
                break
        if not placed:
            rows.append([seg])
    rows.sort(key=lambda r: sum(s.cy for s in r) / len(r))
    lines = []
    for row in rows:
        row.sort(key=lambda s: s.x0)
        height = sorted(s.height for s in row)[len(row) // 2]
        cells: list[Cell] = []
        for seg in row:
            if cells and seg.x0 - cells[-1].x1 < gap_factor * height:
                last = cells[-1]
                joiner = (
                    "" if seg.x0 - last.x1 < 0.08 * height and _glued(last.text, seg.text) else " "
                )
                cells[-1] = Cell(
                    last.x0,
                    max(last.x1, seg.x1),
                    last.text + joiner + seg.text,
                    min(last.y0, seg.y0),
                    max(last.y1, seg.y1),
                    [*last.words, Word(seg.x0, seg.y0, seg.x1, seg.y1, seg.text)],
                )
            else:
                word = Word(seg.x0, seg.y0, seg.x1, seg.y1, seg.text)
                cells.append(Cell(seg.x0, seg.x1, seg.text, seg.y0, seg.y1, [word]))
        score = min(s.score for s in row)
        y = sum(s.y0 for s in row) / len(row)
        lines.append(Line(page, len(lines), y, height, cells, score))
    return lines


def _x_overlap(a: Segment, b: Segment) -> bool:
    """True when two boxes share more than a third of the narrower one's width."""
    shared = min(a.x1, b.x1) - max(a.x0, b.x0)
    return shared > 0.33 * min(a.x1 - a.x0, b.x1 - b.x0)


def _glued(left: str, right: str) -> bool:
    """True when two touching runs are parts of one word (no space was printed between them)."""
    return bool(left) and bool(right) and not left.endswith(" ") and not right.startswith(" ")


def lines_from_text(text: str, page: int) -> list[Line]:
    """Lines from plain layout text, where runs of spaces mark columns (positions by character)."""
    out = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        cells = [
            Cell(float(m.start()), float(m.end()), m.group())
            for m in re.finditer(r"\S+(?: \S+)*", raw)
        ]
        out.append(Line(page, len(out), float(len(out)), 1.0, cells))
    return out
