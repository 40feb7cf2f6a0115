"""Text of a document page by page: the PDF text layer, or OCR for images and scanned pages."""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from config import Config

from .base import PDFIUM_LOCK, ErrorCode, ExtractionError, SourceDocument
from .layout import Page, lines_from_text
from .pdf import MSG_BAD_IMAGE, MSG_DAMAGED, MSG_ENCRYPTED, MSG_NO_PAGES
from .pdfwords import PageChars, read_chars

log = logging.getLogger(__name__)

# A page with fewer printable characters than this in its text layer is treated as scanned.
MIN_TEXT_CHARS = 16
# ...and one with fewer than this over a page-sized image is a scan with a stamp or footer.
SCAN_STAMP_CHARS = 200
# A text layer with more than this share of unmapped, private-use or control characters is
# unreadable and goes to OCR.
UNREADABLE_SHARE = 0.3
# A word-like token: two letters or digits in a row.
_WORDLIKE = re.compile(r"\w\w", re.UNICODE)
# Resolution at which scanned PDF pages are rendered for OCR.
OCR_DPI = int(os.environ.get("EXTRACTION_OCR_DPI", "150"))
# Rendered pages stay within this many pixels, and decoded images within IMAGE_MAX_PIXELS
# (larger ones are refused as too complex before any pixel is decoded).
RENDER_MAX_PIXELS = Config.RENDER_MAX_PIXELS
IMAGE_MAX_PIXELS = Config.IMAGE_MAX_PIXELS
# Scanned pages beyond this count are left without text (OCR costs seconds per page).
OCR_MAX_PAGES = int(os.environ.get("EXTRACTION_OCR_MAX_PAGES", "50"))


@dataclass
class DocumentText:
    """All pages of a document with how many of them went through OCR."""

    pages: list[Page]
    ocr_pages: int = 0

    @property
    def text(self) -> str:
        """Whole document as plain text."""
        return "\n\f\n".join(p.text for p in self.pages)


_cache: OrderedDict[tuple, DocumentText] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 4


def _cache_key(doc: SourceDocument) -> tuple:
    """Identity of a file's current content (path, size, mtime)."""
    st = os.stat(doc.path)
    return (os.path.abspath(doc.path), st.st_size, st.st_mtime_ns, doc.mime_type)


def load_document(doc: SourceDocument, *, ocr: bool = True) -> DocumentText:
    """Pages of a document with lines in reading order; cached for the last few documents.

    Classifying and then extracting the same document reads (and OCRs) it only once.
    """
    if not os.path.isfile(doc.path):
        raise ExtractionError(ErrorCode.EXTRACTION_FAILED, "The document file is missing.")
    key = _cache_key(doc) + (ocr,)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    result = _read_pdf(doc.path, ocr=ocr) if doc.is_pdf else _read_image(doc.path, ocr=ocr)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def document_text(source: SourceDocument) -> list[str]:
    """Text of each page of a document, OCR included."""
    return [page.text for page in load_document(source).pages]


