"""Everyday questions (what did I pay, how much, when, who) answered with the field they mean."""

import pytest

from app.services.questions import retrieval
from app.services.questions.answer import Ask, LocalAnswerer, stem
from app.services.questions.intents import find_intent
from tests.question_corpus import build_corpus, completed_document, result

CAFE = [
    [
        "Corner Cafe",
        "71 Amoy Street, Singapore 069891",
        "Date: 21/02/2026 09:14",
        "Flat White 5.80",
        "Almond Croissant 6.70",
        "Total S$12.50",
        "Thank you for visiting Corner Cafe!",
    ]
]
BAKERY = [
    [
        "Greenleaf Bakery",
        "12 High St, Oxford",
        "Date: 03/01/2026",
        "Sourdough 4.50",
        "Total GBP 4.50",
    ]
]


@pytest.fixture
def shops(db, user):
    """The question corpus plus two receipts from two shops, every page indexed."""
    docs = build_corpus(user)
    docs["cafe"] = completed_document(
        user,
        "cafe-receipt.pdf",
        CAFE,
        result(
            "receipt",
            {
                "merchant": ("Corner Cafe", 1, "Corner Cafe"),
                "date": ("2026-02-21", 1, "Date: 21/02/2026 09:14"),
                "total": (12.5, 1, "Total S$12.50"),
                "currency": ("SGD", 1, "S$"),
            },
        ),
    )
    docs["bakery"] = completed_document(
        user,
        "bakery-receipt.pdf",
        BAKERY,
        result(
            "receipt",
            {
                "merchant": ("Greenleaf Bakery", 1, "Greenleaf Bakery"),
                "date": ("2026-01-03", 1, "Date: 03/01/2026"),
                "total": (4.5, 1, "Total GBP 4.50"),
                "currency": ("GBP", 1, "GBP"),
            },
        ),
    )
    scope = retrieval.Scope(user.id)
    for document in retrieval.unindexed_documents(scope):
        retrieval.index_document(document)
    db.session.commit()
    return docs


CASES = [
    ("What did I pay at Corner Cafe?", "12.50 SGD", "cafe"),
    ("How much did I spend at Greenleaf Bakery?", "4.50 GBP", "bakery"),
    ("How much was the Corner Cafe receipt?", "12.50 SGD", "cafe"),
    ("What did the coffee at Corner Cafe cost?", "12.50 SGD", "cafe"),
    ("How much do I owe on invoice 77?", "980.50 USD", "invoice77"),
    ("What is the amount of invoice 77?", "980.50 USD", "invoice77"),
    ("How much is due on invoice 42?", "1250.00 EUR", "invoice42"),
    ("Who was invoice 42 billed to?", "Northwind Traders", "invoice42"),
    ("When did I shop at Greenleaf Bakery?", "2026-01-03", "bakery"),
    ("When was invoice 77 issued?", "2024-05-02", "invoice77"),
    ("Who issued invoice 42?", "ACME Supplies Ltd", "invoice42"),
    ("Which company sent invoice 77?", "Globex Corporation", "invoice77"),
    ("From whom is invoice 42?", "ACME Supplies Ltd", "invoice42"),
    ("Where did I buy the sourdough?", "Greenleaf Bakery", "bakery"),
]


@pytest.mark.parametrize(("question", "expected", "doc"), CASES)
def test_everyday_questions_answer_the_field_they_mean(shops, user, question, expected, doc):
    answer = LocalAnswerer().answer(Ask(question, retrieval.Scope(user.id)), [])
    assert answer.found, answer
    assert answer.text == expected
    assert answer.sources[0]["document_id"] == str(shops[doc].id)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What did I pay at Corner Cafe?", "total"),
        ("How much was the bill at Luigi's?", "total"),
        ("How much did the taxi cost?", "total"),
        ("What did we spend at the airport shop?", "total"),
        ("How much tax did I pay at Corner Cafe?", "tax"),
        ("How much is due on invoice 42?", "total"),
        ("When is invoice 42 due?", "due_date"),
        ("When was I at Corner Cafe?", "date"),
        ("When did I buy the printer?", "date"),
        ("Who issued invoice 42?", "vendor"),
        ("Which shop did I buy the sourdough at?", "vendor"),
        ("Who sold me the sourdough?", "vendor"),
        ("Who was invoice 42 billed to?", "customer"),
        ("How much notice is needed to terminate the agreement?", None),
        ("When does the Rotterdam warehouse open?", None),
        ("Who signed it?", None),
    ],
)
def test_question_forms_name_their_field(question, intent):
    found, _words = find_intent(question, [], stem)
    assert (found.key if found else None) == intent
