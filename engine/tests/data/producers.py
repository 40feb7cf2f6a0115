"""The same invoices and receipts made by several real PDF producers, plus scans of them.

Documents are HTML/CSS templates (engine/tests/data/templates). Headless Chromium, wkhtmltopdf and
WeasyPrint print the HTML; Ghostscript re-distils Chromium's PDF; reportlab and fpdf2 draw the
template's text rows themselves (reportlab glyph by glyph on some rows, with an overprinted
fake-bold title and letter-spaced text, as some billing systems do).

    python engine/tests/data/producers.py OUT_DIR     # writes every document of every producer

``make(producer, name, folder)`` writes one PDF and returns its path; ``words(name)`` are the
words a reader sees on it; ``DOCS[name]`` holds the fields it should give.
"""

from __future__ import annotations

import html as html_mod
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# Fields each document should give (dates as ISO, totals as strings with two decimals).
DOCS: dict[str, dict] = {
    "saas_invoice": {
        "type": "invoice",
        "fields": {
            "invoice_number": "NWC-2026-0417",
            "date": "2026-03-03",
            "total": "1234.56",
            "currency": "USD",
        },
    },
    "rechnung": {
        "type": "invoice",
        "fields": {
            "invoice_number": "RE-2026-00815",
            "date": "2026-02-14",
            "total": "1234.57",
            "currency": "EUR",
        },
    },
    "agency_invoice": {
        "type": "invoice",
        "fields": {
            "invoice_number": "BS/2026/031",
            "date": "2026-01-12",
            "total": None,  # set below from the generated items
            "currency": "GBP",
        },
    },
    "gst_invoice": {
        "type": "invoice",
        "fields": {
            "invoice_number": "ST/25-26/0192",
            "date": "2026-03-05",
            "total": "118000.00",
            "currency": "INR",
        },
    },
    "freight_invoice": {
        "type": "invoice",
        "fields": {
            "invoice_number": "RE-2026-04117",
            "date": "2026-03-09",
            "total": "1499.40",
            "currency": "EUR",
        },
    },
    "reverse_charge_invoice": {
        "type": "invoice",
        "fields": {
            "invoice_number": "8C21D9F4-0012",
            "date": "2026-02-12",
            "total": "1428.00",
            "currency": "EUR",
        },
    },
    "thermal_receipt": {
        "type": "receipt",
        "fields": {"date": "2026-02-14", "total": "21.45", "merchant": "Blue Bottle Market"},
    },
    "web_receipt": {
        "type": "receipt",
        "fields": {
            "date": "2026-03-07",
            "total": "12.85",
            "currency": "USD",
            "merchant": "Greenleaf Cafe",
        },
    },
}

_TASKS = (
    "Discovery workshop",
    "Brand strategy",
    "Logo refinements",
    "Website wireframes",
    "Homepage design",
    "Product page design",
    "Illustration set",
    "Copywriting review",
    "Front-end build",
    "Accessibility audit",
)


def _agency_items() -> list[tuple[str, int, Decimal, Decimal]]:
    """Forty line items (two pages) with hours, rate and amount."""
    rng = random.Random(31)
    items = []
    for i in range(40):
        hours = rng.randint(2, 16)
        rate = Decimal(rng.choice((65, 75, 85, 95)))
        items.append((f"{_TASKS[i % len(_TASKS)]}, week {i // 10 + 1}", hours, rate, hours * rate))
    return items


def _gbp(v: Decimal) -> str:
    """Pounds with thousands commas."""
    return f"£{v:,.2f}"


def _agency_totals() -> tuple[Decimal, Decimal, Decimal]:
    """Subtotal, VAT at 20 % and total of the agency invoice."""
    sub = sum(a for *_, a in _agency_items())
    vat = (sub * Decimal("0.20")).quantize(Decimal("0.01"))
    return sub, vat, sub + vat


DOCS["agency_invoice"]["fields"]["total"] = f"{_agency_totals()[2]:.2f}"


