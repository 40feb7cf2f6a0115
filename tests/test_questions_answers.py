"""Answers of the local provider on a fixture set of real PDFs and extraction results."""

import pytest
import sqlalchemy as sa

from app.models import DocumentPage
from app.services.questions import NOT_FOUND_ANSWER, retrieval
from app.services.questions.answer import Ask, LocalAnswerer, Turn, plan_question
from tests.factories import make_user
from tests.question_corpus import build_corpus, build_other_corpus


@pytest.fixture
def corpus(db, user):
    """The owner's documents, another user's look-alikes, and every page indexed."""
    docs = build_corpus(user)
    other = make_user("other@example.com", plan="growth")
    build_other_corpus(other)
    for scope in (retrieval.Scope(user.id), retrieval.Scope(other.id)):
        for document in retrieval.unindexed_documents(scope):
            retrieval.index_document(document)
    db.session.commit()
    return docs


def ask(user, question, history=(), document_ids=None):
    scope = retrieval.Scope(user.id)
    return LocalAnswerer().answer(Ask(question, scope, document_ids), list(history))


FACTS = [
    ("What is the total of invoice 42?", "1250.00 EUR", "invoice42", 2),
    ("What is the total of invoice 77?", "980.50 USD", "invoice77", 1),
    ("Who is the vendor on invoice 77?", "Globex Corporation", "invoice77", 1),
    ("When is invoice 42 due?", "2024-04-14", "invoice42", 1),
    ("What is the effective date of the service agreement?", "2024-01-01", "agreement", 1),
    ("How much notice is needed to terminate the agreement?", "90 days", "agreement", 2),
    ("Which law governs the service agreement?", "Ireland", "agreement", 2),
    ("When does the Rotterdam warehouse open?", "7:00", "memo", 1),
    ("Do Saturday deliveries need a booking?", "two days ahead", "memo", 1),
]


@pytest.mark.parametrize(("question", "expected", "doc", "page"), FACTS)
def test_answers_come_from_the_right_document_and_page(corpus, user, question, expected, doc, page):
    answer = ask(user, question)
    assert answer.found, answer
    assert expected in answer.text
    source = answer.sources[0]
    assert source["document_id"] == str(corpus[doc].id)
    assert source["filename"] == corpus[doc].original_filename
    assert source["page"] == page
    assert source["snippet"]


@pytest.mark.parametrize(
    "question",
    [
        "What is the penalty for late delivery?",
        "What is the total of invoice 99?",
        "What is the capital of France?",
        "What is the due date of invoice 77?",
        "Who signed the lease for the Berlin office?",
    ],
)
def test_questions_the_documents_do_not_answer_say_so(corpus, user, question):
    answer = ask(user, question)
    assert answer.text == NOT_FOUND_ANSWER
    assert answer.sources == []
    assert not answer.found


def test_a_follow_up_is_resolved_against_the_document_of_the_earlier_answer(corpus, user):
    first = ask(user, "What is the total of invoice 42?")
    history = [Turn("What is the total of invoice 42?", first.text, first.sources, first.context)]
    follow = ask(user, "and its date?", history)
    assert follow.text == "2024-03-15"
    assert follow.sources[0]["document_id"] == str(corpus["invoice42"].id)
    assert follow.sources[0]["page"] == 1
    assert follow.context["follow_up"] is True
    assert follow.context["rewritten"] == "What is the date of invoice 42?"
    # Without the thread the same words have no subject: invoice 77 has a date too.
    plan = plan_question(Ask("and its date?", retrieval.Scope(user.id)), [])
    assert plan.follow_up is False


def test_a_follow_up_with_a_pronoun_stays_in_the_cited_document(corpus, user):
    first = ask(user, "Which law governs the service agreement?")
    history = [Turn("Which law governs the service agreement?", first.text, first.sources, {})]
    follow = ask(user, "Who signed it?", history)
    assert "Jane Doe" in follow.text
    assert follow.sources[0]["document_id"] == str(corpus["agreement"].id)
    assert follow.sources[0]["page"] == 2


def test_an_elliptic_follow_up_keeps_the_field_and_changes_the_subject(corpus, user):
    first = ask(user, "What is the total of invoice 42?")
    history = [Turn("What is the total of invoice 42?", first.text, first.sources, first.context)]
    follow = ask(user, "And invoice 77?", history)
    assert follow.text == "980.50 USD"
    assert follow.sources[0]["document_id"] == str(corpus["invoice77"].id)


