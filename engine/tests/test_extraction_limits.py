"""Decoding stays within pixel caps: huge pages render small, huge images are refused unread."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from engine import ExtractionError, SourceDocument
from engine import text as text_mod

ROOT = Path(__file__).resolve().parents[2]


def _huge_mediabox_pdf(path: Path) -> None:
    """A one-page PDF of 14400 x 14400 points (5 x 5 metres) with a little drawing, no text."""
    content = b"0.5 g 100 100 2000 2000 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))


def _peak_rss_mb(code: str) -> dict:
    """Run code in a fresh interpreter; it prints JSON, to which the peak RSS growth is added."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        sys.path.insert(0, {root!r})
        from engine import ExtractionError, SourceDocument
        from engine import text as text_mod
        from PIL import Image
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = {{}}
        """
    ).format(root=str(ROOT))
    script += textwrap.dedent(code)
    script += (
        "\nout['rss_mb'] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024"
        "\nprint(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_render_scale_keeps_pages_within_the_pixel_cap():
    # A4 at 150 dpi is rendered as asked.
    assert text_mod.render_scale(595, 842, 150, 10_000) == pytest.approx(150 / 72)
    # A 5 x 5 metre page at 150 dpi would be 30000 x 30000 pixels: capped.
    scale = text_mod.render_scale(14400, 14400, 150, 100_000)
    assert (14400 * scale) ** 2 <= text_mod.RENDER_MAX_PIXELS * 1.001
    # ...and never beyond the longest side the reader works at.
    assert 14400 * text_mod.render_scale(14400, 14400, 150, 2000) <= 2000.5


def test_huge_mediabox_page_is_read_with_bounded_memory(tmp_path):
    path = tmp_path / "huge.pdf"
    _huge_mediabox_pdf(path)
    out = _peak_rss_mb(
        f"""
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument({str(path)!r})
        image = text_mod.render_page(pdf[0], 150, 100_000)
        out['size'] = list(image.size)
        del image
        read = text_mod.load_document(SourceDocument({str(path)!r}, "application/pdf"))
        out['ocr_pages'] = read.ocr_pages
        """
    )
    width, height = out["size"]
    assert width * height <= text_mod.RENDER_MAX_PIXELS * 1.001
    assert out["ocr_pages"] == 1
    # Rendered uncapped the page would take 3.6 GB; the OCR models themselves take ~300 MB.
    assert out["rss_mb"] < 900, out


def test_huge_png_is_refused_before_decoding(tmp_path):
    path = tmp_path / "huge.png"
    # 13000 x 13000 pixels: 500 MB decoded as RGB, a few hundred kB on disk.
    Image.new("1", (13000, 13000), 1).save(path, optimize=True)
    assert path.stat().st_size < 2_000_000
    out = _peak_rss_mb(
        f"""
        try:
            text_mod.load_document(SourceDocument({str(path)!r}, "image/png"))
        except ExtractionError as exc:
            out['code'] = exc.code
            out['message'] = exc.message
        """
    )
    assert out["code"] == "too_complex"
    assert "13000x13000" in out["message"]
    assert out["rss_mb"] < 150, out


def test_large_images_are_decoded_reduced(tmp_path):
    jpeg = tmp_path / "big.jpg"
    png = tmp_path / "big.png"
    Image.new("RGB", (8000, 6000), "white").save(jpeg, quality=70)
    Image.new("RGB", (8000, 6000), "white").save(png)
    for path in (jpeg, png):
        image = text_mod.open_image(str(path), 2000)
        assert max(image.size) <= 4000, (path.name, image.size)
    with pytest.raises(ExtractionError) as err:
        text_mod.load_document(SourceDocument(str(tmp_path / "none.png"), "image/png"))
    assert err.value.code == "extraction_failed"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds no pixels: readers must refuse it unread."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [11_000, 40_000])
def test_declared_size_decides_before_any_pixel(tmp_path, side):
    path = tmp_path / "declared.png"
    path.write_bytes(_png_header(side, side))
    with pytest.raises(ExtractionError) as err:
        text_mod.load_document(SourceDocument(str(path), "image/png"))
    assert err.value.code == "too_complex"
