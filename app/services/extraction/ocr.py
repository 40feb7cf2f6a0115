"""OCR of page images with RapidOCR (PP-OCR models shipped inside the PyPI wheel).

The engine is built once per process on first use and shared; calls are serialised with a lock
because one ONNX session already uses every core.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from typing import Any

from PIL import Image, ImageOps

from .layout import Line, Segment, build_lines

log = logging.getLogger(__name__)

OCR_MODEL = "PP-OCRv6-small"

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()

# Longest side of the image whose crops are read: phone photos are 3000-4000 px, more than the
# recogniser needs for receipt-sized text.
MAX_SIDE = int(os.environ.get("EXTRACTION_OCR_MAX_SIDE", "2000"))
# Longest side the text detector works at. Detection cost grows with the area, and at 1280 px
# a receipt photo or an A4 page still shows its text large enough to be found (the main lever
# on speed: about 3x faster than detecting at full size on two cores).
DET_SIDE = int(os.environ.get("EXTRACTION_OCR_DET_SIDE", "1280"))
# ...but a long till roll is not shrunk so far that its width drops below this.
DET_MIN_SHORT_SIDE = 640


def _build_engine() -> Any:
    """Create the RapidOCR engine with the models from the installed package (no download)."""
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("OCR needs the 'rapidocr' and 'onnxruntime' packages") from exc
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    params = {
        "Global.log_level": "warning",
        "Global.max_side_len": MAX_SIDE,
        # Text this faint is mostly noise on receipts and scans.
        "Global.text_score": 0.45,
    }
    engine = RapidOCR(params=params)
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return engine


def get_engine() -> Any:
    """The process-wide OCR engine, built on first use."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _build_engine()
    return _engine


def warm_up() -> None:
    """Load the detection, orientation and recognition models now rather than on first page."""
    engine = get_engine()
    for loader in ("_load_det_model", "_load_cls_model", "_load_rec_model"):
        fn = getattr(engine, loader, None)
        if fn is not None:
            fn()


def prepare_image(image: Image.Image) -> Image.Image:
    """Upright RGB image no larger than MAX_SIDE (EXIF rotation applied)."""
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        if image.mode in ("RGBA", "LA", "P"):
            # Transparent areas become white paper rather than black.
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.split()[-1])
            image = background
        else:
            image = image.convert("RGB")
    longest = max(image.size)
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.LANCZOS,
        )
    return image


def det_side(width: int, height: int) -> int:
    """Longest side for detection: DET_SIDE, raised so the short side keeps enough pixels."""
    long_side, short_side = max(width, height), max(1, min(width, height))
    side = DET_SIDE
    if short_side * side / long_side < DET_MIN_SHORT_SIDE:
        side = int(long_side * DET_MIN_SHORT_SIDE / short_side)
    return max(32, min(side, long_side))


def _skew(angles: list[float], widths: list[float], heights: list[float]) -> float:
    """Median angle (radians) of wide text boxes: how far a photographed page is tilted."""
    wide = sorted(a for a, w, h in zip(angles, widths, heights, strict=True) if w > 3 * h)
    if len(wide) < 3:
        return 0.0
    mid = wide[len(wide) // 2]
    return mid if abs(mid) < math.radians(25) else 0.0


def ocr_segments(image: Image.Image) -> list[Segment]:
    """Text boxes found on an image, straightened by the page tilt, in image pixels."""
    engine = get_engine()
    with _run_lock:
        detector = getattr(engine, "_load_det_model", None)
        if detector is not None:
            det = detector()
            det.limit_type = "max"
            det.limit_side_len = det_side(image.width, image.height)
        result = engine(image)
    boxes = getattr(result, "boxes", None)
    txts = getattr(result, "txts", None)
    scores = getattr(result, "scores", None)
    if boxes is None or txts is None:
        return []
    raw = []
    for box, text, score in zip(boxes, txts, scores or [1.0] * len(txts), strict=False):
        if not str(text).strip():
            continue
        pts = [(float(p[0]), float(p[1])) for p in box]
        (xa, ya), (xb, yb), (xc, yc) = pts[0], pts[1], pts[2]
        cx = sum(p[0] for p in pts) / len(pts)
        cy = sum(p[1] for p in pts) / len(pts)
        width = math.hypot(xb - xa, yb - ya)
        height = math.hypot(xc - xb, yc - yb)
        raw.append((cx, cy, width, height, math.atan2(yb - ya, xb - xa), str(text), float(score)))
    theta = _skew([r[4] for r in raw], [r[2] for r in raw], [r[3] for r in raw])
    cos_t, sin_t = math.cos(theta), math.sin(theta)
    segments = []
    for cx, cy, width, height, _angle, text, score in raw:
        # Rotating the centres by the tilt keeps each printed line on one line of text.
        nx = cx * cos_t + cy * sin_t
        ny = -cx * sin_t + cy * cos_t
        segments.append(
            Segment(nx - width / 2, ny - height / 2, nx + width / 2, ny + height / 2, text, score)
        )
    return segments


_ZERO_IN_WORD = re.compile(r"(?<=[A-Za-z])0(?=[A-Za-z]{2})|(?<=[A-Za-z]{2})0(?=[A-Za-z])")


def fix_text(text: str) -> str:
    """Undo the usual recogniser slip of a zero inside a word ('T0TAL' -> 'TOTAL')."""
    return _ZERO_IN_WORD.sub(lambda m: "O", text) if "0" in text else text


def _sideways(segments: list[Segment]) -> bool:
    """True when most text boxes stand upright: the text runs top to bottom."""
    if len(segments) < 4:
        return False
    tall = sum(1 for s in segments if s.height > 2 * (s.x1 - s.x0))
    return tall >= 0.6 * len(segments)


def _quality(segments: list[Segment]) -> float:
    """Recognised characters weighted by confidence: more readable text scores higher."""
    return sum(s.score * len(s.text) for s in segments)


def ocr_image(image: Image.Image, page: int) -> tuple[list[Line], float, float]:
    """OCR an image into lines in reading order; returns lines, width and height."""
    prepared = prepare_image(image)
    segments = ocr_segments(prepared)
    if _sideways(segments):
        # A page scanned or photographed on its side: read it turned both ways, keep the better.
        best, best_quality = segments, _quality(segments)
        for angle in (90, 270):
            turned = prepared.rotate(angle, expand=True)
            segs = ocr_segments(turned)
            if not _sideways(segs) and _quality(segs) > best_quality:
                best, best_quality, chosen = segs, _quality(segs), turned
                chars = sum(len(x.text) for x in segs) or 1
                if best_quality / chars > 0.9:
                    break  # clearly readable this way round: no need to try the other
        if best is not segments:
            segments, prepared = best, chosen
    for seg in segments:
        seg.text = fix_text(seg.text)
    lines = build_lines(segments, page)
    return lines, float(prepared.width), float(prepared.height)