def html(name: str) -> str:
    """The HTML of a document."""
    text = (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")
    if name == "agency_invoice":
        rows = "\n".join(
            f'  <tr><td>{d}</td><td class="r">{h}</td><td class="r">{_gbp(r)}</td>'
            f'<td class="r">{_gbp(a)}</td></tr>'
            for d, h, r, a in _agency_items()
        )
        sub, vat, total = _agency_totals()
        text = Template(text).substitute(
            rows=rows, subtotal=_gbp(sub), vat=_gbp(vat), total=_gbp(total)
        )
    return text


class _Rows(HTMLParser):
    """Visible text of HTML as rows: a table row's cells, or one block's text."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "li", "tr", "table", "body", "small"}

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.buf: list[str] = []
        self.cells: list[str] | None = None
        self.skip = 0

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf = []
        if not text:
            return
        if self.cells is not None:
            self.cells.append(text)
        else:
            self.rows.append([text])

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "head"):
            self.skip += 1
        elif tag == "tr":
            self._flush()
            self.cells = []
        elif tag in ("td", "th"):
            self._flush()
        elif tag == "br" or tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("style", "title", "head"):
            self.skip -= 1
        elif tag in ("td", "th"):
            self._flush()
        elif tag == "tr":
            self._flush()
            if self.cells:
                self.rows.append(self.cells)
            self.cells = None
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)


def rows(name: str) -> list[list[str]]:
    """The document's text rows (cells of a table row, or a block's text)."""
    parser = _Rows()
    parser.feed(html(name))
    parser.close()
    return [[html_mod.unescape(c) for c in row] for row in parser.rows]


def tokens(text: str) -> list[str]:
    """Words of a text, lowercased (letters and digits; signs and punctuation dropped)."""
    return [w.lower() for w in re.findall(r"\w+", text)]


def words(name: str) -> list[str]:
    """The words a reader sees on the document."""
    return tokens("\n".join(" ".join(r) for r in rows(name)))


def recall(expected: list[str], text: str) -> float:
    """Share of the expected words (counted with repeats) found in text."""
    want = Counter(expected)
    got = Counter(tokens(text))
    return sum((want & got).values()) / max(sum(want.values()), 1)


LETTER_SPACED = re.compile(r"(?<!\w)(?:[A-Za-z] ){3,}[A-Za-z](?!\w)")

# ----------------------------------------------------------------------------- producers

PRODUCERS = ("chromium", "wkhtmltopdf", "weasyprint", "ghostscript", "reportlab", "fpdf2")


def available(producer: str) -> bool:
    """Whether the producer can run here."""
    if producer == "chromium":
        return shutil.which("chromium") is not None
    if producer == "wkhtmltopdf":
        return shutil.which("wkhtmltopdf") is not None
    if producer == "ghostscript":
        return shutil.which("gs") is not None and available("chromium")
    module = {"weasyprint": "weasyprint", "reportlab": "reportlab", "fpdf2": "fpdf"}[producer]
    try:
        __import__(module)
    except (ImportError, OSError):  # WeasyPrint raises OSError when pango is missing
        return False
    return True


def make(producer: str, name: str, folder: Path) -> Path:
    """Write document name as made by producer into folder (reused when already there)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.{producer}.pdf"
    if out.exists():
        return out
    src = folder / f"{name}.html"
    if not src.exists():
        src.write_text(html(name), encoding="utf-8")
    tmp = out.with_suffix(".part")
    if producer == "chromium":
        _run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={folder / '.chromium'}",
                f"--print-to-pdf={tmp}",
                src.as_uri(),
            ]
        )
    elif producer == "wkhtmltopdf":
        _run(["wkhtmltopdf", "--quiet", "--enable-local-file-access", str(src), str(tmp)])
    elif producer == "weasyprint":
        from weasyprint import HTML

        HTML(filename=str(src)).write_pdf(str(tmp))
    elif producer == "ghostscript":
        base = make("chromium", name, folder)
        _run(
            [
                "gs",
                "-q",
                "-dNOPAUSE",
                "-dBATCH",
                "-dSAFER",
                "-sDEVICE=pdfwrite",
                f"-sOutputFile={tmp}",
                str(base),
            ]
        )
    elif producer == "reportlab":
        _reportlab(name, tmp)
    elif producer == "fpdf2":
        _fpdf2(name, tmp)
    else:
        raise ValueError(producer)
    tmp.rename(out)
    return out


def _run(cmd: list[str]) -> None:
    """Run a producer's command; its output only matters when it fails."""
    proc = subprocess.run(cmd, capture_output=True, timeout=180, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.decode(errors='replace')[-800:]}")


def _page_size(name: str) -> tuple[float, float]:
    """Page size in points: A4, or a till roll for receipts."""
    if DOCS[name]["type"] == "receipt":
        return 80 * 2.8346, 170 * 2.8346
    return 595.28, 841.89


