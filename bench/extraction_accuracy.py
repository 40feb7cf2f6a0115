"""Accuracy and speed of the local extraction engine on the generated evaluation sets.

    python bench/extraction_accuracy.py [--set easy|hard|both|producers] [--dir DIR]
                                        [--hard-dir DIR] [--seed 7] [--hard-seed 11] [--verbose]

Builds each set into a temporary folder (unless a folder that already holds labels.json is
named): engine/tests/data/make_eval_set.py (tidy documents of every type) and engine/tests/data/make_hard_set.py
(invoices and receipts laid out like real ones, a third of them scanned or photographed). Prints
per-field precision and recall, line item precision and recall, classification accuracy, seconds
per page for text PDFs and for OCR, and the checker-style accuracy of total, date and number: the
value found under the first data key whose name holds "total", "date", or "invoice"/"number",
compared after the same normalisation the outside-in checker applies.

``--set producers`` reads the producer corpus (engine/tests/data/producers.py: the same invoices and
receipts printed by Chromium, wkhtmltopdf, WeasyPrint, Ghostscript, reportlab and fpdf2, plus
300 dpi scans and a photograph of some) and prints the accuracy per field and per producer, and
per PDF the share of the template's words and of PDFium's own words (``get_text_range``) that
the engine's page text keeps.
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
sys.path.insert(0, str(ROOT / "engine" / "tests" / "data"))

from checker_match import find_field, norm_amount, norm_text  # noqa: E402

from engine import DEFAULT_PROMPTS, SourceDocument, get_provider  # noqa: E402
from engine.ocr import warm_up  # noqa: E402

# Label key -> key the prompt of that document type produces, where they differ.
RESULT_KEY = {
    "receipt": {"vendor": "merchant"},
    "id_document": {"id_number": "passport_number"},
}
HEADLINE = ("invoice_number", "receipt_number", "po_number", "date", "order_date", "total")
NUMBER_KEYS = ("invoice_number", "receipt_number", "po_number")


def asks_number(prompt: str | None) -> bool:
    """True when the prompt asks for a document number (auto-detection always does)."""
    return prompt is None or bool(re.search(r"number|\bno\b|#|_id\b", prompt, re.IGNORECASE))


# ---------------------------------------------------------------- field matching


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


NOT_ASKED = object()


def lookup(data: dict, key: str, dtype: str, prompt: str | None):
    """The extracted value of a labelled field: its own key, else the checker's way; NOT_ASKED
    when the prompt named no such field (the field is then left out of the counts)."""
    mapped = RESULT_KEY.get(dtype, {}).get(key, key)
    if mapped in data:
        return data[mapped]
    if key == "total":
        return find_field(data, "total")
    if key == "date":
        return find_field(data, "date")
    if key in NUMBER_KEYS:
        return find_field(data, "invoice", "number") if asks_number(prompt) else NOT_ASKED
    names = {"vendor": ("vendor", "merchant", "seller", "sender")}.get(key, (key,))
    if not any(n in k for k in data for n in names):
        return NOT_ASKED
    return find_field(data, *names)


# ---------------------------------------------------------------- one set


def run_set(name: str, folder: Path, labels: list[dict], provider, verbose: bool) -> dict:
    """Run every document of a set, print its figures and return the headline ones."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    items = {"tp": 0, "pred": 0, "exp": 0}
    correct_type = 0
    confusion: list[str] = []
    timing: dict[str, list[float]] = {"text": [], "ocr": []}
    checker = {k: {"right": 0, "all": 0} for k in ("total", "date", "number")}
    misses: list[str] = []
    for entry in labels:
        doc = SourceDocument(str(folder / entry["file"]), entry["mime_type"], entry["file"])
        started = time.perf_counter()
        dtype, conf = provider.classify(doc)
        prompt = entry["prompt"]
        if prompt is None:
            result = provider.extract(
                doc, DEFAULT_PROMPTS.get(dtype, DEFAULT_PROMPTS["other"]), dtype
            )
        else:
            result = provider.extract(doc, prompt)
        elapsed = time.perf_counter() - started
        pages = result["meta"]["pages"] or 1
        timing[entry["kind"]].append(elapsed / pages)
        if dtype == entry["type"]:
            correct_type += 1
        else:
            confusion.append(f"{entry['file']}: {entry['type']} -> {dtype} ({conf})")
        data = result["data"]
        for key, expected in entry["fields"].items():
            got = lookup(data, key, entry["type"], prompt)
            if got is NOT_ASKED or (expected is None and got is None):
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
                if verbose:
                    print(f"  miss {entry['file']} {key}: want {expected!r} got {got!r}")
        if entry["type"] in ("invoice", "receipt", "purchase_order"):
            f = entry["fields"]
            truth_number = next((f[k] for k in NUMBER_KEYS if f.get(k)), None)
            checks = [("total", f.get("total"), find_field(data, "total"), "amount"),
                      ("date", f.get("date") or f.get("order_date"), find_field(data, "date"), "text")]  # fmt: skip
            if truth_number and asks_number(prompt):
                checks.append(
                    ("number", truth_number, find_field(data, "invoice", "number"), "text")
                )
            for what, want, got, how in checks:
                if want is None:
                    continue
                norm = norm_amount if how == "amount" else norm_text
                ok = norm(got) is not None and norm(got) == norm(want)
                checker[what]["all"] += 1
                checker[what]["right"] += int(ok)
                if not ok:
                    misses.append(
                        f"{entry['file']} [{prompt and prompt[:28]}] {what}: want {want!r} got {got!r}"
                    )
        if entry.get("line_items"):
            got_items = list(result.get("line_items") or [])
            items["pred"] += len(got_items)
            items["exp"] += len(entry["line_items"])
            for exp in entry["line_items"]:
                hit = next((g for g in got_items if item_match(exp, g)), None)
                if hit is not None:
                    items["tp"] += 1
                    got_items.remove(hit)
                elif verbose:
                    print(f"  item miss {entry['file']}: {exp}")

    print(f"\n=== {name} set: {len(labels)} documents  ({folder})")
    print(f"{'field':<18}{'precision':>10}{'recall':>10}{'n':>5}")
    for key in sorted(counts):
        c = counts[key]
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        print(f"{key:<18}{p:>10.3f}{r:>10.3f}{c['tp'] + c['fn']:>5}")
    if items["exp"]:
        ip = items["tp"] / items["pred"] if items["pred"] else 0.0
        ir = items["tp"] / items["exp"]
        print(f"{'line_items':<18}{ip:>10.3f}{ir:>10.3f}{items['exp']:>5}")
    out = {}
    print("checker-style accuracy (invoices, receipts, POs):")
    for what, c in checker.items():
        acc = c["right"] / c["all"] if c["all"] else 0.0
        out[what] = acc
        print(f"  {what:<8}{c['right']:>4}/{c['all']:<4} = {acc:.3f}")
    if verbose:
        for line in misses:
            print(f"  checker miss {line}")
    out["classification"] = correct_type / len(labels)
    print(f"classification accuracy: {correct_type}/{len(labels)} = {out['classification']:.3f}")
    for line in confusion:
        print(f"  {line}")
    for kind in ("text", "ocr"):
        ts = timing[kind]
        if ts:
            print(
                f"seconds per page ({kind}): mean {sum(ts) / len(ts):.3f}  max {max(ts):.3f}  n={len(ts)}"
            )
    return out


