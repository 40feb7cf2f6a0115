"""OCR of page images with RapidOCR (PP-OCR models shipped inside the PyPI wheel).

The engine is built once per process on first use and shared; calls are serialised with a lock.
Every model runs single-threaded (ONNX Runtime's own thread pool spins and, on a busy two-core
machine, costs more CPU than it saves); recognition, the bulk of the work, is instead split over
EXTRACTION_OCR_THREADS threads that each read half of the text boxes.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from PIL import Image, ImageOps

from config import Config

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
# Threads reading text boxes at once (each a single-threaded model run).
OCR_THREADS = max(1, Config.EXTRACTION_OCR_THREADS)
# At most this many text boxes of a page are read (the most confident ones): a page of speckle
# or a dense table must not take minutes.
MAX_BOXES = Config.EXTRACTION_OCR_MAX_BOXES
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0


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
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
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


def _tall(boxes) -> bool:
    """True when most detected boxes stand upright: the text runs top to bottom."""
    if boxes is None or len(boxes) < 4:
        return False
    tall = 0
    for box in boxes:
        (xa, ya), (xb, yb), (xc, yc) = box[0], box[1], box[2]
        if math.hypot(xc - xb, yc - yb) > 2 * math.hypot(xb - xa, yb - ya):
            tall += 1
    return tall >= 0.6 * len(boxes)


def _keep_boxes(crops: list, det_res) -> list:
    """The boxes worth reading: specks much smaller than the page's text dropped, and no more
    than MAX_BOXES (the most confident). Updates det_res in place; returns the kept crops."""
    boxes, scores = det_res.boxes, list(det_res.scores or [1.0] * len(crops))
    heights = [float(math.hypot(b[2][0] - b[1][0], b[2][1] - b[1][1])) for b in boxes]
    widths = [float(math.hypot(b[1][0] - b[0][0], b[1][1] - b[0][1])) for b in boxes]
    typical = sorted(heights)[len(heights) // 2] if heights else 0.0
    keep = [
        i
        for i in range(len(crops))
        if not (heights[i] < 0.35 * typical and widths[i] < 1.5 * typical)
    ]
    if len(keep) > MAX_BOXES:
        keep = sorted(sorted(keep, key=lambda i: -scores[i])[:MAX_BOXES])
    if len(keep) < len(crops):
        det_res.boxes = boxes[keep]
        det_res.scores = [scores[i] for i in keep]
        crops = [crops[i] for i in keep]
    return crops


def _recognize(engine: Any, crops: list):
    """Text of the cropped boxes, split over OCR_THREADS threads (by width, so the halves cost
    about the same)."""
    global _pool, _pool_pid
    if OCR_THREADS < 2 or len(crops) < 8:
        return engine.recognize_txt(crops)
    from rapidocr.ch_ppocr_rec.typings import TextRecOutput

    if _pool is None or _pool_pid != os.getpid():
        # Threads do not survive a fork: a forked worker makes its own pool.
        _pool = ThreadPoolExecutor(OCR_THREADS, thread_name_prefix="ocr-rec")
        _pool_pid = os.getpid()
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
    parts = [order[k::OCR_THREADS] for k in range(OCR_THREADS)]
    outs = list(_pool.map(lambda idx: engine.recognize_txt([crops[i] for i in idx]), parts))
    txts: list = [""] * len(crops)
    scores: list = [0.0] * len(crops)
    words: list = [None] * len(crops)
    for idx, out in zip(parts, outs, strict=True):
        for k, i in enumerate(idx):
            txts[i], scores[i], words[i] = out.txts[k], out.scores[k], out.word_results[k]
    return TextRecOutput(crops, tuple(txts), scores, tuple(words), max(o.elapse or 0 for o in outs))


def _read(image: Image.Image, *, check_sideways: bool = False) -> tuple[Any, bool]:
    """Detect text boxes and read them; with check_sideways, stop after detection (nothing read)
    when the text runs top to bottom, so that the page is read only once it is turned."""
    engine = get_engine()
    with _run_lock:
        detector = engine._load_det_model()
        detector.limit_type = "max"
        detector.limit_side_len = det_side(image.width, image.height)
        original = engine.load_img(image)
        img, record = engine.preprocess_img(original)
        try:
            crops, det_res = engine.detect_and_crop(img, record)
        except Exception:  # RapidOCR raises when it finds no text at all
            return None, False
        if check_sideways and _tall(det_res.boxes):
            return None, True
        crops = _keep_boxes(crops, det_res)
        if engine.use_cls:
            rec_input, cls_res = engine.cls_and_rotate(crops)
        else:
            from rapidocr.ch_ppocr_cls.utils import TextClsOutput

            rec_input, cls_res = crops, TextClsOutput()
        rec_res = _recognize(engine, rec_input)
        return engine.build_final_output(original, det_res, cls_res, rec_res, crops, record), False


def ocr_segments(image: Image.Image, *, check_sideways: bool = False) -> tuple[list[Segment], bool]:
    """Text boxes found on an image, straightened by the page tilt, in image pixels; and whether
    the reading stopped because the text runs sideways (only asked with check_sideways)."""
    result, sideways = _read(image, check_sideways=check_sideways)
    if result is None:
        return [], sideways
    boxes = getattr(result, "boxes", None)
    txts = getattr(result, "txts", None)
    scores = getattr(result, "scores", None)
    if boxes is None or txts is None:
        return [], False
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
    return segments, False


_ZERO_IN_WORD = re.compile(r"(?<=[A-Za-z])0(?=[A-Za-z]{2})|(?<=[A-Za-z]{2})0(?=[A-Za-z])")
# An amount with two decimals where a few digits were read as look-alike letters ('4O.5O').
_AMOUNT_LIKE = re.compile(
    r"(?<![A-Za-z0-9])(S?)([0-9OoDQIl|ZB]{1,3}(?:[,.][0-9OoDQIl|ZB]{3})*|[0-9OoDQIl|ZB]{1,7})"
    r"([.,])([0-9OoDQIl|ZB]{2})(?![A-Za-z0-9])"
)
_LOOKALIKE = str.maketrans("OoDQIl|ZB", "000011128")
# A space the recogniser put inside an amount, beside its decimal mark ('12 .50', '12, 50').
_SPLIT_DECIMAL = re.compile(r"(?<=\d)(?:\s([.,])|([.,])\s)(?=\d{2}(?![\d]))")


def _amount_digits(m: re.Match) -> str:
    """An amount-like token with look-alike letters read as the digits they stand for."""
    sign, whole, mark, cents = m.groups()
    digits = sum(ch.isdigit() for ch in whole + cents)
    if digits < 2 or digits < (len(whole) + len(cents)) / 2:
        return m.group(0)  # mostly letters: a word, not a misread number
    fixed = whole.translate(_LOOKALIKE) + mark + cents.translate(_LOOKALIKE)
    # A leading 'S' glued to an amount is a dollar sign read as a letter.
    return ("$" if sign else "") + fixed


# Digits the recogniser returns for letters of a word ('B111' for 'Bill', '0ct' for 'Oct').
_DIGIT_AS_LETTER = str.maketrans("0158", "olsb")
_MIXED_WORD = re.compile(
    r"(?<![\w])(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{3,10}(?!\w)"
)
_LONG_WORD = re.compile(r"(?<![\w])[A-Za-z]{5,14}(?![\w])")
_MONTH_SLOT = re.compile(r"(?<=\d[\s./-])([A-Za-z0-9]{3})(?=[\s./-]\d)")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """Words of the labels the engine looks for, and month abbreviations."""
    from .prompts import CONCEPTS
    from .values import MONTHS

    words = {
        w
        for concept in CONCEPTS
        for phrase, _ in concept.labels
        for w in re.findall(r"[a-zäöüéèà]+", phrase.lower())
        if len(w) >= 3
    }
    words |= {"cashier", "receipt", "invoice", "subtotal", "change", "tendered", "balance"}
    # Month names in full ('Jamuary 17, 2026').
    words |= {m for m in MONTHS if len(m) >= 6 and m.isalpha()}
    months = frozenset(m for m in MONTHS if len(m) == 3 and m.isalpha())
    return frozenset(words), months


_SHORT_LABELS = frozenset({"total", "dated", "gross", "taxes", "terms", "summe", "datum", "fecha"})


def _near(word: str, vocab: frozenset[str]) -> str | None:
    """The only vocabulary word at most one edit away from word, if there is exactly one.

    Words under seven letters may only have a letter misread, not one added or lost: 'PALACE'
    stays a palace rather than becoming 'place'.
    """
    if word in vocab:
        return word
    slack = 1 if len(word) >= 7 else 0
    found = {v for v in vocab if abs(len(v) - len(word)) <= slack and _one_edit(word, v)}
    return found.pop() if len(found) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one substitution, insertion or deletion."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def _cased(word: str, like: str) -> str:
    """word written in the case of like (UPPER, Title or lower)."""
    letters = [c for c in like if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


def _fix_words(text: str) -> str:
    """Label words and month names with a misread letter or two put right."""
    vocab, months = _vocabulary()

    def mixed(m: re.Match) -> str:
        token = m.group(0)
        if re.fullmatch(r"[A-Za-z]{1,3}\d+|\d+[A-Za-z]{1,2}", token) and len(token) > 4:
            return token  # a code or a measure ('CS58867', '500ml'), not a word
        guess = token.lower().translate(_DIGIT_AS_LETTER)
        if not guess.isalpha():
            return token
        word = (
            _near(guess, vocab | months)
            if len(guess) >= 4
            else (guess if guess in vocab | months else None)
        )
        return _cased(word, token) if word else token

    def long_word(m: re.Match) -> str:
        token = m.group(0)
        word = _near(token.lower(), vocab)
        if len(token) == 5 and (
            word not in _SHORT_LABELS or re.search(r"[A-Za-z]", text[: m.start()])
        ):
            # A short word is put right only into a common label word, and only where labels
            # stand (the first word of a text run): 'Tatal' -> 'Total', but 'Paper' stays.
            return token
        return _cased(word, token) if word and word != token.lower() else token

    def month(m: re.Match) -> str:
        token = m.group(0)
        guess = token.lower().translate(_DIGIT_AS_LETTER)
        if guess in months or not guess.isalpha():
            return _cased(guess, token) if guess in months else token
        word = _near(guess, months)
        return _cased(word, token) if word else token

    text = _MONTH_SLOT.sub(month, text)
    text = _MIXED_WORD.sub(mixed, text)
    return _LONG_WORD.sub(long_word, text)


_SPACED_THOUSANDS = re.compile(
    r"((?:[$€£¥]|\b(?:RM|Rs\.?|USD|EUR|GBP|CHF|CAD|AUD|NZD|SGD|MYR|INR|HKD))\s?\d{1,3}) "
    r"(\d{3}[.,]\d{2})(?![\d.,])"
)
_GLUED_AMOUNT = re.compile(r"([A-Za-z]{2})(\d{1,3}(?:,\d{3})*[.,]\d{2})(?![\d.,])")
# A grouped amount whose separators were misread ('1.82,532.89' for '1,82,532.89').
_MIXED_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d{2,3}){2,}[.,]\d{2}(?![\d.,])")
# Capitals and digits with a lowercase 'l' among them: an 'I' ('Sl-063503' for 'SI-063503').
_CODE_WITH_L = re.compile(
    r"(?<![\w])(?=[A-Z0-9l/-]*[A-Z])(?=[A-Z0-9l/-]*\d)[A-Z0-9l/-]*l[A-Z0-9l/-]*(?![\w])"
)


def _regroup(m: re.Match) -> str:
    """Separators of a grouped amount made consistent: the last one is the decimal mark."""
    token = m.group(0)
    seps = re.findall(r"[.,]", token)
    if len(set(seps[:-1])) < 2 and seps[-1] not in seps[:-1]:
        return token
    groups = re.split(r"[.,]", token)
    grouping = "," if seps[-1] == "." else "."
    return grouping.join(groups[:-1]) + seps[-1] + groups[-1]


def _code_l(m: re.Match) -> str:
    """Each 'l' of a code read as '1' beside a digit, else as 'I'."""
    token = m.group(0)
    out = []
    for i, ch in enumerate(token):
        if ch == "l":
            near = token[max(i - 1, 0) : i] + token[i + 1 : i + 2]
            ch = "1" if any(c.isdigit() for c in near) else "I"
        out.append(ch)
    return "".join(out)


def fix_text(text: str) -> str:
    """Undo the usual recogniser slips: a zero inside a word ('T0TAL' -> 'TOTAL'), letters
    inside an amount ('4O.5O' -> '40.50', 'S12.99' -> '$12.99'), a space beside a decimal mark
    ('12 .50' -> '12.50'), and a misread letter in a label word or a month ('Imvoice' ->
    'Invoice', 'B111 No' -> 'BILL No', '3 0ct 2024' -> '3 Oct 2024')."""
    if "0" in text:
        text = _ZERO_IN_WORD.sub(lambda m: "O", text)
    text = _SPLIT_DECIMAL.sub(lambda m: m.group(1) or m.group(2), text)
    # A label run into its amount ('TOTALSAVINGS5.24'): the space the recogniser lost.
    text = _GLUED_AMOUNT.sub(r"\1 \2", text)
    text = _MIXED_GROUPS.sub(_regroup, text)
    # A thousands comma read as a space after a currency sign ('$1 234.56').
    text = _SPACED_THOUSANDS.sub(r"\1\2", text)
    text = _AMOUNT_LIKE.sub(_amount_digits, text)
    text = _CODE_WITH_L.sub(_code_l, text)
    return _fix_words(text)


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
    lines, width, height, _turned = ocr_image_turned(image, page)
    return lines, width, height


def ocr_image_turned(image: Image.Image, page: int) -> tuple[list[Line], float, float, int]:
    """OCR an image into lines; also the angle it was turned by to be read (0, 90 or 270).

    Positions, width and height are those of the image as read: turned by `angle` degrees
    counter-clockwise (``Image.rotate(angle, expand=True)``) when it lay on its side.
    """
    prepared = prepare_image(image)
    angle_read = 0
    segments, sideways = ocr_segments(prepared, check_sideways=True)
    if sideways:
        # A page scanned or photographed on its side: read it turned both ways, keep the better.
        best = None
        for angle in (90, 270):
            turned = prepared.rotate(angle, expand=True)
            segs, _ = ocr_segments(turned)
            if _sideways(segs) or (best is not None and _quality(segs) <= best[0]):
                continue
            best = (_quality(segs), segs, turned, angle)
            chars = sum(len(x.text) for x in segs) or 1
            if best[0] / chars > 0.9:
                break  # clearly readable this way round: no need to try the other
        if best is not None:
            segments, prepared, angle_read = best[1], best[2], best[3]
        else:
            segments, _ = ocr_segments(prepared)
    for seg in segments:
        seg.text = fix_text(seg.text)
    lines = build_lines(segments, page, exclusive_x=True)
    return lines, float(prepared.width), float(prepared.height), angle_read
