"""The embedded default: retrieval over SQLite's FTS5 table gives the same answers."""

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.services.questions import NOT_FOUND_ANSWER, retrieval
from app.services.questions.answer import Ask, LocalAnswerer, Turn
from config import TestConfig
from tests.factories import make_user
from tests.question_corpus import build_corpus


def test_sqlite_full_text_search_answers_and_forgets_deleted_documents(tmp_path):
    class SqliteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'embedded.db'}"
        STORAGE_URL = f"file://{tmp_path / 'uploads'}"

    app = create_app(SqliteConfig)
    with app.app_context():
        db.create_all()
        user = make_user("solo@example.com", plan="growth")
        docs = build_corpus(user)
        for document in retrieval.unindexed_documents(retrieval.Scope(user.id)):
            retrieval.index_document(document)
        db.session.commit()
        assert not retrieval.unindexed_documents(retrieval.Scope(user.id))

        scope = retrieval.Scope(user.id)
        hits = retrieval.search_pages(scope, ["rotterdam", "warehouse"])
        assert hits and hits[0].document_id == docs["memo"].id

        local = LocalAnswerer()
        first = local.answer(Ask("What is the total of invoice 42?", scope))
        assert first.text == "1250.00 EUR" and first.sources[0]["page"] == 2
        follow = local.answer(
            Ask("and its date?", scope),
            [Turn("What is the total of invoice 42?", first.text, first.sources, first.context)],
        )
        assert follow.text == "2024-03-15"
        law = local.answer(Ask("Which law governs the service agreement?", scope))
        assert "Ireland" in law.text and law.sources[0]["page"] == 2
        assert local.answer(Ask("What is the capital of France?", scope)).text == NOT_FOUND_ANSWER

        # Deleting a document removes its pages from the search index (FK cascade + triggers).
        db.session.delete(docs["memo"])
        db.session.commit()
        assert retrieval.search_pages(scope, ["rotterdam"]) == []
        fts_rows = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM document_pages_fts WHERE document_pages_fts MATCH 'rotterdam'"
            )
        )
        assert fts_rows == 0
        db.session.remove()
        db.drop_all()
