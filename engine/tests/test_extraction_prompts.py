"""Prompt parsing: field names from plain language or JSON, synonyms, default prompts."""

import pytest

from engine import DEFAULT_PROMPTS, DOCUMENT_TYPES
from engine.prompts import parse_prompt


def keys(prompt, dtype=None):
    parsed = parse_prompt(prompt, dtype)
    return [f.key for f in parsed.fields], parsed.line_items_key


def concepts(prompt, dtype=None):
    return [f.concept.key if f.concept else None for f in parse_prompt(prompt, dtype).fields]


def test_plain_language_prompt():
    assert keys("Extract the invoice number, issue date, total and line items") == (
        ["invoice_number", "issue_date", "total"],
        "line_items",
    )
    assert concepts("Extract the invoice number, issue date, total") == [
        "document_number",
        "date",
        "total",
    ]


@pytest.mark.parametrize(
    ("phrase", "concept"),
    [
        ("amount due", "total"),
        ("grand total", "total"),
        ("invoice date", "date"),
        ("issued", "date"),
        ("seller", "vendor"),
        ("issuer", "vendor"),
        ("company", "vendor"),
        ("merchant", "vendor"),
        ("bill to", "customer"),
        ("VAT number", "tax_id"),
        ("e-mail", "email"),
        ("invoice #", "document_number"),
        ("receipt number", "document_number"),
        ("due date", "due_date"),
    ],
)
def test_synonyms(phrase, concept):
    assert concepts(f"Extract the {phrase}") == [concept]


def test_json_prompts_keep_their_keys():
    assert keys('["invoice_number", "date", "total"]') == (
        ["invoice_number", "date", "total"],
        None,
    )
    ks, items = keys('{"seller": "name of the seller", "grandTotal": "number", "items": []}')
    assert ks == ["seller", "grandTotal"] and items == "items"
    assert concepts('{"seller": "", "grandTotal": ""}') == ["vendor", "total"]


def test_lists_questions_and_instructions():
    assert keys("Extract the following fields:\n- Invoice Number\n- Date\n- Total")[0] == [
        "invoice_number",
        "date",
        "total",
    ]
    assert keys("What is the total amount due?")[0] == ["total_amount_due"]
    assert keys("Extract vendor name and total (incl. VAT). Return JSON.")[0] == [
        "vendor_name",
        "total",
    ]
    assert parse_prompt("Extract all fields").empty


def test_every_type_has_a_default_prompt_that_parses():
    assert set(DEFAULT_PROMPTS) == set(DOCUMENT_TYPES)
    for dtype, prompt in DEFAULT_PROMPTS.items():
        parsed = parse_prompt(prompt, dtype)
        assert parsed.fields, dtype
        assert all(f.concept is not None for f in parsed.fields), dtype