def run_producers(folder: Path, provider, verbose: bool) -> None:
    """Field accuracy per producer and word recall per file on the producer corpus."""
    import producers as P
    import pypdfium2 as pdfium

    from engine.text import load_document

    prompts = {
        "invoice": "Extract the invoice number, date, total and currency",
        "receipt": "Extract the date, total, currency and merchant",
    }
    files: list[tuple[str, str, Path, str]] = []  # producer, document, path, mime
    for producer in P.PRODUCERS:
        if not P.available(producer):
            print(f"{producer}: not installed, left out")
            continue
        for name in P.DOCS:
            files.append((producer, name, P.make(producer, name, folder), "application/pdf"))
    if P.available("chromium"):
        for name, photo in (
            ("saas_invoice", False),
            ("rechnung", False),
            ("thermal_receipt", True),
        ):
            img = P.scanned(P.render(P.make("chromium", name, folder), 300), photo=photo)
            path = folder / f"{name}.{'photo' if photo else 'scan'}.jpg"
            img.save(path, quality=85)
            files.append(("scan/photo", name, path, "image/jpeg"))
            if not photo:
                pdf = P.image_pdf(img, folder / f"{name}.scan.pdf")
                files.append(("scan/photo", name, pdf, "application/pdf"))
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_producer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    print(f"\n=== producers set: {len(files)} files  ({folder})")
    print(f"{'file':<40}{'template words':>15}{'PDFium words':>14}{'fields':>8}")
    for producer, name, path, mime in files:
        spec = P.DOCS[name]
        doc = SourceDocument(str(path), mime, path.name)
        t0 = time.perf_counter()
        data = provider.extract(doc, prompts[spec["type"]])["data"]
        took = time.perf_counter() - t0
        right = 0
        for key, want in spec["fields"].items():
            got = find_field(data, key.replace("_", ""), key.split("_")[-1])
            if key == "total":
                ok = norm_amount(got) == norm_amount(want)
            else:
                ok = norm_text(got) == norm_text(want)
            right += ok
            per_field[key][0] += ok
            per_field[key][1] += 1
            per_producer[producer][0] += ok
            per_producer[producer][1] += 1
            if verbose and not ok:
                print(f"  miss {path.name} {key}: want {want!r} got {got!r}")
        words = ref = ""
        if mime == "application/pdf" and producer != "scan/photo":
            text = load_document(doc, ocr=False).text
            pdf = pdfium.PdfDocument(str(path))
            try:
                pdfium_text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
            finally:
                pdf.close()
            words = f"{P.recall(P.words(name), text):.3f}"
            ref = f"{P.recall(P.tokens(pdfium_text), text):.3f}"
        label = f"{path.name} ({took:.1f} s)"
        print(f"{label:<40}{words:>15}{ref:>14}{right:>5}/{len(spec['fields'])}")
    print("accuracy per field:")
    for key, (ok, n) in per_field.items():
        print(f"  {key:<16}{ok:>4}/{n:<4} = {ok / n:.3f}")
    print("accuracy per producer:")
    for producer, (ok, n) in per_producer.items():
        print(f"  {producer:<16}{ok:>4}/{n:<4} = {ok / n:.3f}")


