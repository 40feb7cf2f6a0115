"""OCR speed on two cores: a 12-megapixel phone photo of a receipt, an A4 page at 150 dpi and a
faded, tilted till-roll scan at 170 dpi (from engine/tests/data/make_hard_set.py).

    python bench/ocr_speed.py [--runs 3]
    python bench/ocr_speed.py --receipts 24 [--seed 5]

Prints wall-clock and CPU seconds for OCR alone and for the whole extraction of each image.
With --receipts N: N till receipts of engine/tests/data/make_hard_set.py and the producer corpus's two
receipts, scanned at 300 dpi (a till-roll scan, the roll on a flatbed A4 scan, or a tilted,
noisy photograph of it), each extracted once; prints the median and worst seconds per receipt
and how many dates and totals came out right.
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
sys.path.insert(0, str(ROOT / "engine" / "tests" / "data"))

from engine import (  # noqa: E402
    SourceDocument,
    get_provider,
    ocr,
)
from engine.text import _cache  # noqa: E402


def main() -> None:
    """Build the images, warm the models up, then time OCR and extraction."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--receipts", type=int, default=0)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if args.receipts:
        receipts(args.receipts, args.seed)
        return
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


def _receipt_scans(n: int, seed: int, folder: Path) -> list[tuple[Path, str, dict]]:
    """n receipts scanned at 300 dpi, as files with their labels."""
    import make_hard_set as hard
    import producers
    from PIL import Image

    rng = random.Random(seed)
    made = []
    for i in range(n):
        maker, locales = hard.RECEIPT_MAKERS[i % len(hard.RECEIPT_MAKERS)]
        rows, label = maker(rng, hard.LOCALES[rng.choice(locales)])
        width = 58 if maker.__name__ == "rc_58mm" else 80
        clean = hard.render(hard.receipt_pdf(rows, rng, width), 300)
        made.append((clean, label, i % 3))
    for name in ("thermal_receipt", "web_receipt"):
        pdf = producers.make("chromium", name, folder)
        fields = producers.DOCS[name]["fields"]
        made.append((producers.render(pdf, 300), dict(fields), len(made) % 3))
    out = []
    for i, (clean, label, kind) in enumerate(made):
        if kind == 0:
            img, how = hard.degrade(clean, rng, photo=False), "scan"
        elif kind == 1:
            # The roll laid on a flatbed scanner: an A4 page at 300 dpi around it.
            roll = hard.degrade(clean, rng, photo=False)
            img = Image.new("RGB", (2480, max(3508, roll.height + 200)), (238, 238, 236))
            img.paste(roll, (rng.randint(100, 2480 - roll.width - 100), 100))
            how = "flatbed"
        else:
            img, how = hard.degrade(clean, rng, photo=True), "photo"
        path = folder / f"receipt{i:02d}-{how}.jpg"
        img.save(path, format="JPEG", quality=88)
        out.append((path, how, label))
    return out


def receipts(n: int, seed: int) -> None:
    """Extraction time and date/total accuracy on receipts scanned at 300 dpi."""
    from checker_match import norm_amount

    folder = Path(tempfile.mkdtemp(prefix="ingestio-receipts-"))
    files = _receipt_scans(n, seed, folder)
    t0 = time.perf_counter()
    ocr.warm_up()
    print(f"model load: {time.perf_counter() - t0:.2f} s")
    provider = get_provider("local")
    prompt = "Extract the date, total and merchant"
    times, dates, totals = [], 0, 0
    for path, _how, label in files:
        _cache.clear()
        w0 = time.perf_counter()
        data = provider.extract(SourceDocument(str(path), "image/jpeg", path.name), prompt)["data"]
        took = time.perf_counter() - w0
        times.append(took)
        date_ok = data.get("date") == label.get("date")
        total_ok = norm_amount(data.get("total")) == norm_amount(label.get("total"))
        dates += date_ok
        totals += total_ok
        print(
            f"{path.name:28} {took:5.2f} s  date {'ok' if date_ok else 'MISS'}  total "
            f"{'ok' if total_ok else 'MISS'}"
        )
    times.sort()
    print(
        f"{len(times)} receipts at 300 dpi: median {times[len(times) // 2]:.2f} s, "
        f"worst {times[-1]:.2f} s; date {dates}/{len(times)}, total {totals}/{len(times)}"
    )


if __name__ == "__main__":
    main()
