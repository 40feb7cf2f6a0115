"""OCR: a photographed receipt and a scanned invoice page (models from the installed wheel)."""

import io
import time
from decimal import Decimal

import pytest

pytest.importorskip("rapidocr")


def test_receipt_photo(gen, rng, write_doc, local):
    data, labels = gen.make_receipt(rng, 2, gen.LOCALES[0])
    photo = gen.photograph(gen.render(data, 230), rng)
    buf = io.BytesIO()
    photo.save(buf, format="JPEG", quality=80)
    doc = write_doc("receipt.jpg", buf.getvalue(), "image/jpeg")
    local.warm_up()
    started = time.perf_counter()
    result = local.extract(doc, "Extract the receipt number, date, total, merchant and line items")
    elapsed = time.perf_counter() - started
    exp = labels["fields"]
    assert result["data"]["receipt_number"] == exp["receipt_number"]
    assert result["data"]["date"] == exp["date"]
    assert Decimal(str(result["data"]["total"])) == Decimal(exp["total"])
    assert result["data"]["merchant"] == exp["vendor"]
    assert [Decimal(str(i["amount"])) for i in result["line_items"]] == [
        Decimal(i["amount"]) for i in labels["line_items"]
    ]
    assert result["fields"]["total"]["page"] == 1
    assert local.classify(doc)[0] == "receipt"
    # Generous bound: the figure that matters is printed by bench/extraction_accuracy.py.
    assert elapsed < 30


def test_scanned_invoice_page(gen, rng, write_doc, local):
    data, labels = gen.make_invoice(rng, 0, gen.LOCALES[2])
    scan = gen.scan(gen.render(data, 150), rng)
    from fpdf import FPDF

    buf = io.BytesIO()
    scan.save(buf, format="JPEG", quality=80)
    buf.seek(0)
    pdf = FPDF(format=(210, 297))
    pdf.add_page()
    pdf.image(buf, x=0, y=0, w=210, h=297)
    # A text stamp over the scan must not pass for the page's text layer.
    pdf.set_font("helvetica", "", 8)
    pdf.set_xy(10, 287)
    pdf.cell(0, 5, "Scanned with a phone scanner app")
    doc = write_doc("scan.pdf", bytes(pdf.output()))
    from engine import document_text

    assert document_text(doc)[0].strip()  # text came from OCR: the PDF has no text layer
    result = local.extract(doc, "Extract the invoice number, date, total and currency")
    exp = labels["fields"]
    assert result["data"]["invoice_number"] == exp["invoice_number"]
    assert result["data"]["date"] == exp["date"]
    assert Decimal(str(result["data"]["total"])) == Decimal(exp["total"])
    assert result["data"]["currency"] == exp["currency"]
    assert result["document_type"] == "invoice"


def _counting_recognizer(monkeypatch):
    """Count the text boxes the engine reads (every call of its recogniser)."""
    from engine import ocr

    engine = ocr.get_engine()
    read: list[int] = []
    original = engine.recognize_txt

    def counting(crops):
        read.append(len(crops))
        return original(crops)

    monkeypatch.setattr(engine, "recognize_txt", counting)
    return read


def test_receipt_on_its_side_is_read_once_turned(gen, rng, write_doc, local, monkeypatch):
    from PIL import Image

    data, labels = gen.make_receipt(rng, 1, gen.LOCALES[2])
    # Turned a quarter clockwise: a quarter turn back makes it upright.
    page = gen.render(data, 300).rotate(270, expand=True, fillcolor="white")
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=85)
    doc = write_doc("sideways.jpg", buf.getvalue(), "image/jpeg")
    assert Image.open(doc.path).width > Image.open(doc.path).height
    from engine import ocr

    monkeypatch.setattr(ocr, "OCR_THREADS", 1)
    read = _counting_recognizer(monkeypatch)
    result = local.extract(doc, "Extract the date and total")
    assert result["data"]["date"] == labels["fields"]["date"]
    assert Decimal(str(result["data"]["total"])) == Decimal(labels["fields"]["total"])
    # Detection alone tells the text runs sideways: nothing is read until the page is turned,
    # and the first turn reads well enough to stop there.
    assert len(read) == 1
    segments, sideways = ocr.ocr_segments(ocr.prepare_image(page), check_sideways=True)
    assert sideways and segments == []


def test_text_boxes_read_are_capped(gen, rng, monkeypatch):
    from engine import ocr

    data, _ = gen.make_invoice(rng, 0, gen.LOCALES[0])
    image = gen.render(data, 150)
    read = _counting_recognizer(monkeypatch)
    monkeypatch.setattr(ocr, "MAX_BOXES", 6)
    segments, _ = ocr.ocr_segments(ocr.prepare_image(image))
    assert sum(read) == 6 and 0 < len(segments) <= 6


def test_forked_process_reads_after_its_parent_did():
    """A worker forked from a process that already ran OCR reads pages too (the recognition
    threads of the parent do not survive the fork)."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(root)!r})
        from PIL import Image, ImageDraw
        from engine import ocr
        img = Image.new("RGB", (1200, 900), "white")
        draw = ImageDraw.Draw(img)
        for i in range(12):
            draw.text((40, 40 + 60 * i), f"Line number {{i}} total 12.50", fill="black",
                      font_size=36)
        print("parent", len(ocr.ocr_image(img, 1)[0]), flush=True)
        pid = os.fork()
        if pid == 0:
            print("child", len(ocr.ocr_image(img, 1)[0]), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert "parent 12" in proc.stdout and "child 12" in proc.stdout, proc.stdout + proc.stderr
