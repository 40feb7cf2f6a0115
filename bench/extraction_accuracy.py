"""Accuracy and speed of the local extraction engine on the generated evaluation set.

    python bench/extraction_accuracy.py [--dir DIR] [--seed 7] [--verbose]

Builds the set with tests/data/make_eval_set.py into a temporary folder (unless --dir names one
that already holds labels.json), then prints per-field precision and recall, line item precision
and recall, classification accuracy, and seconds per page for text PDFs and for OCR.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data"))

from app.services.extraction import SourceDocument, get_provider  # noqa: E402
from app.services.extraction.ocr import warm_up  # noqa: E402

# Label key -> key the prompt of that document type produces, where they differ.
RESULT_KEY = {
    "receipt": {"vendor": "merchant"},
    "id_document": {"id_number": "passport_number"},
}
HEADLINE = ("invoice_number", "receipt_number", "po_number", "date", "order_date", "total")


def _dec(v) -> Decimal | None:
    """Decimal of a number or numeric string."""
    try:
        return Decimal(str(v)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _norm(v) -> str:
    """Text compared without case, spacing or punctuation."""
    return re.sub(r"[\W_]+", "", str(v)).lower()


def same(expected, got) -> bool:
    """Whether an extracted value matches the label."""
    if got is None:
        return False
    if isinstance(expected, str) and re.fullmatch(r"-?\d+\.\d{2}", expected):
        return _dec(got) == _dec(expected)
    return _norm(expected) == _norm(got)


def item_match(exp: dict, got: dict) -> bool:
    """A line item matches on amount, quantity and description."""
    if _dec(got.get("amount")) != _dec(exp["amount"]):
        return False
    if got.get("quantity") is not None and float(got["quantity"]) != float(exp["quantity"]):
        return False
    a, b = _norm(exp["description"]), _norm(got.get("description") or "")
    return bool(b) and (a == b or a in b or b in a)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="folder with the set (built there if labels.json is missing)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    from make_eval_set import generate

    folder = Path(args.dir or tempfile.mkdtemp(prefix="ingestio-eval-"))
    if (folder / "labels.json").exists():
        labels = json.loads((folder / "labels.json").read_text())
    else:
        labels = generate(folder, args.seed)
    provider = get_provider("local")
    t0 = time.perf_counter()
    warm_up()
    load_s = time.perf_counter() - t0

    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    items = {"tp": 0, "pred": 0, "exp": 0}
    correct_type = 0
    confusion: list[str] = []
    timing: dict[str, list[float]] = {"text": [], "ocr": []}
    photo_times: list[float] = []
    headline = {"right": 0, "all": 0}
    for entry in labels:
        doc = SourceDocument(str(folder / entry["file"]), entry["mime_type"], entry["file"])
        started = time.perf_counter()
        dtype, conf = provider.classify(doc)
        result = provider.extract(doc, entry["prompt"])
        elapsed = time.perf_counter() - started
        pages = result["meta"]["pages"] or 1
        timing[entry["kind"]].append(elapsed / pages)
        if entry["type"] == "receipt" and entry["file"].endswith("_photo.jpg"):
            photo_times.append(elapsed)
        if dtype == entry["type"]:
            correct_type += 1
        else:
            confusion.append(f"{entry['file']}: {entry['type']} -> {dtype} ({conf})")
        keymap = RESULT_KEY.get(entry["type"], {})
        for key, expected in entry["fields"].items():
            got = result["data"].get(keymap.get(key, key))
            if expected is None and got is None:
                continue
            c = counts[key]
            ok = expected is not None and same(expected, got)
            if ok:
                c["tp"] += 1
            else:
                if got is not None:
                    c["fp"] += 1
                if expected is not None:
                    c["fn"] += 1
                if args.verbose:
                    print(f"  miss {entry['file']} {key}: want {expected!r} got {got!r}")
            if key in HEADLINE and entry["type"] in ("invoice", "receipt", "purchase_order"):
                headline["all"] += 1
                headline["right"] += int(ok)
        if entry["line_items"]:
            got_items = list(result.get("line_items") or [])
            items["pred"] += len(got_items)
            items["exp"] += len(entry["line_items"])
            for exp in entry["line_items"]:
                hit = next((g for g in got_items if item_match(exp, g)), None)
                if hit is not None:
                    items["tp"] += 1
                    got_items.remove(hit)
                elif args.verbose:
                    print(f"  item miss {entry['file']}: {exp}")

    print(f"documents: {len(labels)}  (set in {folder})")
    print(f"{'field':<18}{'precision':>10}{'recall':>10}{'n':>5}")
    for key in sorted(counts):
        c = counts[key]
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        print(f"{key:<18}{p:>10.3f}{r:>10.3f}{c['tp'] + c['fn']:>5}")
    ip = items["tp"] / items["pred"] if items["pred"] else 0.0
    ir = items["tp"] / items["exp"] if items["exp"] else 0.0
    print(f"{'line_items':<18}{ip:>10.3f}{ir:>10.3f}{items['exp']:>5}")
    print(
        f"total/date/number right (invoices, receipts, POs): "
        f"{headline['right']}/{headline['all']} = {headline['right'] / max(headline['all'], 1):.3f}"
    )
    print(
        f"classification accuracy: {correct_type}/{len(labels)} = {correct_type / len(labels):.3f}"
    )
    for line in confusion:
        print(f"  {line}")
    for kind in ("text", "ocr"):
        ts = timing[kind]
        if ts:
            print(
                f"seconds per page ({kind}): mean {sum(ts) / len(ts):.3f}  max {max(ts):.3f}  n={len(ts)}"
            )
    if photo_times:
        print(
            f"receipt photo (classify + OCR + extract): mean {sum(photo_times) / len(photo_times):.2f} s"
            f"  max {max(photo_times):.2f} s  n={len(photo_times)}; OCR model load {load_s:.2f} s"
        )


if __name__ == "__main__":
    main()