def load_set(name: str, folder: str | None, seed: int) -> tuple[Path, list[dict]]:
    """The labels of a set, building it first when the folder does not hold one."""
    path = Path(folder or tempfile.mkdtemp(prefix=f"ingestio-{name}-"))
    if (path / "labels.json").exists():
        return path, json.loads((path / "labels.json").read_text())
    if name == "easy":
        from make_eval_set import generate
    else:
        from make_hard_set import generate
    return path, generate(path, seed)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("easy", "hard", "both", "producers"), default="both")
    parser.add_argument(
        "--dir", help="folder of the easy set (built there if labels.json is missing)"
    )
    parser.add_argument("--hard-dir", help="folder of the hard set (built there if missing)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hard-seed", type=int, default=11)
    parser.add_argument("--only", help="run only the files whose name contains this text")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    provider = get_provider("local")
    t0 = time.perf_counter()
    warm_up()
    print(f"OCR model load {time.perf_counter() - t0:.2f} s")
    if args.set == "producers":
        folder = Path(args.dir or tempfile.mkdtemp(prefix="ingestio-producers-"))
        run_producers(folder, provider, args.verbose)
        return
    sets = ("easy", "hard") if args.set == "both" else (args.set,)
    for name in sets:
        folder, labels = load_set(
            name,
            args.dir if name == "easy" else args.hard_dir,
            args.seed if name == "easy" else args.hard_seed,
        )
        if args.only:
            labels = [e for e in labels if args.only in e["file"]]
        run_set(name, folder, labels, provider, args.verbose)


if __name__ == "__main__":
    main()
