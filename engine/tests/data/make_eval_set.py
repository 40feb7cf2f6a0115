"""Build a labelled evaluation set of business documents (PDFs and photographed pages).

Deterministic for a given seed. Writes the files and ``labels.json`` into the output folder:

    python engine/tests/data/make_eval_set.py --out /tmp/ingestio-eval --seed 7

Each label names the file, its content type, its document type, the prompt to run and the
expected values (amounts as strings with two decimals, dates in ISO 8601).

The documents are made in the eval_*.py modules beside this file (names and formatting in
eval_common.py, invoices in eval_invoices.py, the other types in eval_documents.py, the PDF writer,
scans and photos in eval_pdf.py); this module writes the set and re-exports their names.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_common import (  # noqa: E402, F401
    CENT,
    CITIES,
    COMPANY_A,
    COMPANY_B,
    FIRST,
    GROCERIES,
    LAST,
    LOCALES,
    SERVICES,
    STORES,
    STREETS,
    SUFFIX,
    Doc,
    fmt_date,
    fmt_money,
    fmt_number,
    money,
)
from eval_documents import (  # noqa: E402, F401
    CLAUSES,
    OTHER_TEXTS,
    make_contract,
    make_id,
    make_other,
    make_po,
    make_receipt,
    make_resume,
    make_statement,
)
from eval_invoices import make_invoice, make_invoice_b, make_till_tax_invoice  # noqa: E402, F401
from eval_pdf import (  # noqa: E402, F401
    FIXED_TIME,
    Pdf,
    image_pdf,
    photo_12mp,
    photograph,
    render,
    scan,
)

# ---------------------------------------------------------------- the set


PROMPTS = {
    "invoice": "Extract the invoice number, date, total, currency, due date, subtotal, tax, vendor, customer and line items",
    "receipt": "Extract the receipt number, date, total, currency, merchant and line items",
    "purchase_order": "Extract the PO number, order date, total, currency and line items",
    "bank_statement": "Extract the account holder, opening balance and closing balance",
    "contract": "Extract the effective date and governing law",
    "resume": "Extract the full name and email",
    "id_document": "Extract the surname, date of birth, expiry date and passport number",
    "other": "Extract the title and date",
}
FIELD_ALIASES = {
    "receipt_number": "receipt_number",
    "vendor": "vendor",
    "id_number": "passport_number",
}


def generate(out_dir: str | Path, seed: int = 7) -> list[dict[str, Any]]:
    """Write the evaluation set into out_dir and return its labels."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []

    def save(
        name: str,
        data: bytes,
        dtype: str,
        labels: dict,
        mime: str = "application/pdf",
        kind: str = "text",
    ) -> None:
        (out / name).write_bytes(data)
        docs.append({"file": name, "mime_type": mime, "type": dtype, "kind": kind, "prompt": PROMPTS[dtype],
                     "fields": labels["fields"], "line_items": labels["line_items"]})  # fmt: skip

    def save_image(name: str, img: Image.Image, dtype: str, labels: dict, fmt: str) -> None:
        buf = io.BytesIO()
        if fmt == "JPEG":
            img.save(buf, format="JPEG", quality=rng.randint(65, 88))
        else:
            img.save(buf, format="PNG", optimize=True)
        save(
            name,
            buf.getvalue(),
            dtype,
            labels,
            "image/jpeg" if fmt == "JPEG" else "image/png",
            "ocr",
        )

    for i in range(20):
        loc = LOCALES[i % len(LOCALES)]
        data, labels = make_invoice(rng, i % 5, loc)
        if i in (3, 9, 14, 18):
            img = scan(render(data, 150), rng)
            save(
                f"invoice_{i:02d}_scan.pdf", image_pdf(img, 210, 297), "invoice", labels, kind="ocr"
            )
        else:
            save(f"invoice_{i:02d}.pdf", data, "invoice", labels)
    for i in range(8):
        loc = LOCALES[(i * 3 + 1) % len(LOCALES)]
        data, labels = make_invoice_b(rng, i % 4, loc)
        if i == 5:
            img = scan(render(data, 150), rng)
            save(
                f"invoice_b{i:02d}_scan.pdf",
                image_pdf(img, 216, 279),
                "invoice",
                labels,
                kind="ocr",
            )
        else:
            save(f"invoice_b{i:02d}.pdf", data, "invoice", labels)
    for i in range(4):
        data, labels = make_till_tax_invoice(rng, LOCALES[0])
        img = scan(render(data, 200), rng) if i % 2 else photo_12mp(render(data, 300), rng)
        name = f"receipt_t{i:02d}_{'scan.png' if i % 2 else 'photo.jpg'}"
        save_image(name, img, "receipt", labels, "PNG" if i % 2 else "JPEG")
    for i in range(16):
        loc = LOCALES[(i * 3) % len(LOCALES)]
        data, labels = make_receipt(rng, i % 4, loc)
        if i % 2 == 0:
            img = photograph(render(data, rng.choice([200, 230, 260])), rng)
            save_image(f"receipt_{i:02d}_photo.jpg", img, "receipt", labels, "JPEG")
        elif i % 4 == 1:
            img = scan(render(data, 200), rng)
            save_image(f"receipt_{i:02d}_scan.png", img, "receipt", labels, "PNG")
        else:
            save(f"receipt_{i:02d}.pdf", data, "receipt", labels)
    for i in range(6):
        data, labels = make_po(rng, LOCALES[(i * 7) % len(LOCALES)])
        save(f"purchase_order_{i:02d}.pdf", data, "purchase_order", labels)
    for i in range(5):
        data, labels = make_statement(rng, LOCALES[(i * 2) % len(LOCALES)])
        save(f"bank_statement_{i:02d}.pdf", data, "bank_statement", labels)
    for i in range(5):
        data, labels = make_contract(rng, LOCALES[0])
        save(f"contract_{i:02d}.pdf", data, "contract", labels)
    for i in range(5):
        data, labels = make_resume(rng, LOCALES[0])
        save(f"resume_{i:02d}.pdf", data, "resume", labels)
    for i in range(5):
        data, labels = make_id(rng, LOCALES[0])
        if i == 4:
            img = photograph(render(data, 300), rng, background=False)
            save_image(f"id_document_{i:02d}_photo.jpg", img, "id_document", labels, "JPEG")
        else:
            save(f"id_document_{i:02d}.pdf", data, "id_document", labels)
    for i in range(5):
        data, labels = make_other(rng, i)
        save(f"other_{i:02d}.pdf", data, "other", labels)
    (out / "labels.json").write_text(json.dumps(docs, indent=2))
    return docs


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the documents into")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    docs = generate(args.out, args.seed)
    print(f"wrote {len(docs)} documents to {args.out}")


if __name__ == "__main__":
    main()
