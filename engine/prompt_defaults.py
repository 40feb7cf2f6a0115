"""The default prompt of each document type, and the words prompts use for line items and
for a statement's transactions."""

from __future__ import annotations

DEFAULT_PROMPTS: dict[str, str] = {
    "invoice": (
        "Extract the invoice number, date, total, currency, due date, subtotal, tax, vendor, "
        "vendor tax id, customer, IBAN and line items"
    ),
    "receipt": (
        "Extract the receipt number, date, total, currency, subtotal, tax, merchant, "
        "payment method and line items"
    ),
    "bank_statement": (
        "Extract the bank name, account holder, account number, IBAN, statement date, "
        "period start, period end, opening balance, closing balance and currency"
    ),
    "contract": (
        "Extract the contract title, parties, effective date, end date, term, governing law, "
        "contract value and currency"
    ),
    "resume": (
        "Extract the full name, email, phone, location, job title, skills, work experience, "
        "education and languages"
    ),
    "id_document": (
        "Extract the document number, surname, given names, date of birth, place of birth, "
        "nationality, sex, issue date, expiry date and issuing country"
    ),
    "purchase_order": (
        "Extract the PO number, order date, delivery date, total, currency, subtotal, tax, "
        "vendor, buyer, payment terms and line items"
    ),
    "other": (
        "Extract the title, document number, date, sender, recipient, total, currency, email "
        "and phone"
    ),
}

LINE_ITEM_SYNONYMS = (
    "line items",
    "line item",
    "line item details",
    "items",
    "item list",
    "item details",
    "itemized list",
    "itemised list",
    "products",
    "product list",
    "services",
    "positions",
    "articles",
    "lines",
    "purchased items",
    "order items",
    "goods",
    "items purchased",
    "invoice lines",
    "invoice items",
    "receipt items",
    "table rows",
    "line items table",
)
TRANSACTION_SYNONYMS = (
    "transactions",
    "transaction list",
    "statement lines",
    "movements",
    "entries",
)
