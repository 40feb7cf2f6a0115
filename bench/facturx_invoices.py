"""The local engine on e-invoices that carry their own answer: Factur-X and ZUGFeRD PDFs.

A Factur-X (France) or ZUGFeRD (Germany) invoice is a PDF for people with the same invoice
embedded as Cross-Industry-Invoice XML for machines, as ERP systems issue them. The XML is the
label: this script reads each PDF's page text with the local engine (auto-detection, the type's
default prompt, as the wizard's "auto" runs it) and compares the fields with the XML's.

factur-x (Akretion's library, BSD licence) ships an EN 16931 sample in its source archive:

    pip download --no-deps --no-binary :all: factur-x==7.8 -d /tmp/fx
    tar xzf /tmp/fx/factur_x-7.8.tar.gz -C /tmp/fx
    python bench/facturx_invoices.py /tmp/fx/factur_x-7.8/tests/fixtures/pdf

Any folder of Factur-X or ZUGFeRD PDFs works. Printed per file: the fields where the engine
differs from the XML; then how many agree per field. Amounts compare as numbers, names when one
holds the other (case and punctuation aside), tax ids without spaces.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import DEFAULT_PROMPTS, SourceDocument, get_provider  # noqa: E402
from engine.pdf import count_pages  # noqa: E402

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
FIELDS = (
    "invoice_number",
    "date",
    "due_date",
    "subtotal",
    "tax",
    "total",
    "currency",
    "vendor",
    "vendor_tax_id",
    "customer",
)
AMOUNTS = {"subtotal", "tax", "total"}
NAMES = {"vendor", "customer"}


def embedded_xml(pdf: Path) -> ET.Element | None:
    """The CII XML attached to a PDF (factur-x.xml, zugferd-invoice.xml, xrechnung.xml)."""
    from pypdf import PdfReader

    for name, contents in PdfReader(str(pdf)).attachments.items():
        if name.lower().endswith(".xml") and contents:
            root = ET.fromstring(contents[0])
            if root.tag.endswith("CrossIndustryInvoice"):
                return root
    return None


def _text(root: ET.Element, path: str) -> str | None:
    node = root.find(path, NS)
    return node.text.strip() if node is not None and node.text else None


def _date(value: str | None) -> str | None:
    if not value or not re.fullmatch(r"\d{8}", value):
        return None
    return date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()


def labels(root: ET.Element) -> dict:
    """The fields of the invoice as its XML states them."""
    deal = ".//ram:ApplicableHeaderTradeSettlement"
    sums = f"{deal}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    seller = ".//ram:SellerTradeParty"
    vat = root.find(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS)
    return {
        "invoice_number": _text(root, "rsm:ExchangedDocument/ram:ID"),
        "date": _date(_text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")),
        "due_date": _date(
            _text(
                root,
                f"{deal}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
            )
        ),
        "subtotal": _text(root, f"{sums}/ram:TaxBasisTotalAmount"),
        "tax": _text(root, f"{sums}/ram:TaxTotalAmount"),
        "total": _text(root, f"{sums}/ram:GrandTotalAmount"),
        "currency": _text(root, f"{deal}/ram:InvoiceCurrencyCode"),
        "vendor": _text(root, f"{seller}/ram:Name"),
        "vendor_tax_id": vat.text.strip() if vat is not None and vat.text else None,
        "customer": _text(root, ".//ram:BuyerTradeParty/ram:Name"),
    }


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _name(text) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def agrees(field: str, found, expected) -> bool:
    """Whether the engine's value matches the XML's."""
    if field in AMOUNTS:
        return _amount(found) is not None and _amount(found) == _amount(expected)
    if field in NAMES:
        a, b = _name(found), _name(expected)
        return bool(a and b) and (a in b or b in a)
    if field == "vendor_tax_id":
        return re.sub(r"\s", "", str(found or "")) == re.sub(r"\s", "", expected)
    return found == expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of Factur-X or ZUGFeRD PDFs")
    args = parser.parse_args()

    provider = get_provider("local")
    right = dict.fromkeys(FIELDS, 0)
    asked = dict.fromkeys(FIELDS, 0)
    files = 0
    for pdf in sorted(args.folder.glob("*.pdf")):
        root = embedded_xml(pdf)
        if root is None:
            continue
        files += 1
        expected = labels(root)
        pages = count_pages(str(pdf), "application/pdf")
        doc = SourceDocument(str(pdf), "application/pdf", pdf.name, pages)
        kind, _confidence = provider.classify(doc)
        data = provider.extract(doc, DEFAULT_PROMPTS[kind], document_type=kind)["data"]
        misses = []
        for field in FIELDS:
            if expected[field] is None:
                continue
            asked[field] += 1
            if agrees(field, data.get(field), expected[field]):
                right[field] += 1
            else:
                misses.append(f"{field} {data.get(field)!r} (XML {expected[field]!r})")
        print(f"{pdf.name:32s} {kind:8s} {'; '.join(misses) or 'every field agrees'}")
    if not files:
        raise SystemExit(f"no PDF with an embedded Cross-Industry-Invoice XML in {args.folder}")
    print()
    for field in FIELDS:
        print(f"  {field:15s} {right[field]}/{asked[field]}")


if __name__ == "__main__":
    main()