def _reportlab(name: str, out: Path) -> None:
    """Rows drawn with reportlab: some glyph by glyph, a fake-bold title, a letter-spaced row."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
    width, height = _page_size(name)
    receipt = DOCS[name]["type"] == "receipt"
    margin = 12 if receipt else 40
    size = 7.5 if receipt else 9.5
    c = canvas.Canvas(str(out), pagesize=(width, height))
    y = height - margin - size

    def glyphs(x: float, y: float, text: str) -> None:
        # Every character placed on its own, spaces not drawn (as some billing systems do).
        for ch in text:
            if ch != " ":
                c.drawString(x, y, ch)
            x += pdfmetrics.stringWidth(ch, "DejaVu", size)

    for i, row in enumerate(rows(name)):
        c.setFont("DejaVu", size)
        if y < margin + size:
            c.showPage()
            c.setFont("DejaVu", size)
            y = height - margin - size
        if len(row) == 1:
            for part in simpleSplit(row[0], "DejaVu", size, width - 2 * margin):
                if i == 0:
                    # Fake bold: the same text drawn twice a hair apart.
                    c.drawString(margin, y, part)
                    c.drawString(margin + 0.4, y, part)
                elif i % 4 == 1:
                    t = c.beginText(margin, y)
                    t.setFont("DejaVu", size)
                    t.setCharSpace(1.2)
                    t.textOut(part)
                    c.drawText(t)
                elif i % 4 == 2:
                    glyphs(margin, y, part)
                else:
                    c.drawString(margin, y, part)
                y -= size * 1.45
        else:
            first, rest = row[0], row[1:]
            share = 0.35 if receipt else min(0.75, 0.12 * len(rest) + 0.2)
            col_w = (width - 2 * margin) * share / len(rest)
            first_w = (width - 2 * margin) * (1 - share) - 8
            draw = glyphs if i % 3 == 0 else (lambda x, y, s: c.drawString(x, y, s))
            for k, cell in enumerate(rest):
                right = width - margin - (len(rest) - 1 - k) * col_w
                x = right - pdfmetrics.stringWidth(cell, "DejaVu", size)
                draw(x, y, cell)
            for part in simpleSplit(first, "DejaVu", size, first_w):
                draw(margin, y, part)
                y -= size * 1.45
            y -= size * 0.3
    c.save()


def _fpdf2(name: str, out: Path) -> None:
    """Rows written with fpdf2 cells and a justified paragraph for long text."""
    from fpdf import FPDF

    w_pt, h_pt = _page_size(name)
    receipt = DOCS[name]["type"] == "receipt"
    pdf = FPDF(unit="pt", format=(w_pt, h_pt))
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    margin = 12 if receipt else 40
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin)
    pdf.add_page()
    size = 7.5 if receipt else 9.5
    usable = w_pt - 2 * margin
    for i, row in enumerate(rows(name)):
        pdf.set_font("DejaVu", "B" if i == 0 else "", size + (4 if i == 0 else 0))
        if len(row) == 1:
            if len(row[0]) > 80:
                pdf.multi_cell(usable, size * 1.4, row[0], align="J")
            else:
                pdf.cell(usable, size * 1.5, row[0], new_x="LMARGIN", new_y="NEXT")
            continue
        if len(row) > 4:
            pdf.set_font("DejaVu", "", size - 1.5)
        first_w = usable * (0.65 if receipt else 0.45 if len(row) <= 4 else 0.3)
        rest_w = (usable - first_w) / (len(row) - 1)
        pdf.cell(first_w, size * 1.6, row[0][:60])
        for cell in row[1:]:
            pdf.cell(rest_w, size * 1.6, cell, align="R")
        pdf.ln(size * 1.6)
    pdf.output(str(out))


# ----------------------------------------------------------------------------- scans


def render(pdf_path: Path, dpi: int = 300, page: int = 0):
    """A page rendered to a PIL image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return pdf[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        pdf.close()


def scanned(img, seed: int = 5, *, photo: bool = False):
    """A page image made to look scanned (grey paper, speckle, a slight tilt) or photographed
    (stronger tilt, uneven light, blur)."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    angle = (2.5 if photo else 0.8) * (1 if seed % 2 else -1)
    img = img.convert("L").rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235
    )
    arr = np.asarray(img, dtype=np.float32)
    arr = arr * 0.92 + 12 + rng.normal(0, 9 if photo else 6, arr.shape)
    if photo:
        ramp = np.linspace(0.85, 1.05, arr.shape[1], dtype=np.float32)
        arr = arr * ramp[None, :]
    out = Image.fromarray(np.clip(arr, 0, 255).astype("uint8"))
    if photo:
        out = out.filter(ImageFilter.GaussianBlur(0.8))
    return out.convert("RGB")


def image_pdf(img, out: Path, dpi: int = 300) -> Path:
    """An image-only PDF of one page (no text layer)."""
    img.save(str(out), format="PDF", resolution=float(dpi))
    return out


def main() -> None:
    """Write every document of every available producer into the folder given."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "producers-out")
    for producer in PRODUCERS:
        if not available(producer):
            print(f"{producer}: not available")
            continue
        for name in DOCS:
            print(make(producer, name, folder))


if __name__ == "__main__":
    main()
