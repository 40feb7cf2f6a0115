"""A small set of completed documents (real PDFs and extraction results) to ask questions about."""

from app.extensions import db
from app.models import Document, DocumentStatus, ExtractionResult, User
from tests.factories import make_document
from tests.pdfgen import PdfBuilder, _pages_node, make_pdf


def pdf_pages(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show their own lines (one page: pdfgen.make_pdf)."""
    if len(pages) == 1:
        return make_pdf(1, lines=pages[0])
    builder = PdfBuilder()
    root = builder.reserve()
    font = builder.add_font()
    kids = [builder.add_page(root, font, lines, n) for n, lines in enumerate(pages, start=1)]
    builder.set(root, _pages_node(kids, len(kids)))
    return builder.build(builder.add_catalog(root))


def result(document_type: str, fields: dict) -> dict:
    """A result dict from {name: (value, page, source_text)}."""
    return {
        "document_type": document_type,
        "data": {name: value for name, (value, _page, _src) in fields.items()},
        "fields": {
            name: {"value": value, "confidence": 0.9, "page": page, "source_text": src}
            for name, (value, page, src) in fields.items()
        },
        "line_items": [],
        "meta": {"provider": "local", "model": "rules", "pages": 1, "duration_ms": 5},
    }


def completed_document(
    user: User, filename: str, pages: list[list[str]], data: dict | None, batch=None
) -> Document:
    """A completed document with its stored PDF and, when given, its extraction result."""
    doc = make_document(
        user,
        batch,
        content=pdf_pages(pages),
        filename=filename,
        page_count=len(pages),
        status=DocumentStatus.COMPLETED,
    )
    if data is not None:
        doc.document_type = data["document_type"]
        db.session.add(ExtractionResult(document_id=doc.id, data=data, provider="local"))
    if batch is not None:
        batch.completed_count += 1
    db.session.commit()
    return doc


INVOICE_42 = [
    [
        "ACME Supplies Ltd",
        "12 Harbour Road, Dublin",
        "INVOICE",
        "Invoice No: 42",
        "Invoice Date: 2024-03-15",
        "Due Date: 2024-04-14",
        "Bill to: Northwind Traders",
    ],
    [
        "Description Qty Amount",
        "Consulting services 10 1,000.00",
        "Subtotal: 1,000.00",
        "VAT 25%: 250.00",
        "Total due: 1,250.00 EUR",
        "Payment by bank transfer to IBAN IE29 AIBK 9311 5212 3456 78",
    ],
]
INVOICE_77 = [
    [
        "Globex Corporation",
        "INVOICE",
        "Invoice No: 77",
        "Invoice Date: 2024-05-02",
        "Bill to: Northwind Traders",
        "Hosting plan 12 months",
        "Total: 980.50 USD",
    ]
]
AGREEMENT = [
    [
        "SERVICE AGREEMENT",
        "between ACME Supplies Ltd and Northwind Traders",
        "Effective date: 1 January 2024",
        "Term: 24 months",
        "The supplier provides consulting services to the client.",
    ],
    [
        "Termination",
        "Either party may terminate this agreement with 90 days written notice.",
        "Governing law",
        "This agreement is governed by the laws of Ireland.",
        "Signed by Jane Doe for ACME Supplies Ltd.",
    ],
]
MEMO = [
    [
        "Internal memo",
        "The Rotterdam warehouse opens at 7:00 on weekdays.",
        "Deliveries on Saturday need a booking two days ahead.",
    ]
]
OTHER_INVOICE_42 = [
    [
        "Initech LLC",
        "Invoice No: 42",
        "Invoice Date: 2023-11-30",
        "Total due: 9,999.00 USD",
        "The Rotterdam warehouse opens at 5:00 on weekdays.",
    ]
]


def build_corpus(user: User, batch=None) -> dict[str, Document]:
    """Two invoices, a contract and a memo for the user, all completed."""
    return {
        "invoice42": completed_document(
            user,
            "invoice-42.pdf",
            INVOICE_42,
            result(
                "invoice",
                {
                    "invoice_number": ("42", 1, "Invoice No: 42"),
                    "date": ("2024-03-15", 1, "Invoice Date: 2024-03-15"),
                    "due_date": ("2024-04-14", 1, "Due Date: 2024-04-14"),
                    "total": (1250.0, 2, "Total due: 1,250.00 EUR"),
                    "subtotal": (1000.0, 2, "Subtotal: 1,000.00"),
                    "tax": (250.0, 2, "VAT 25%: 250.00"),
                    "currency": ("EUR", 2, "EUR"),
                    "vendor": ("ACME Supplies Ltd", 1, "ACME Supplies Ltd"),
                    "customer": ("Northwind Traders", 1, "Bill to: Northwind Traders"),
                },
            ),
            batch,
        ),
        "invoice77": completed_document(
            user,
            "invoice-77.pdf",
            INVOICE_77,
            result(
                "invoice",
                {
                    "invoice_number": ("77", 1, "Invoice No: 77"),
                    "date": ("2024-05-02", 1, "Invoice Date: 2024-05-02"),
                    "due_date": (None, None, None),
                    "total": (980.5, 1, "Total: 980.50 USD"),
                    "currency": ("USD", 1, "USD"),
                    "vendor": ("Globex Corporation", 1, "Globex Corporation"),
                },
            ),
            batch,
        ),
        "agreement": completed_document(
            user,
            "service-agreement.pdf",
            AGREEMENT,
            result(
                "contract",
                {
                    "contract_title": ("Service Agreement", 1, "SERVICE AGREEMENT"),
                    "parties": (["ACME Supplies Ltd", "Northwind Traders"], 1, None),
                    "effective_date": ("2024-01-01", 1, "Effective date: 1 January 2024"),
                    "term": ("24 months", 1, "Term: 24 months"),
                    "governing_law": ("Ireland", 2, "governed by the laws of Ireland"),
                },
            ),
            batch,
        ),
        "memo": completed_document(
            user,
            "warehouse-memo.pdf",
            MEMO,
            result("other", {"title": ("Internal memo", 1, "Internal memo")}),
            batch,
        ),
    }


def build_other_corpus(user: User) -> dict[str, Document]:
    """Another user's invoice 42 and memo, which must never answer the first user's questions."""
    return {
        "invoice42": completed_document(
            user,
            "invoice-42.pdf",
            OTHER_INVOICE_42,
            result(
                "invoice",
                {
                    "invoice_number": ("42", 1, "Invoice No: 42"),
                    "date": ("2023-11-30", 1, "Invoice Date: 2023-11-30"),
                    "total": (9999.0, 1, "Total due: 9,999.00 USD"),
                    "currency": ("USD", 1, "USD"),
                },
            ),
        )
    }
