"""Text of a document page by page: the PDF text layer, or OCR for images and scanned pages."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from .base import ErrorCode, ExtractionError, SourceDocument
from .layout import Page, Segment, build_lines, lines_from_text

log = logging.getLogger(__name__)

# A page with fewer printable characters than this in its text layer is treated as scanned.
MIN_TEXT_CHARS = 16
# ...and one with fewer than this over a page-sized image is a scan with a stamp or footer.
SCAN_STAMP_CHARS = 200
# Resolution at which scanned PDF pages are rendered for OCR.
OCR_DPI = int(os.environ.get("EXTRACTION_OCR_DPI", "150"))
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


def _read_image(path: str, *, ocr: bool) -> DocumentText:
    """A single-page document from a JPEG or PNG file."""
    from . import ocr as ocr_mod

    try:
        with Image.open(path) as img:
            if img.format == "JPEG":
                # Decode a 12-megapixel photo at a reduced scale straight away: much faster
                # than decoding it whole and shrinking it afterwards.
                k = ocr_mod.MAX_SIDE / max(img.size)
                if k < 1:
                    img.draft("RGB", (int(img.width * k), int(img.height * k)))
            img.load()
            image = img.copy()
    except (UnidentifiedImageError, OSError) as exc:
        raise ExtractionError(ErrorCode.EXTRACTION_FAILED, "The image cannot be read.") from exc
    if not ocr:
        return DocumentText([Page(1, float(image.width), float(image.height), [], "ocr")])
    lines, width, height = ocr_mod.ocr_image(image, 1)
    return DocumentText([Page(1, width, height, lines, "ocr")], ocr_pages=1)


def _is_password_error(exc: Exception) -> bool:
    """True when PDFium refused a document for want of a password."""
    return "password" in str(exc).lower()


def _read_pdf(path: str, *, ocr: bool) -> DocumentText:
    """Pages of a PDF through PDFium, falling back to pypdf when PDFium cannot open it."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if _is_password_error(exc):
            raise ExtractionError(
                ErrorCode.ENCRYPTED_PDF, "The PDF is password-protected."
            ) from exc
        return _read_pdf_pypdf(path)
    try:
        count = len(pdf)
        if count == 0:
            raise ExtractionError(ErrorCode.UNREADABLE_PDF, "The PDF has no pages.")
        pages: list[Page] = []
        ocr_done = 0
        for index in range(count):
            page = pdf[index]
            try:
                width, height = page.get_size()
                lines = _pdfium_lines(page, index + 1, height)
                chars = sum(len(line.text.replace(" ", "")) for line in lines)
                source = "text"
                scanned = chars < MIN_TEXT_CHARS or (
                    # A scan with a stamp of text on it ("Scanned with ...", a page number).
                    chars < SCAN_STAMP_CHARS and _image_cover(page, width, height) > 0.5
                )
                if scanned and ocr and ocr_done < OCR_MAX_PAGES:
                    ocr_lines = _ocr_pdf_page(page, index + 1, width)
                    ocr_done += 1
                    if sum(len(line.text) for line in ocr_lines) > chars:
                        lines, source = ocr_lines, "ocr"
                pages.append(Page(index + 1, width, height, lines, source))
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


def _pdfium_lines(page, number: int, page_height: float) -> list:
    """Lines of a PDF page from PDFium's text runs and their boxes."""
    textpage = page.get_textpage()
    try:
        segments = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = text.replace("\r", " ").replace("\n", " ").replace("\x00", "")
            if text.strip():
                # PDF space has y upwards; layout wants it downwards like images.
                segments.append(Segment(left, page_height - top, right, page_height - bottom, text))
        return build_lines(segments, number)
    finally:
        textpage.close()


def _ocr_pdf_page(page, number: int, width_pt: float) -> list:
    """OCR a rendered PDF page; positions are mapped back to PDF points."""
    from . import ocr as ocr_mod

    image = page.render(scale=OCR_DPI / 72).to_pil()
    lines, width_px, _ = ocr_mod.ocr_image(image, number)
    factor = width_pt / width_px if width_px else 1.0
    for line in lines:
        line.y *= factor
        line.height *= factor
        for cell in line.cells:
            cell.x0 *= factor
            cell.x1 *= factor
    return lines


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
                raise ExtractionError(ErrorCode.ENCRYPTED_PDF, "The PDF is password-protected.")
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
        raise ExtractionError(ErrorCode.UNREADABLE_PDF, "The PDF cannot be read.") from exc
    if not pages:
        raise ExtractionError(ErrorCode.UNREADABLE_PDF, "The PDF has no pages.")
    return DocumentText(pages)
