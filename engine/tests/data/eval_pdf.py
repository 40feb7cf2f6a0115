"""The PDF writer of both evaluation sets, and the renders, scans, photos and image-only PDFs
made from its pages."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter

FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)


class Pdf(FPDF):
    """FPDF with the Windows-1252 core font encoding (so € and accents print)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_creation_date(FIXED_TIME)  # same bytes on every run
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(False)
        self.set_margins(15, 15, 15)

    def text_at(self, x: float, y: float, w: float, text: str, *, align: str = "L", size=10,
                style: str = "", font: str | None = None, h: float = 5) -> None:  # fmt: skip
        """Write one line of text in a box at a position."""
        if font:
            self.set_font(font, style, size)
        else:
            self.set_font(self.font_family or "helvetica", style, size)
        self.set_xy(x, y)
        self.cell(w, h, text, align=align)


# ---------------------------------------------------------------- scans and photos


def render(pdf_bytes: bytes, dpi: int) -> Image.Image:
    """First page of a PDF as an RGB image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return pdf[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        pdf.close()


def photograph(img: Image.Image, rng: random.Random, *, background: bool = True) -> Image.Image:
    """Make a clean render look like a phone photo: tilt, blur, noise, shading, a table under it."""
    angle = rng.uniform(-3.5, 3.5)
    img = img.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255)
    )
    if background:
        pad_x, pad_y = (
            int(img.width * rng.uniform(0.15, 0.4)),
            int(img.height * rng.uniform(0.05, 0.15)),
        )
        tone = tuple(
            int(c) for c in rng.choice([(90, 70, 50), (60, 60, 65), (140, 120, 100), (40, 45, 40)])
        )
        canvas = Image.new("RGB", (img.width + 2 * pad_x, img.height + 2 * pad_y), tone)
        canvas.paste(img, (pad_x, pad_y))
        img = canvas
    # Uneven lighting from one side.
    shade = Image.linear_gradient("L").resize(img.size).rotate(rng.choice([0, 90, 180, 270]))
    dark = Image.new("RGB", img.size, (0, 0, 0))
    img = Image.composite(dark, img, shade.point(lambda v: int(v * rng.uniform(0.12, 0.3))))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.1)))
    # Noise from the seeded generator (PIL's own noise is not reproducible).
    noise = Image.frombytes("L", img.size, rng.randbytes(img.width * img.height)).convert("RGB")
    img = Image.blend(img, noise, 0.06)
    return img


def photo_12mp(img: Image.Image, rng: random.Random) -> Image.Image:
    """A render placed in a 3024 x 4032 frame like a phone camera's full-size photo."""
    frame = Image.new("RGB", (3024, 4032), (70, 60, 50))
    scale = min(2600 / img.width, 3700 / img.height)
    img = img.resize((int(img.width * scale), int(img.height * scale)), Image.Resampling.BICUBIC)
    frame.paste(img, ((3024 - img.width) // 2, (4032 - img.height) // 2))
    return photograph(frame, rng, background=False)


def scan(img: Image.Image, rng: random.Random) -> Image.Image:
    """Make a render look like an office scan: grey, slightly skewed, speckled."""
    img = img.convert("L").rotate(
        rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor=255
    )
    draw = ImageDraw.Draw(img)
    for _ in range(300):
        x, y = rng.randrange(img.width), rng.randrange(img.height)
        draw.point((x, y), fill=rng.randint(90, 180))
    return img.filter(ImageFilter.GaussianBlur(0.5)).convert("RGB")


def image_pdf(img: Image.Image, page_w_mm: float, page_h_mm: float) -> bytes:
    """A PDF whose only page is an image (a scanned document without a text layer)."""
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    buf.seek(0)
    pdf = FPDF(format=(page_w_mm, page_h_mm))
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(buf, x=0, y=0, w=page_w_mm, h=page_h_mm)
    return bytes(pdf.output())
