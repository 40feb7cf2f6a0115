"""Build a harder labelled evaluation set: invoices and receipts laid out like real ones.

Where engine/tests/data/make_eval_set.py prints tidy documents, this set prints what real invoices and
till receipts look like: two-column headers (seller left, invoice details right), bordered
tables, many label wordings and languages, subtotal/discount/shipping/tax lines before the total,
totals printed twice, other dates and numbers beside the ones asked for (due, delivery and order
dates, billing periods, customer, account, order and VAT numbers), dates in many formats with the
day/month order settled only by the country, amounts in several digit-grouping conventions, and
scans: till rolls rendered at 150-200 dpi then tilted, skewed, blurred, faded, unevenly lit,
noised and JPEG-compressed, and A4 invoices as image-only PDFs.

Deterministic for a given seed. Writes the files and ``labels.json`` (same shape as the easy
set's) into the output folder:

    python engine/tests/data/make_hard_set.py --out /tmp/ingestio-hard --seed 11

A label's ``prompt`` is None for documents run with auto-detection (classify, then the type's
default prompt).

The documents are made in the hard_*.py modules beside this file (locales, formatting and table
helpers in hard_common.py, invoice layouts in hard_invoices*.py, till receipts in
hard_receipts*.py, scans and photos in hard_scan.py); this module picks a maker and locale per
document, writes the set and re-exports the makers' names.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_pdf import Pdf, image_pdf, render  # noqa: E402, F401
from hard_common import (  # noqa: E402, F401
    CAFE,
    CENT,
    CITIES,
    DAYS_EN,
    DE_FOOD,
    FR_FOOD,
    GROCERIES,
    HEADERS,
    LOCALES,
    MONTHS_DE,
    MONTHS_EN,
    MONTHS_FR,
    PEOPLE,
    SELLER_A,
    SELLER_B,
    SERVICES,
    STORES,
    SUFFIX,
    Locale,
    address,
    aligns_for,
    amounts,
    doc_number,
    fmt_amt,
    fmt_date,
    fmt_num,
    issue_date,
    item_rows,
    items_for,
    money,
    new_pdf,
    ordinal,
    phone,
    rate_text,
    seller_name,
    summary,
    table,
    widths_for,
    words,
)
from hard_invoices import (  # noqa: E402, F401
    inv_billing_tool,
    inv_boxes,
    inv_classic,
    inv_footer_total,
    inv_french,
    inv_german,
    inv_simple,
    inv_utility,
)
from hard_invoices_more import (  # noqa: E402, F401
    inv_amount_box,
    inv_balance_header,
    inv_credit_note,
    inv_grid_pairs,
    inv_gst_india,
    inv_labels_above,
    inv_tax_inclusive,
    inv_two_page,
)
from hard_receipts import (  # noqa: E402, F401
    Row,
    rc_card_slip,
    rc_french,
    rc_fuel,
    rc_german,
    rc_my_tax_invoice,
    rc_restaurant,
    rc_supermarket,
    receipt_pdf,
)
from hard_receipts_more import (  # noqa: E402, F401
    rc_58mm,
    rc_au_cafe,
    rc_long,
    rc_pharmacy,
    rc_sroie,
    rc_uk_shop,
)
from hard_scan import degrade, scanned_pdf, to_image_bytes  # noqa: E402, F401

# ---------------------------------------------------------------- the set

INVOICE_MAKERS = [
    (inv_classic, ("us", "uk", "ie", "au", "ca", "nl", "sg")),
    (inv_boxes, ("us", "uk", "au", "ca")),
    (inv_billing_tool, ("us", "uk", "ie", "ca")),
    (inv_german, ("de", "ch")),
    (inv_french, ("fr",)),
    (inv_utility, ("us", "uk", "au")),
    (inv_simple, ("us", "uk", "de", "nl")),
    (inv_footer_total, ("uk", "ie", "nl", "de", "au")),
    (inv_labels_above, ("us", "ca", "uk", "sg")),
    (inv_gst_india, ("in",)),
    (inv_two_page, ("us", "uk", "nl")),
    (inv_amount_box, ("nl", "ie", "uk", "us", "ch")),
    (inv_grid_pairs, ("uk", "ie", "nl", "us", "sg")),
    (inv_credit_note, ("uk", "us", "au")),
    (inv_tax_inclusive, ("au", "uk", "sg")),
    (inv_balance_header, ("us", "in", "uk", "ca")),
]

RECEIPT_MAKERS = [
    (rc_supermarket, ("us", "us", "au", "ca")),
    (rc_restaurant, ("us", "sg", "au", "my")),
    (rc_german, ("de",)),
    (rc_my_tax_invoice, ("my",)),
    (rc_card_slip, ("us", "uk", "au")),
    (rc_fuel, ("uk", "ie")),
    (rc_french, ("fr",)),
    (rc_uk_shop, ("uk",)),
    (rc_pharmacy, ("us", "uk", "us")),
    (rc_au_cafe, ("au",)),
    (rc_sroie, ("my",)),
    (rc_long, ("us", "au", "uk")),
    (rc_58mm, ("sg", "my", "us", "de")),
]

INVOICE_PROMPTS = [
    "Extract the invoice number, date and total",
    "Extract invoice number, invoice date, due date, vendor, total and line items",
    '["invoice_number", "date", "total_amount"]',
    None,
]
RECEIPT_PROMPTS = [
    "Extract the receipt number, date and total",
    "Extract the merchant, date and total",
    "Extract the invoice number, date and total",
    None,
]


def generate(out_dir: str | Path, seed: int = 11, *, invoices: int = 75, receipts: int = 78,
             scanned_invoices: int = 15, scanned_receipts: int = 58) -> list[dict[str, Any]]:  # fmt: skip
    """Write the hard evaluation set into out_dir and return its labels."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []

    def add(name: str, data: bytes, dtype: str, fields: dict, mime: str, kind: str, prompt) -> None:
        (out / name).write_bytes(data)
        docs.append({"file": name, "mime_type": mime, "type": dtype, "kind": kind, "prompt": prompt,
                     "fields": fields, "line_items": []})  # fmt: skip

    scan_every = max(1, invoices // max(scanned_invoices, 1)) if scanned_invoices else 0
    for i in range(invoices):
        maker, keys = INVOICE_MAKERS[i % len(INVOICE_MAKERS)]
        loc = LOCALES[keys[(i // len(INVOICE_MAKERS)) % len(keys)]]
        data, fields = maker(rng, loc)
        prompt = INVOICE_PROMPTS[i % len(INVOICE_PROMPTS)]
        if scan_every and i % scan_every == scan_every - 1 and maker is not inv_two_page:
            add(f"hard_invoice_{i:03d}_{maker.__name__}_scan.pdf", scanned_pdf(data, rng), "invoice",
                fields, "application/pdf", "ocr", prompt)  # fmt: skip
        else:
            add(f"hard_invoice_{i:03d}_{maker.__name__}.pdf", data, "invoice", fields,
                "application/pdf", "text", prompt)  # fmt: skip
    for i in range(receipts):
        maker, keys = RECEIPT_MAKERS[i % len(RECEIPT_MAKERS)]
        loc = LOCALES[keys[(i // len(RECEIPT_MAKERS)) % len(keys)]]
        rows, fields = maker(rng, loc)
        data = receipt_pdf(rows, rng, 58 if maker is rc_58mm else 80)
        prompt = RECEIPT_PROMPTS[(i // 2) % len(RECEIPT_PROMPTS)]
        if i < scanned_receipts and i % 7 != 6:
            photo = rng.random() < 0.5
            heavy = rng.random() < 0.25
            dpi = rng.choice([130, 150]) if heavy else rng.choice([150, 170, 200])
            img = degrade(render(data, dpi), rng, photo=photo, heavy=heavy)
            fmt = "JPEG" if photo or heavy or rng.random() < 0.5 else "PNG"
            ext = "jpg" if fmt == "JPEG" else "png"
            add(f"hard_receipt_{i:03d}_{maker.__name__}_{'photo' if photo else 'scan'}.{ext}",
                to_image_bytes(img, rng, fmt), "receipt", fields,
                "image/jpeg" if fmt == "JPEG" else "image/png", "ocr", prompt)  # fmt: skip
        else:
            add(f"hard_receipt_{i:03d}_{maker.__name__}.pdf", data, "receipt", fields,
                "application/pdf", "text", prompt)  # fmt: skip
    (out / "labels.json").write_text(json.dumps(docs, indent=2, ensure_ascii=False))
    return docs


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the documents into")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    docs = generate(args.out, args.seed)
    print(f"wrote {len(docs)} documents to {args.out}")


if __name__ == "__main__":
    main()