def open_image(path: str, max_side: int) -> Image.Image:
    """Decode an image file with bounded memory, no larger than about max_side.

    The declared size is checked before any pixel is decoded: an image over IMAGE_MAX_PIXELS
    is refused (``too_complex``). A JPEG is decoded at a reduced scale straight away (much faster
    and smaller than decoding it whole); other formats are decoded, then shrunk.
    """
    try:
        with warnings.catch_warnings():
            # The size is checked below against this service's own limit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
        with img:
            width, height = img.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ExtractionError(
                    ErrorCode.TOO_COMPLEX,
                    f"The image is too large to read ({width}x{height} pixels; the limit is "
                    f"{IMAGE_MAX_PIXELS // 1_000_000} megapixels).",
                )
            k = max_side / max(width, height, 1)
            if img.format == "JPEG" and k < 1:
                img.draft("RGB", (int(width * k), int(height * k)))
            img.load()
            image = img.copy()
    except Image.DecompressionBombError as exc:
        raise ExtractionError(
            ErrorCode.TOO_COMPLEX,
            f"The image is too large to read (the limit is "
            f"{IMAGE_MAX_PIXELS // 1_000_000} megapixels).",
        ) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ExtractionError(ErrorCode.EXTRACTION_FAILED, MSG_BAD_IMAGE) from exc
    if max(image.size) > 2 * max_side:
        # Cheap integer reduction first; the OCR preparation does the fine resampling.
        image = image.reduce(max(1, max(image.size) // max_side))
    return image


def _read_image(path: str, *, ocr: bool) -> DocumentText:
    """A single-page document from a JPEG or PNG file."""
    from . import ocr as ocr_mod

    image = open_image(path, ocr_mod.MAX_SIDE)
    if not ocr:
        return DocumentText([Page(1, float(image.width), float(image.height), [], "ocr")])
    lines, width, height, turned = ocr_mod.ocr_image_turned(image, 1)
    return DocumentText([Page(1, width, height, lines, "ocr", turned)], ocr_pages=1)


def render_scale(width_pt: float, height_pt: float, dpi: float, max_side: int) -> float:
    """Scale to render a page of this size at: dpi, lowered so the image stays within
    RENDER_MAX_PIXELS and its longest side within max_side (a page of 5 x 5 metres must not
    allocate gigabytes)."""
    scale = dpi / 72
    area = max(width_pt * height_pt, 1e-6)
    scale = min(scale, math.sqrt(RENDER_MAX_PIXELS / area))
    return max(min(scale, max_side / max(width_pt, height_pt, 1e-6)), 1e-3)


def render_page(page, dpi: float, max_side: int) -> Image.Image:
    """A PDF page rendered for reading, within the pixel caps."""
    width, height = page.get_size()
    return page.render(scale=render_scale(width, height, dpi, max_side)).to_pil()


def _is_password_error(exc: Exception) -> bool:
    """True when PDFium refused a document for want of a password."""
    return "password" in str(exc).lower()


def _read_pdf(path: str, *, ocr: bool) -> DocumentText:
    """Pages of a PDF through PDFium, falling back to pypdf when PDFium cannot open it."""
    with PDFIUM_LOCK:
        return _read_pdf_locked(path, ocr=ocr)


def _read_pdf_locked(path: str, *, ocr: bool) -> DocumentText:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if _is_password_error(exc):
            raise ExtractionError(ErrorCode.ENCRYPTED_PDF, MSG_ENCRYPTED) from exc
        return _read_pdf_pypdf(path)
    try:
        count = len(pdf)
        if count == 0:
            raise ExtractionError(ErrorCode.UNREADABLE_PDF, MSG_NO_PAGES)
        pages: list[Page] = []
        ocr_done = 0
        for index in range(count):
            page = pdf[index]
            try:
                width, height = page.get_size()
                lines, readable = _pdfium_lines(page, index + 1)
                chars = sum(len(line.text.replace(" ", "")) for line in lines)
                source, turned = "text", 0
                scanned = (
                    not readable
                    or chars < MIN_TEXT_CHARS
                    or (
                        # A scan with a stamp of text on it ("Scanned with ...", a page number).
                        chars < SCAN_STAMP_CHARS and _image_cover(page, width, height) > 0.5
                    )
                )
                if not readable:
                    # Noise from a font without a Unicode map helps no one: the page is a scan.
                    lines, chars = [], 0
                if scanned and ocr and ocr_done < OCR_MAX_PAGES:
                    ocr_lines, ocr_turned = _ocr_pdf_page(page, index + 1, width, height)
                    ocr_done += 1
                    if sum(len(line.text) for line in ocr_lines) > chars:
                        lines, source, turned = ocr_lines, "ocr", ocr_turned
                if turned in (90, 270):
                    width, height = height, width  # the frame of the positions: the page as read
                pages.append(Page(index + 1, width, height, lines, source, turned))
            finally:
                page.close()
        return DocumentText(pages, ocr_pages=ocr_done)
    finally:
        pdf.close()


def _image_cover(page, width: float, height: float) -> float:
    """Share of the page covered by its largest image."""
    import pypdfium2.raw as pdfium_c

    best = 0.0
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            best = max(best, (right - left) * (top - bottom) / max(width * height, 1e-6))
    except Exception:  # an odd object must not stop text extraction
        return best
    return best


def _pdfium_lines(page, number: int) -> tuple[list, bool]:
    """Lines of a PDF page from PDFium's characters, and whether its text layer is readable."""
    textpage = page.get_textpage()
    try:
        found = read_chars(textpage, page, number)
    finally:
        textpage.close()
    return found.lines, readable(found)


def readable(found: PageChars) -> bool:
    """False for a text layer a person could not read: glyphs without a Unicode map, private-use
    or control characters, or hardly any word-like tokens (``!"#$%`` noise)."""
    if found.drawn < MIN_TEXT_CHARS:
        return True  # too little to judge; the scan test decides
    if found.junk > UNREADABLE_SHARE * found.drawn:
        return False
    tokens = [t for line in found.lines for t in line.text.split()]
    if len(tokens) < 5:
        return True
    wordlike = sum(1 for t in tokens if _WORDLIKE.search(t))
    letters = sum(ch.isalnum() for t in tokens for ch in t)
    # Glyphs without a Unicode map are read by their codes, which is right for some fonts:
    # such a layer only has to look more like words.
    need = 0.6 if found.unmapped > UNREADABLE_SHARE * found.drawn else 0.4
    return wordlike >= need * len(tokens) and letters >= 0.5 * sum(len(t) for t in tokens)


def _ocr_pdf_page(page, number: int, width_pt: float, height_pt: float) -> tuple[list, int]:
    """OCR a rendered PDF page; positions are mapped back to PDF points (of the page as read:
    turned by the angle returned, when it lay on its side)."""
    from . import ocr as ocr_mod

    image = render_page(page, OCR_DPI, ocr_mod.MAX_SIDE)
    lines, width_px, _, turned = ocr_mod.ocr_image_turned(image, number)
    side_pt = height_pt if turned in (90, 270) else width_pt
    factor = side_pt / width_px if width_px else 1.0
    for line in lines:
        line.y *= factor
        line.height *= factor
        for cell in line.cells:
            cell.x0 *= factor
            cell.x1 *= factor
            cell.y0 *= factor
            cell.y1 *= factor
            for word in cell.words:
                word.x0, word.y0 = word.x0 * factor, word.y0 * factor
                word.x1, word.y1 = word.x1 * factor, word.y1 * factor
    return lines, turned


def _read_pdf_pypdf(path: str) -> DocumentText:
    """Text layer through pypdf, for files PDFium rejects (no rendering, so no OCR here)."""
    from pypdf import PdfReader

    # pypdf logs every repair it attempts; a damaged upload is reported through the error code.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # pypdf raises several types for bad crypto
                ok = 0
            if not ok:
                raise ExtractionError(ErrorCode.ENCRYPTED_PDF, MSG_ENCRYPTED)
        pages = []
        for index, pg in enumerate(reader.pages):
            try:
                text = pg.extract_text(extraction_mode="layout") or ""
            except Exception:  # layout mode fails on some odd fonts
                text = pg.extract_text() or ""
            box = pg.mediabox
            pages.append(
                Page(
                    index + 1, float(box.width), float(box.height), lines_from_text(text, index + 1)
                )
            )
    except ExtractionError:
        raise
    except Exception as exc:  # a damaged file can fail anywhere inside pypdf
        raise ExtractionError(ErrorCode.UNREADABLE_PDF, MSG_DAMAGED) from exc
    if not pages:
        raise ExtractionError(ErrorCode.UNREADABLE_PDF, MSG_NO_PAGES)
    return DocumentText(pages)
