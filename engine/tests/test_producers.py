"""The same invoices and receipts made by real PDF producers read as the words a person sees.

Documents come from engine/tests/data/producers.py (HTML/CSS templates printed by headless Chromium,
wkhtmltopdf and WeasyPrint, Chromium's PDF re-distilled by Ghostscript, and the templates' text
drawn by reportlab and fpdf2). Chromium and wkhtmltopdf place every glyph on its own; reportlab
draws some rows glyph by glyph, letter-spaced or overprinted.
"""

from __future__ import annotations

import importlib.util
import io
import string
import sys
from collections import Counter
from pathlib import Path

import pytest

from engine import SourceDocument
from engine.text import _cache, load_document


def _producers():
    """engine/tests/data/producers.py (engine/tests/data is not a package)."""
    path = Path(__file__).resolve().parent / "data" / "producers.py"
    spec = importlib.util.spec_from_file_location("ingestio_producers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


P = _producers()

PROMPTS = {
    "invoice": "Extract the invoice number, date, total and currency",
    "receipt": "Extract the date, total, currency and merchant",
}
# Fields the text alone decides; the merchant of a receipt without a printed shop name (only a
# web address and a thank-you line) is left to the party rules.
BASIC = ("invoice_number", "date", "total", "currency")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Folder the producers write into, shared by the whole session."""
    return tmp_path_factory.mktemp("producers")


def _pdf(corpus, producer: str, name: str) -> SourceDocument:
    if not P.available(producer):
        pytest.skip(f"{producer} is not installed here")
    path = P.make(producer, name, corpus)
    return SourceDocument(str(path), "application/pdf", path.name)


CASES = [(p, n) for p in P.PRODUCERS for n in P.DOCS]


@pytest.mark.parametrize(("producer", "name"), CASES)
def test_page_text_keeps_the_words(corpus, producer, name):
    doc = _pdf(corpus, producer, name)
    text = load_document(doc, ocr=False).text
    assert P.recall(P.words(name), text) >= 0.98, text
    assert not P.LETTER_SPACED.search(text), P.LETTER_SPACED.findall(text)


@pytest.mark.parametrize(("producer", "name"), CASES)
def test_fields_from_every_producer(corpus, local, checker, producer, name):
    doc = _pdf(corpus, producer, name)
    spec = P.DOCS[name]
    data = local.extract(doc, PROMPTS[spec["type"]])["data"]
    for key, want in spec["fields"].items():
        if key not in BASIC:
            continue
        got = checker.find_field(data, key.replace("_", ""), key.split("_")[-1])
        if key == "total":
            assert checker.norm_amount(got) == checker.norm_amount(want), (key, data)
        else:
            assert checker.norm_text(got) == checker.norm_text(want), (key, data)


def test_word_boxes_in_page_points(corpus):
    doc = _pdf(corpus, "chromium", "saas_invoice")
    page = load_document(doc, ocr=False).pages[0]
    cells = {c.text: (line, c) for line in page.lines for c in line.cells}
    line, number = cells["NWC-2026-0417"]
    label = next(c for c in line.cells if c.text == "Invoice number")
    # Label and value are separate cells of one line, the value to the right.
    assert label.x1 < number.x0
    [word] = number.words
    assert 0 < word.x0 < word.x1 < page.width and 0 < word.y0 < word.y1 < page.height
    assert (number.x0, number.y0, number.x1, number.y1) == (word.x0, word.y0, word.x1, word.y1)
    # The title sits above the label, in points from the top of an A4 page.
    title = cells["Invoice"][1]
    assert title.y1 <= label.y0 + 1 and 20 < title.y0 < 120
    assert [w.text for w in cells["Invoice number"][1].words] == ["Invoice", "number"]


def _quirks_pdf() -> bytes:
    """Glyph-by-glyph overprinted fake bold, ligatures and a label turned on its side."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(P.FONT_DIR / "DejaVuSans.ttf")))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont("DejaVu", 11)

    def glyphs(x: float, y: float, text: str, bold: bool) -> None:
        for ch in text:
            if ch != " ":
                c.drawString(x, y, ch)
                if bold:
                    c.drawString(x + 0.5, y, ch)
            x += pdfmetrics.stringWidth(ch, "DejaVu", 11)

    glyphs(50, 800, "Total Paid", True)
    glyphs(300, 800, "$1,234.56", False)
    c.drawString(50, 760, "The \ufb01nal of\ufb01ce \ufb02oor")
    t = c.beginText(50, 730)
    t.setFont("DejaVu", 11)
    t.setCharSpace(2.5)
    t.textOut("SPACED HEADING")
    c.drawText(t)
    c.saveState()
    c.translate(30, 500)
    c.rotate(90)
    c.drawString(0, 0, "CONFIDENTIAL COPY")
    c.restoreState()
    c.save()
    return buf.getvalue()


def test_glyph_placement_fake_bold_ligatures_and_rotation(write_doc):
    page = load_document(write_doc("quirks.pdf", _quirks_pdf()), ocr=False).pages[0]
    lines = [line.text for line in page.lines]
    assert lines[0] == "Total Paid   $1,234.56"
    assert "The final office floor" in lines
    assert "SPACED HEADING" in lines
    assert lines[-1] == "CONFIDENTIAL COPY"


def _no_unicode_map_pdf() -> bytes:
    """An invoice whose embedded font has no ToUnicode map: PDFium reads control codes."""
    import pikepdf
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(P.FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", size=14)
    for text in ("INVOICE", "Invoice number INV-7731", "Date 2026-04-09", "Total due 1,234.56 EUR"):
        pdf.cell(0, 12, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    for i in range(8):
        pdf.cell(0, 8, f"Consulting services, week {i + 1}", new_x="LMARGIN", new_y="NEXT")
    src = pikepdf.open(io.BytesIO(bytes(pdf.output())))
    for obj in src.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/ToUnicode" in obj:
            del obj["/ToUnicode"]
    out = io.BytesIO()
    src.save(out)
    return out.getvalue()


def test_text_layer_without_unicode_map_goes_to_ocr(write_doc, local):
    doc = write_doc("nomap.pdf", _no_unicode_map_pdf())
    # Without OCR the noise is not passed on as text.
    assert load_document(doc, ocr=False).pages[0].lines == []
    _cache.clear()
    read = load_document(doc)
    assert read.ocr_pages == 1 and read.pages[0].source == "ocr"
    assert "INV-7731" in read.text
    assert local.extract(doc, "Extract the total")["data"]["total"] == 1234.56


def test_scanned_invoice_from_a_producer(corpus, tmp_path, local, checker):
    """A 300 dpi scan of a Chromium invoice, as PNG and as an image-only PDF."""
    src = _pdf(corpus, "chromium", "rechnung")
    image = P.scanned(P.render(src.path, 300), seed=3)
    png = tmp_path / "rechnung-scan.png"
    image.save(png)
    pdf = P.image_pdf(image, tmp_path / "rechnung-scan.pdf")
    for doc in (
        SourceDocument(str(png), "image/png", png.name),
        SourceDocument(str(pdf), "application/pdf", pdf.name),
    ):
        data = local.extract(doc, PROMPTS["invoice"])["data"]
        assert checker.norm_amount(data["total"]) == 1234.57, data
        assert data["date"] == "2026-02-14", data
        assert checker.norm_text(data["invoice_number"]) == "re202600815", data
    # OCR text keeps boxes too, in points on the PDF page.
    page = load_document(SourceDocument(str(pdf), "application/pdf", pdf.name)).pages[0]
    cell = next(c for line in page.lines for c in line.cells if "1.234,57" in c.text)
    assert 0 < cell.x0 < cell.x1 < page.width and 0 < cell.y0 < cell.y1 < page.height
    assert cell.words and page.height * 0.3 < cell.y0 < page.height * 0.8


def test_noise_and_private_use_layers_are_unreadable():
    from engine.layout import Cell, Line
    from engine.pdfwords import PageChars
    from engine.text import readable

    def page(*texts: str, **counts) -> PageChars:
        lines = [Line(1, i, 10.0 * i, 8.0, [Cell(0.0, 100.0, t)]) for i, t in enumerate(texts)]
        drawn = sum(len(t.replace(" ", "")) for t in texts) + counts.get("junk", 0)
        return PageChars(lines, drawn=drawn, **counts)

    assert readable(page("Invoice number INV-7731", "Total due 1,234.56 EUR", "Thank you"))
    # Codes of a font without a Unicode map read as punctuation.
    assert not readable(page("!\"#$ %&'( )*+, -./! \"#$% &'()", "*+,- ./!\" #$%& '()*"))
    # Mostly private-use glyphs (dropped from the text, counted as junk).
    assert not readable(page("Total 12.00", junk=40))
    # A few icon glyphs beside real text are fine.
    assert readable(page("Invoice number INV-7731", "Total due 1,234.56 EUR", junk=2))


def _type3_pdf(lines: list[str]) -> bytes:
    """A page in a Type 3 font without a ToUnicode map whose glyph names say nothing ('g0',
    'g1', ...) but whose codes are ASCII: PDFium flags every glyph as unmapped, yet reads it."""

    letters = string.ascii_lowercase + string.digits
    glyph_names = {c: f"g{i}" for i, c in enumerate(letters)}
    procs = {}
    for c in letters:
        procs[glyph_names[c]] = b"600 0 0 0 500 700 d1 50 0 400 700 re f"
    procs["space"] = b"300 0 d0"
    objs = []

    def add(b):
        objs.append(b)
        return len(objs)

    proc_ids = {
        n: add(b"<< /Length %d >>\nstream\n" % len(p) + p + b"\nendstream")
        for n, p in procs.items()
    }
    diffs = b" ".join(
        [b"32 /space"] + [b"%d /%s" % (ord(c), glyph_names[c].encode()) for c in letters]
    )
    charprocs = b" ".join(b"/%s %d 0 R" % (n.encode(), i) for n, i in proc_ids.items())
    widths = b" ".join(
        b"600" if chr(code) in letters else (b"300" if code == 32 else b"0")
        for code in range(32, 123)
    )
    font = add(
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << "
        + charprocs
        + b" >> /Encoding << /Type /Encoding /Differences ["
        + diffs
        + b"] >> /FirstChar 32 /LastChar 122 /Widths ["
        + widths
        + b"] /Resources << >> >>"
    )
    content = (
        b"BT /F1 12 Tf 14 TL 50 750 Td "
        + b" ".join(b"(%s) '" % line.encode() for line in lines)
        + b" ET"
    )
    cid = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    page = add(
        b"<< /Type /Page /Parent PAGES /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>"
        % (cid, font)
    )
    pages = add(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    objs[page - 1] = objs[page - 1].replace(b"PAGES", b"%d 0 R" % pages)
    cat = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    out = bytearray(b"%PDF-1.7\n")
    offs = []
    for i, b in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + b + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(
        b"%010d 00000 n \n" % o for o in offs
    )
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        cat,
        x,
    )
    return bytes(out)


def test_type3_font_without_unicode_map_read_by_its_codes(write_doc):
    lines = ["invoice number inv 7731", "total due 1234 eur", "thank you for your order"]
    read = load_document(write_doc("type3.pdf", _type3_pdf(lines)))
    assert read.ocr_pages == 0 and read.pages[0].source == "text"
    assert [line.text for line in read.pages[0].lines] == lines


def test_boxes_measured_from_the_top_of_the_page(write_doc, simple_pdf):
    """Positions in points from the page's own top-left corner (an A4 page, not a default
    Letter-sized box)."""
    data = simple_pdf(["Invoice number INV-1", "Total 12.00"])
    page = load_document(write_doc("inherit.pdf", data), ocr=False).pages[0]
    first = page.lines[0].cells[0]
    assert first.text == "Invoice number INV-1"
    # Printed 15 mm from the left and 20 mm from the top of an A4 page.
    assert abs(first.x0 - 15 * 72 / 25.4) < 3
    assert 20 * 72 / 25.4 - 4 < first.y0 < first.y1 < 20 * 72 / 25.4 + 20


def test_texts_printed_over_each_other_stay_whole(write_doc):
    """A long date overflowing its box into the next one: each stays readable, in its own cell,
    rather than having their letters interleaved."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont("Helvetica", 10)
    c.drawString(50, 800, "Wednesday, February 18, 2026")
    c.drawString(150, 800, "Saturday, February 28, 2026")
    c.save()
    page = load_document(write_doc("overlap.pdf", buf.getvalue()), ocr=False).pages[0]
    assert [cell.text for cell in page.lines[0].cells] == [
        "Wednesday, February 18, 2026",
        "Saturday, February 28, 2026",
    ]


def test_page_drawn_turned_reads_in_order(write_doc):
    """A landscape table drawn turned a quarter on a portrait page: lines in reading order,
    label and amount in separate cells."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.translate(100, 50)
    c.rotate(90)
    c.setFont("Helvetica", 11)
    for i, (label, amount) in enumerate(
        (("Subtotal", "10.00"), ("Tax", "2.00"), ("Total", "12.00"))
    ):
        c.drawString(0, -20 * i, label)
        c.drawRightString(400, -20 * i, amount)
    c.save()
    page = load_document(write_doc("turned.pdf", buf.getvalue()), ocr=False).pages[0]
    assert [[cell.text for cell in line.cells] for line in page.lines] == [
        ["Subtotal", "10.00"],
        ["Tax", "2.00"],
        ["Total", "12.00"],
    ]


@pytest.mark.parametrize("turn", [90, 180, 270])
@pytest.mark.parametrize("producer", ["chromium", "wkhtmltopdf"])
@pytest.mark.parametrize("name", P.DOCS)
def test_a_page_turned_by_its_rotate_entry_reads_the_same_words(
    corpus, write_doc, producer, name, turn
):
    """A page saved turned (its /Rotate entry, as viewers and scanners save it) has the words of
    the upright page. Turned upside down, PDFium lists each line backwards, a ligature's
    letters forwards, and infers spaces beside ligatures and kerned pairs ("T" over "o"). At
    least 95% of the words are the same; all are on 39 of these 48 pages (a letter-spaced
    heading, a large initial, a wrapped number and columns that touch still differ)."""
    import pypdf

    doc = _pdf(corpus, producer, name)

    def words(source) -> Counter:
        _cache.clear()
        page = load_document(source, ocr=False).pages[0]
        return Counter(w.text for line in page.lines for cell in line.cells for w in cell.words)

    reader = pypdf.PdfReader(doc.path)
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        page.rotate(turn)
        writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    upright = words(doc)
    turned = words(write_doc(f"{name}.turned{turn}.pdf", buf.getvalue()))
    assert sum(upright.values()) > 20
    assert sum((upright & turned).values()) >= 0.95 * sum(upright.values())


def test_parties_deadline_and_a_wrapped_number_as_chromium_prints_them(corpus, local):
    """Chromium's PDFs of two invoices: a number that a narrow box wrapped after its hyphen, the
    addressee of an unlabelled address window, a deadline stated in a payment sentence, a
    customer's VAT number in its 'Bill to' block, which is not the seller's, and an item whose
    description is narrower than its column's centred caption."""
    prompt = (
        "Extract the invoice number, due date, customer, vendor VAT number and customer VAT number"
    )
    freight = local.extract(_pdf(corpus, "chromium", "freight_invoice"), prompt, "invoice")["data"]
    assert freight["invoice_number"] == "RE-2026-04117"
    assert freight["due_date"] == "2026-03-23"
    assert freight["customer"] == "Brandt Elektro OHG"
    assert freight["vendor_vat_number"] == "DE812345678"
    assert freight["customer_vat_number"] is None
    # "Mautzuschlag" is shorter than the centred caption "Bezeichnung" above it.
    items = local.extract(_pdf(corpus, "chromium", "freight_invoice"), "Extract the line items")
    assert [i["description"] for i in items["data"]["line_items"]] == [
        "Stückgutversand Hamburg–Dortmund",
        "Lagergeld Februar",
        "Mautzuschlag",
    ]
    doc = _pdf(corpus, "chromium", "reverse_charge_invoice")
    bill_to = local.extract(doc, prompt, "invoice")["data"]
    assert bill_to["invoice_number"] == "8C21D9F4-0012"
    assert bill_to["due_date"] == "2026-02-26"
    assert bill_to["customer"] == "Orchard & Pine GmbH"
    assert bill_to["vendor_vat_number"] is None
    assert bill_to["customer_vat_number"] == "DE318273645"


CENTRED_CELLS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { font-family: "DejaVu Sans", sans-serif; font-size: 10px; margin: 32px; }
table { width: 100%; border-collapse: collapse; } td, th { padding: 6px; text-align: left; }
.r { text-align: right; } small { color: #777; }
</style></head><body><h1>INVOICE</h1><p>Invoice # INV-000187</p>
<table><tr><th>#</th><th>Item &amp; Description</th><th class="r">Qty</th><th class="r">Rate</th>
<th class="r">Amount</th></tr>
<tr><td>1</td><td>Solar panel 410W<br><small>Monocrystalline, black frame</small></td>
<td class="r">20.00</td><td class="r">325.00</td><td class="r">6,500.00</td></tr>
<tr><td>2</td><td>Inverter SE7600H</td><td class="r">1.00</td><td class="r">1,850.00</td>
<td class="r">1,850.00</td></tr>
<tr><td>3</td><td>Cable kit<br><small>20 m, MC4 connectors</small></td><td class="r">2.00</td>
<td class="r">45.00</td><td class="r">90.00</td></tr></table>
<p class="r">Total $8,440.00</p></body></html>"""


def test_an_item_whose_numbers_are_centred_beside_its_two_lines(corpus, local):
    """Chromium centres a row's numbers beside its two-line description: the line above the
    numbers belongs to that row, the line below too, and neither to a neighbour."""
    if not P.available("chromium"):
        pytest.skip("chromium is not installed here")
    (corpus / "centred_cells.html").write_text(CENTRED_CELLS, encoding="utf-8")
    path = P.make("chromium", "centred_cells", corpus)
    doc = SourceDocument(str(path), "application/pdf", path.name)
    items = local.extract(doc, "Extract the total and line items", "invoice")["data"]["line_items"]
    assert [(i["description"], i["amount"]) for i in items] == [
        ("Solar panel 410W Monocrystalline, black frame", 6500.0),
        ("Inverter SE7600H", 1850.0),
        ("Cable kit 20 m, MC4 connectors", 90.0),
    ]


NARROW_WINDOW = """<html><head><meta charset="utf-8"><style>
body { font-family: 'DejaVu Serif', serif; font-size: 11px; margin: 36px; }
.hdr { display: grid; grid-template-columns: 2fr 1fr; gap: 20px; }
.box { border: 1px solid #333; padding: 8px; }
table { width: 100%; border-collapse: collapse; margin-top: 18px; }
th, td { border: 1px solid #999; padding: 4px; } .r { text-align: right; }
</style></head><body>
<div class="hdr"><div><div style="font-size: 20px; font-weight: bold">NORDWIND LOGISTIK GmbH</div>
Speicherstadt 9 · 20457 Hamburg · Tel. 040 123456<br>
USt-IdNr.: DE 812 345 678 · HRB 123456 Amtsgericht Hamburg</div>
<div class="box"><b>RECHNUNG</b><br>Rechnungsnummer: RE-2026-04117<br>Rechnungsdatum: 09.03.2026
</div></div>
<p style="margin-top: 24px">Firma<br>Brandt Elektro OHG<br>Industriestraße 22<br>44147 Dortmund</p>
<table><tr><th>Pos.</th><th>Artikel-Nr.</th><th>Bezeichnung</th><th>Menge</th><th>Einheit</th>
<th>Einzelpreis €</th><th>Gesamtpreis €</th></tr>
<tr><td>1</td><td>FR-100</td><td>Stückgutversand Hamburg–Dortmund</td><td class="r">14</td>
<td>Pal.</td><td class="r">68,50</td><td class="r">959,00</td></tr>
<tr><td>2</td><td>LG-020</td><td>Lagergeld Februar</td><td class="r">1</td><td>psch.</td>
<td class="r">240,00</td><td class="r">240,00</td></tr></table>
<p class="r"><b>Rechnungsbetrag 1.427,81 €</b></p></body></html>"""


def test_the_address_window_of_a_scan_and_a_photo(corpus, tmp_path, local):
    """An invoice printed by Chromium, scanned at 200 dpi and photographed: OCR boxes are taller
    than the lines are apart, their left edges stray by a few pixels, and the items' caption
    (wrapped "Artikel-Nr.") is not recognised as one; the window's addressee is the customer."""
    if not P.available("chromium"):
        pytest.skip("chromium is not installed here")
    (corpus / "narrow_window.html").write_text(NARROW_WINDOW, encoding="utf-8")
    page = P.render(P.make("chromium", "narrow_window", corpus), 200)
    prompt = "Extract the invoice number, customer and total"
    for photo in (False, True):
        path = tmp_path / f"window-{'photo' if photo else 'scan'}.jpg"
        P.scanned(page, photo=photo).save(path, quality=80)
        doc = SourceDocument(str(path), "image/jpeg", path.name)
        data = local.extract(doc, prompt, "invoice")["data"]
        assert data["customer"] == "Brandt Elektro OHG", data
        assert data["invoice_number"] == "RE-2026-04117", data
