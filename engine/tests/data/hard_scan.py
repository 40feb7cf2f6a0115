"""Scans and photos of the hard evaluation set: till rolls faded, tilted, blurred and noised, and
A4 invoices as image-only PDFs."""

from __future__ import annotations

import io
import random

from eval_pdf import image_pdf, render
from PIL import Image, ImageDraw, ImageFilter


def _noise(img: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Blend seeded noise into an image (PIL's own noise is not reproducible)."""
    noise = Image.frombytes("L", img.size, rng.randbytes(img.width * img.height)).convert(img.mode)
    return Image.blend(img, noise, amount)


def _perspective(img: Image.Image, rng: random.Random, strength: float, fill) -> Image.Image:
    """A mild keystone: the page photographed a little off-axis."""
    w, h = img.size
    dx, dy = w * strength, h * strength * 0.5
    quad = (rng.uniform(0, dx), rng.uniform(0, dy), rng.uniform(0, dx), h - rng.uniform(0, dy),
            w - rng.uniform(0, dx), h - rng.uniform(0, dy), w - rng.uniform(0, dx), rng.uniform(0, dy))  # fmt: skip
    return img.transform(
        (w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=fill
    )


def degrade(
    img: Image.Image, rng: random.Random, *, photo: bool, heavy: bool = False
) -> Image.Image:
    """A clean render made to look scanned or photographed: faded, tilted, skewed, noisy."""
    img = img.convert("RGB")
    # Thermal print fades: dark text turns grey and the paper yellows a little.
    fade = rng.uniform(0.45, 0.7) if heavy else rng.uniform(0.55, 1.0)
    paper = rng.choice([(255, 255, 255), (250, 246, 236), (242, 240, 232)])
    gray = img.convert("L").point(lambda v: int(255 - (255 - v) * fade))
    img = Image.merge("RGB", [gray.point(lambda v, p=p: v * p // 255) for p in paper])
    if rng.random() < 0.6:
        img = _perspective(img, rng, rng.uniform(0.01, 0.06 if heavy else 0.04), paper)
    angle = rng.uniform(-3, 3)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
    if photo:
        pad_x, pad_y = (
            int(img.width * rng.uniform(0.05, 0.3)),
            int(img.height * rng.uniform(0.02, 0.08)),
        )
        tone = rng.choice(
            [(95, 80, 60), (60, 62, 70), (150, 130, 110), (35, 40, 38), (200, 200, 205)]
        )
        canvas = Image.new("RGB", (img.width + 2 * pad_x, img.height + 2 * pad_y), tone)
        canvas.paste(img, (pad_x, pad_y))
        img = canvas
    # Uneven light from one side or a corner.
    shade = Image.linear_gradient("L").resize(img.size).rotate(rng.choice([0, 45, 90, 180, 270]))
    dark = Image.new("RGB", img.size, (0, 0, 0))
    img = Image.composite(dark, img, shade.point(lambda v, k=rng.uniform(0.05, 0.35): int(v * k)))
    # Low contrast: everything pulled towards mid grey.
    if rng.random() < 0.4:
        img = Image.blend(img, Image.new("RGB", img.size, (150, 150, 150)), rng.uniform(0.1, 0.3))
    img = img.filter(
        ImageFilter.GaussianBlur(rng.uniform(0.9, 1.4) if heavy else rng.uniform(0.3, 1.1))
    )
    img = _noise(img, rng, rng.uniform(0.06, 0.1) if heavy else rng.uniform(0.02, 0.08))
    if not photo:
        draw = ImageDraw.Draw(img)
        for _ in range(rng.randint(50, 400)):
            x, y = rng.randrange(img.width), rng.randrange(img.height)
            draw.point((x, y), fill=(rng.randint(60, 160),) * 3)
    return img


def to_image_bytes(img: Image.Image, rng: random.Random, fmt: str) -> bytes:
    """JPEG at a low-to-fair quality, or PNG."""
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, format="JPEG", quality=rng.randint(30, 85))
    else:
        img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def scanned_pdf(data: bytes, rng: random.Random) -> bytes:
    """An A4/Letter invoice as an office scan: image-only PDF, grey, skewed, speckled."""
    dpi = rng.choice([150, 200])
    img = render(data, dpi)
    w_mm, h_mm = img.width / dpi * 25.4, img.height / dpi * 25.4
    img = img.convert("L").rotate(
        rng.uniform(-1.5, 1.5), resample=Image.Resampling.BICUBIC, fillcolor=250
    )
    img = img.point(lambda v, k=rng.uniform(0.7, 1.0): int(255 - (255 - v) * k))
    if rng.random() < 0.3:
        # A fax or a cheap sheet-feeder scan: low resolution, black and white.
        small = img.resize(
            (img.width * 110 // dpi, img.height * 110 // dpi), Image.Resampling.BILINEAR
        )
        small = small.point(lambda v, t=rng.randint(150, 190): 0 if v < t else 255)
        img = small.resize(img.size, Image.Resampling.NEAREST)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    img = _noise(img, rng, rng.uniform(0.02, 0.06))
    draw = ImageDraw.Draw(img)
    for _ in range(500):
        draw.point((rng.randrange(img.width), rng.randrange(img.height)), fill=rng.randint(60, 170))
    return image_pdf(img.convert("RGB"), round(w_mm, 1), round(h_mm, 1))
