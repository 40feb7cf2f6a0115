"""Documents made on the fly for the extraction tests: PDFs with text layers, photos, scans."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from engine import SourceDocument

_DATA = Path(__file__).resolve().parent / "data"


def _load(filename: str, name: str):
    """A module of engine/tests/data (not a package) loaded from its file."""
    spec = importlib.util.spec_from_file_location(name, _DATA / filename)
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen():
    """The generator module: make_invoice, make_receipt, photograph, scan, ..."""
    return _load("make_eval_set.py", "ingestio_make_eval_set")


@pytest.fixture(scope="session")
def hard_gen():
    """The hard-set generator: real-looking invoice layouts, till rolls, degrade, ..."""
    return _load("make_hard_set.py", "ingestio_make_hard_set")


@pytest.fixture(scope="session")
def checker():
    """The outside-in checker's way of reading results: find_field, norm_amount, norm_text."""
    return _load("checker_match.py", "ingestio_checker_match")


@pytest.fixture
def write_doc(tmp_path):
    """Write bytes to a file and wrap it as a SourceDocument."""

    def write(name: str, data: bytes, mime: str = "application/pdf") -> SourceDocument:
        path = tmp_path / name
        path.write_bytes(data)
        return SourceDocument(path=str(path), mime_type=mime, filename=name)

    return write


@pytest.fixture
def rng():
    """A seeded random generator so every run builds the same documents."""
    return random.Random(1234)


@pytest.fixture(scope="session")
def local():
    """The local provider."""
    from engine import get_provider

    return get_provider("local")


@pytest.fixture(scope="session")
def simple_pdf():
    """Builder of one-page PDFs from lines of text ('|' separates columns)."""
    return _simple_pdf


def _simple_pdf(lines: list[str], *, font: str = "helvetica", size: float = 11) -> bytes:
    """A one-page PDF that prints the given lines (runs of 3+ spaces become column gaps)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font(font, "", size)
    y = 20.0
    for line in lines:
        x = 15.0
        for i, part in enumerate(line.split("|")):
            if part:
                pdf.set_xy(x if i == 0 else 15 + i * 45, y)
                pdf.cell(60, 6, part)
        y += 7
    return bytes(pdf.output())


_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture(scope="session")
def billing_pdf():
    """Builder of invoice and receipt PDFs laid out like billing systems print them.

    A line is "text" or "text|text|..." (columns 45 mm apart). A leading "#" prints the line
    as a letterhead (large type), "~" as a small sender line; "^" sets columns 95 mm apart;
    "_" starts the imprint at the foot of the page.
    A width of 120 mm or less makes a till roll with its last column flush right.
    """
    return _billing_pdf


def _billing_pdf(lines: list[str], *, width: float = 210) -> bytes:
    """A one-page PDF printing the lines, in columns, with letterhead and small-print sizes."""
    from fpdf import FPDF

    pdf = FPDF(format=(width, 297))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("dejavu", "", str(_FONT))
    roll = width <= 120
    y = 15.0
    for raw in lines:
        size, line, gap = 8.0 if roll else 10.0, raw, 45.0
        if line.startswith("_") and y < 265:
            y = 265.0  # the imprint at the foot of the page
        if line.startswith("#"):
            size, line = 18.0, line[1:]
        elif line.startswith("~"):
            size, line = 7.0, line[1:]
        line = line.removeprefix("_")
        if line.startswith("^"):
            gap, line = 95.0, line[1:]
        pdf.set_font("dejavu", "", size)
        parts = line.split("|")
        for i, part in enumerate(parts):
            if not part:
                continue
            if roll and i == len(parts) - 1 and i > 0:
                pdf.set_xy(width - 8 - pdf.get_string_width(part), y)
            else:
                # A till roll spreads its first columns over its width, as receipts print them.
                pdf.set_xy(8 + i * (width - 16) / len(parts) if roll else 15 + i * gap, y)
            pdf.cell(pdf.get_string_width(part) + 1, size * 0.5, part)
        y += size * 0.5 + 2.5
    return bytes(pdf.output())
