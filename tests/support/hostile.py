"""Small files that take a lot of memory or time to read: a huge page, a huge image, a Flate bomb."""

import io
import zlib

from PIL import Image

from jobs.worker import plain_pdf

__all__ = ["flate_bomb_pdf", "huge_mediabox_pdf", "huge_png", "plain_pdf"]


def _one_page(page: bytes, *more: bytes) -> bytes:
    return plain_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R " + page + b" >>",
            *more,
        ]
    )


def huge_mediabox_pdf() -> bytes:
    """A one-page PDF of a few hundred bytes whose page is 200 inches square."""
    return _one_page(b"/MediaBox [0 0 14400 14400]")


def huge_png(side: int = 13000) -> bytes:
    """A white `side` x `side` PNG: a few hundred KB compressed, side² bytes decoded."""
    out = io.BytesIO()
    Image.new("L", (side, side), 255).save(out, format="PNG", optimize=True)
    return out.getvalue()


def flate_bomb_pdf(megabytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to `megabytes` MB of spaces (about 1/1000).

    Built fast: after a full flush the compressor has no history, so one flushed block of 16 MB
    of spaces compresses to the same bytes every time and is simply repeated.
    """
    chunk = b" " * (16 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks = max(megabytes // 16, 1)
    checksum = zlib.adler32(chunk)
    for _ in range(blocks - 1):
        checksum = zlib.adler32(chunk, checksum)
    # An empty final block, then the Adler-32 of everything inflated.
    data = first + block * (blocks - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return _one_page(b"/MediaBox [0 0 612 792] /Contents 4 0 R", stream)
