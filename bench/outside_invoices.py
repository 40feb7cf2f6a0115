"""The local engine on real invoices labelled by someone else: invoice2data's comparison set.

invoice2data (a template-based invoice parser, MIT licence) ships real invoices with the values
its templates read from them (``tests/compare/*.pdf`` beside ``*.json``: issuer, amount, date,
invoice_number, currency). Its 0.4.0 source archive holds seven: AWS, Flipkart, Netpresse,
QualityHosting, a line-items test invoice, Free (French telecom) and OYO (a hotel payment receipt).
Fetch and unpack it, then point this script at the folder:

    curl -sL https://files.pythonhosted.org/packages/0c/38/\
e2f5b9e98a219c251594b1ffca2da66d8b8981233141d42bf43695e48455/invoice2data-0.4.0.tar.gz | tar xz -C /tmp
    python bench/outside_invoices.py /tmp/invoice2data-0.4.0/tests/compare

Each PDF is read with auto-detection (classify, then the type's default prompt), as the wizard's
"auto" runs it. Printed per file: the type found and, per field, the engine's value where it
differs from the label; then how many files agree per field. Numbers are compared without a
leading '#', amounts as numbers, vendors when one name holds the other (case and punctuation
aside). A label the set marks as a template artefact ("invoice_number_1") counts as no label.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import DEFAULT_PROMPTS, SourceDocument, get_provider  # noqa: E402
from engine.pdf import count_pages  # noqa: E402

FIELDS = ("invoice_number", "date", "amount", "currency", "issuer")


def _name(text) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def found_values(data: dict) -> dict:
    """The engine's answer under the set's field names."""
    return {
        "invoice_number": data.get("invoice_number") or data.get("receipt_number"),
        "date": data.get("date"),
        "amount": data.get("total"),
        "currency": data.get("currency"),
        "issuer": data.get("vendor") or data.get("merchant"),
    }


def agrees(field: str, found, expected) -> bool:
    """Whether the engine's value matches the set's label."""
    if field == "invoice_number":
        return str(found or "").lstrip("#") == str(expected).lstrip("#")
    if field == "amount":
        return _amount(found) is not None and _amount(found) == _amount(expected)
    if field == "issuer":
        a, b = _name(found), _name(expected)
        return bool(a and b) and (a in b or b in a)
    return found == expected


def labelled(expected: dict, field: str) -> bool:
    """Whether the set gives a real value for the field (not a template's placeholder)."""
    value = expected.get(field)
    return value is not None and not re.fullmatch(r"[a-z_]+_\d+", str(value))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of PDFs with a .json label beside each")
    args = parser.parse_args()

    provider = get_provider("local")
    right = {f: 0 for f in FIELDS}
    asked = {f: 0 for f in FIELDS}
    pdfs = sorted(p for p in args.folder.glob("*.pdf") if p.with_suffix(".json").exists())
    if not pdfs:
        raise SystemExit(f"no PDF with a .json label in {args.folder}")
    for pdf in pdfs:
        expected = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))[0]
        pages = count_pages(str(pdf), "application/pdf")
        doc = SourceDocument(str(pdf), "application/pdf", pdf.name, pages)
        kind, _confidence = provider.classify(doc)
        data = provider.extract(doc, DEFAULT_PROMPTS[kind], document_type=kind)["data"]
        found = found_values(data)
        misses = []
        for field in FIELDS:
            if not labelled(expected, field):
                continue
            asked[field] += 1
            if agrees(field, found[field], expected[field]):
                right[field] += 1
            else:
                misses.append(f"{field} {found[field]!r} (label {expected[field]!r})")
        print(f"{pdf.name:32s} {kind:8s} {'; '.join(misses) or 'all labelled fields agree'}")
    print()
    for field in FIELDS:
        print(f"  {field:15s} {right[field]}/{asked[field]}")


if __name__ == "__main__":
    main()
