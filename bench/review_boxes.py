"""Review boxes: how many extracted values get a box, and how many boxes cover their value.

Runs the local engine on the producer corpus (engine/tests/data/producers.py: the same invoices and
receipts printed by Chromium, wkhtmltopdf, WeasyPrint, Ghostscript, reportlab and fpdf2, plus
300 dpi scans and a photograph) and prints, per producer:

- values: fields the engine found a value for;
- boxed: of those, how many have a `bbox`;
- on value: of the boxes, how many hold the value when the page's words inside the box are read
  back (the words whose centre lies in the box, from the same text the engine read).

    .venv/bin/python bench/review_boxes.py [--dir DIR]
"""

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "engine" / "tests" / "data"))


def words_in(page, box) -> str:
    """The words of a page whose centre lies inside a box given in fractions of the page."""
    from engine.positions import as_shown

    out = []
    for line in page.lines:
        for cell in line.cells:
            for w in cell.words:
                cx = (w.x0 + w.x1) / 2 / page.width
                cy = (w.y0 + w.y1) / 2 / page.height
                x, y, _x, _y = as_shown([cx, cy, cx, cy], page.turned)
                if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                    out.append(w.text)
    return " ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()

    import producers as P

    from engine import SourceDocument
    from engine.local import LocalProvider
    from engine.positions import _matches, _span_in
    from engine.text import load_document

    folder = args.dir or Path(tempfile.mkdtemp(prefix="review-boxes-"))
    prompts = {
        "invoice": "Extract the invoice number, date, total and currency",
        "receipt": "Extract the date, total, currency and merchant",
    }
    files = []
    for producer in P.PRODUCERS:
        if P.available(producer):
            files += [(producer, n, P.make(producer, n, folder), "application/pdf") for n in P.DOCS]
        else:
            print(f"{producer}: not installed, left out")
    if P.available("chromium"):
        for name in ("saas_invoice", "rechnung", "thermal_receipt"):
            img = P.scanned(P.render(P.make("chromium", name, folder), 300))
            path = folder / f"{name}.scan.jpg"
            img.save(path, quality=85)
            files.append(("scan", name, path, "image/jpeg"))

    provider = LocalProvider()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses = []
    for producer, name, path, mime in files:
        doc = SourceDocument(str(path), mime, path.name)
        kind = "receipt" if "receipt" in name else "invoice"
        result = provider.extract(doc, prompts[kind])
        pages = {p.number: p for p in load_document(doc).pages}
        for field, entry in result["fields"].items():
            value = entry.get("value")
            if value is None or isinstance(value, list | dict):
                continue
            t = totals[producer]
            t[0] += 1
            box = entry.get("bbox")
            if not box:
                misses.append(f"{producer}/{name}: {field}={value!r} has no box")
                continue
            t[1] += 1
            text = words_in(pages[entry["page"]], box)
            if _matches(value, text) or _span_in(value, text) is not None:
                t[2] += 1
            else:
                misses.append(f"{producer}/{name}: {field}={value!r} box reads {text!r}")
    print(f"{'producer':<14}{'values':>8}{'boxed':>8}{'on value':>10}")
    for producer, (values, boxed, right) in totals.items():
        print(f"{producer:<14}{values:>8}{boxed:>8}{right:>10}")
    all_values = sum(t[0] for t in totals.values())
    all_boxed = sum(t[1] for t in totals.values())
    all_right = sum(t[2] for t in totals.values())
    print(f"{'all':<14}{all_values:>8}{all_boxed:>8}{all_right:>10}")
    for line in misses:
        print("  " + line)


if __name__ == "__main__":
    main()
