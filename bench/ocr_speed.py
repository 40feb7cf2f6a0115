"""OCR speed on two cores: a 12-megapixel phone photo of a receipt, an A4 page at 150 dpi and a
faded, tilted till-roll scan at 170 dpi (from tests/data/make_hard_set.py).

    python bench/ocr_speed.py [--runs 3]

Prints wall-clock and CPU seconds for OCR alone and for the whole extraction of each image.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data"))

from app.services.extraction import (  # noqa: E402
    SourceDocument,
    get_provider,
    ocr,
)
from app.services.extraction.text import _cache  # noqa: E402


def main() -> None:
    """Build the images, warm the models up, then time OCR and extraction."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import make_eval_set as gen

    rng = random.Random(11)
    folder = Path(tempfile.mkdtemp(prefix="ingestio-ocr-"))
    receipt, _ = gen.make_receipt(rng, 1, gen.LOCALES[2])
    photo = gen.photo_12mp(gen.render(receipt, 300), rng)
    invoice, _ = gen.make_invoice(rng, 0, gen.LOCALES[0])
    page = gen.scan(gen.render(invoice, 150), rng)
    import make_hard_set as hard

    rows, _ = hard.rc_supermarket(rng, hard.LOCALES["us"])
    roll = hard.degrade(hard.render(hard.receipt_pdf(rows, rng), 170), rng, photo=False)
    files = {}
    images = (
        ("receipt_photo.jpg", photo, "JPEG"),
        ("a4_scan.png", page, "PNG"),
        ("till_roll_scan.jpg", roll, "JPEG"),
    )
    for name, img, fmt in images:
        buf = io.BytesIO()
        img.save(buf, format=fmt, quality=85)
        (folder / name).write_bytes(buf.getvalue())
        files[name] = (img.size, "image/jpeg" if fmt == "JPEG" else "image/png")

    t0 = time.perf_counter()
    ocr.warm_up()
    print(f"model load: {time.perf_counter() - t0:.2f} s")
    provider = get_provider("local")
    prompt = "Extract the invoice number, date, total and line items"
    for name, (size, mime) in files.items():
        from PIL import Image

        walls, cpus, totals = [], [], []
        for _ in range(args.runs):
            image = Image.open(folder / name)
            w0, c0 = time.perf_counter(), time.process_time()
            ocr.ocr_image(image, 1)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            _cache.clear()
            w0 = time.perf_counter()
            provider.extract(SourceDocument(str(folder / name), mime, name), prompt)
            totals.append(time.perf_counter() - w0)
        print(
            f"{name} {size[0]}x{size[1]}: OCR {min(walls):.2f} s wall (median "
            f"{sorted(walls)[len(walls) // 2]:.2f}), {min(cpus):.2f} s CPU; "
            f"extraction {min(totals):.2f} s"
        )


if __name__ == "__main__":
    main()