def test_another_users_documents_are_never_sources(corpus, user, db):
    for question, *_ in FACTS:
        for src in ask(user, question).sources:
            assert src["document_id"] in {str(d.id) for d in corpus.values()}
    # The other user's invoice 42 says 9,999.00 USD and its memo 5:00; the owner never sees them.
    assert ask(user, "What is the total of invoice 42?").text == "1250.00 EUR"
    assert "5:00" not in ask(user, "When does the Rotterdam warehouse open?").text


def test_a_named_document_limits_the_answer_to_it(corpus, user):
    answer = ask(user, "What is the total?", document_ids=(corpus["invoice77"].id,))
    assert answer.text == "980.50 USD"
    answer = ask(
        user, "When does the Rotterdam warehouse open?", document_ids=(corpus["invoice77"].id,)
    )
    assert answer.text == NOT_FOUND_ANSWER


def test_a_batch_scope_only_searches_that_batch(db, user):
    from tests.factories import make_batch

    inside = make_batch(user, name="Inside")
    build_corpus(user, batch=inside)
    outside = make_batch(user, name="Outside")
    from tests.question_corpus import completed_document, result

    completed_document(
        user,
        "berlin-memo.pdf",
        [["The Berlin office opens at 9:00."]],
        result("other", {}),
        outside,
    )
    for scope in (retrieval.Scope(user.id),):
        for document in retrieval.unindexed_documents(scope):
            retrieval.index_document(document)
    db.session.commit()
    scoped = retrieval.Scope(user.id, batch_id=inside.id, only_batch=True)
    answer = LocalAnswerer().answer(Ask("When does the Berlin office open?", scoped), [])
    assert answer.text == NOT_FOUND_ANSWER
    everywhere = LocalAnswerer().answer(
        Ask("When does the Berlin office open?", retrieval.Scope(user.id)), []
    )
    assert "9:00" in everywhere.text
    rotterdam = LocalAnswerer().answer(Ask("When does the Rotterdam warehouse open?", scoped))
    assert "7:00" in rotterdam.text
    # A row naming a document outside the batch is answered from that document.
    berlin = retrieval.scope_document_ids(retrieval.Scope(user.id, outside.id, True), 5)
    named = LocalAnswerer().answer(Ask("When does the Berlin office open?", scoped, tuple(berlin)))
    assert "9:00" in named.text


def test_index_document_stores_the_text_of_every_page(corpus, db):
    pages = db.session.execute(
        sa.select(DocumentPage.page, DocumentPage.text)
        .where(DocumentPage.document_id == corpus["invoice42"].id)
        .order_by(DocumentPage.page)
    ).all()
    assert [p.page for p in pages] == [1, 2]
    assert "Invoice No: 42" in pages[0].text
    assert "Total due: 1,250.00 EUR" in pages[1].text
    # Indexing again replaces the pages instead of adding to them.
    retrieval.index_document(corpus["invoice42"])
    db.session.commit()
    count = db.session.scalar(
        sa.select(sa.func.count()).where(DocumentPage.document_id == corpus["invoice42"].id)
    )
    assert count == 2


def test_identifiers_are_found_however_they_are_written_among_many_look_alikes(db, user):
    from app.models import DocumentStatus
    from tests.factories import make_document

    docs = {}
    for n in range(1, 41):
        doc = make_document(user, filename=f"scan-{n}.pdf", status=DocumentStatus.COMPLETED)
        retrieval.store_pages(
            doc.id,
            [
                f"INVOICE\nInvoice No: {n:05d}\nInvoice Date: 2024-04-{n % 28 + 1:02d}\n"
                f"Total due: {n * 10}.00 EUR"
            ],
        )
        docs[n] = doc
    coded = make_document(user, filename="supplier.pdf", status=DocumentStatus.COMPLETED)
    retrieval.store_pages(coded.id, ["ACME Supplies\nINV-0042\nTotal due: 777.00 EUR"])
    db.session.commit()

    four = ask(user, "What is the total of invoice 4?")
    assert four.text == "40.00 EUR"
    assert four.sources[0]["document_id"] == str(docs[4].id)
    coded_answer = ask(user, "What is the total of invoice 42?")
    assert coded_answer.text == "777.00 EUR"
    assert coded_answer.sources[0]["filename"] == "supplier.pdf"
    assert ask(user, "What is the total of invoice 43?").text == NOT_FOUND_ANSWER
