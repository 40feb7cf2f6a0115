"""Page images of stored documents, for the review screen: rendered by PDFium, kept in storage.

`GET /api/v1/documents/<id>/pages/<n>.png?width=W` answers page n as a PNG W pixels wide (1000 by
default, 2000 at most). PDF pages are rendered by PDFium as shown (rotation applied); images are
scaled as they are. The usual widths (`CACHED_WIDTHS`) are kept in the document's storage next to
its file, under keys derived from its own (`<file key stem>-page-<n>-<width>.png`), so a second
look costs one read; they are removed with the document (`remove_all`).
"""

from __future__ import annotations

import io
import os

from app.storage import get_storage

DEFAULT_WIDTH = 1000
MAX_WIDTH = 2000
MIN_WIDTH = 100
CACHED_WIDTHS = frozenset({250, 500, 1000, 1500, 2000})
# A page is rendered within this many pixels whatever its shape (a very tall page gets narrower).
MAX_PIXELS = 2000 * 2000 * 3


class PageMissing(Exception):
    """The document has no such page (or its file is gone)."""


def _prefix(storage_key: str) -> str:
    return os.path.splitext(storage_key)[0] + "-page-"


def cache_key(storage_key: str, page: int, width: int) -> str:
    """The storage key of a cached page image."""
    return f"{_prefix(storage_key)}{page}-{width}.png"


def checked_width(raw) -> int:
    """The width to render: 1000 when absent; ValueError unless a whole number in bounds."""
    if raw in (None, ""):
        return DEFAULT_WIDTH
    width = int(raw)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(width)
    return width


def _render(path: str, mime_type: str, page: int, width: int) -> bytes:
    from PIL import Image

    if mime_type == "application/pdf":
        import pypdfium2 as pdfium

        from engine.base import PDFIUM_LOCK

        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(path)
            try:
                if page < 1 or page > len(pdf):
                    raise PageMissing(page)
                pdf_page = pdf[page - 1]
                w_pt, h_pt = pdf_page.get_size()
                scale = width / max(w_pt, 1)
                if w_pt * h_pt * scale * scale > MAX_PIXELS:
                    scale = (MAX_PIXELS / max(w_pt * h_pt, 1)) ** 0.5
                image = pdf_page.render(scale=scale, may_draw_forms=True).to_pil()
            finally:
                pdf.close()
    else:
        if page != 1:
            raise PageMissing(page)
        from engine import ExtractionError
        from engine.text import open_image

        try:
            image = open_image(path, 2 * MAX_WIDTH)
        except ExtractionError:
            raise PageMissing(page) from None
        height = max(1, round(image.height * width / max(image.width, 1)))
        if width * height > MAX_PIXELS:
            height = max(1, MAX_PIXELS // width)
        image = image.convert("RGB").resize((width, height), Image.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=False)
    return out.getvalue()


def page_png(storage_key: str, mime_type: str, page_count: int, page: int, width: int) -> bytes:
    """PNG bytes of one page at one width, from the cache when it is there."""
    if page < 1 or page > max(page_count, 1):
        raise PageMissing(page)
    storage = get_storage()
    key = cache_key(storage_key, page, width)
    if width in CACHED_WIDTHS:
        try:
            with storage.open(key) as fh:
                return fh.read()
        except FileNotFoundError:
            pass
    try:
        with storage.local_path(storage_key) as path:
            data = _render(path, mime_type, page, width)
    except FileNotFoundError:
        raise PageMissing(page) from None
    if width in CACHED_WIDTHS:
        storage.save(io.BytesIO(data), "image/png", key=key)
    return data


def remove_all(storage_key: str) -> int:
    """Remove the cached page images of a document's file."""
    return get_storage().delete_prefix(_prefix(storage_key))
