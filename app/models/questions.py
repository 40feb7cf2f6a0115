"""Question batches: a CSV of questions answered from the user's documents, and page text.

A QuestionBatch follows the batch state machine (states.BATCH_TRANSITIONS) and each QuestionItem
its own (states.QUESTION_TRANSITIONS): ``queued → answering → completed | failed``,
``queued → cancelled``, a retried item goes back to ``queued``. Rows sharing a ``thread_key``
form one conversation, answered in ``row_number`` order.

DocumentPage keeps the text of each page of a document for retrieval. On PostgreSQL its
``search_vector`` is a stored generated column (``to_tsvector('english', text)``) with a GIN
index; on SQLite that column is left out and an FTS5 table ``document_pages_fts``, kept in step by
triggers, is created right after the table (``SQLITE_SEARCH_DDL``; a migration runs the same).
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.schema import CreateColumn

from app.extensions import db
from app.models import states
from app.models.batch import BatchLifecycle, ItemLifecycle
from app.models.enums import BatchStatus, QuestionStatus
from app.models.types import JSONType, UTCDateTime, enum_column, new_id, utcnow

SCOPE_ALL = "all"
SCOPE_BATCH = "batch"


class QuestionBatch(BatchLifecycle, db.Model):
    """An uploaded file of questions; its status follows states.BATCH_TRANSITIONS."""

    __tablename__ = "question_batches"
    total_field = "item_count"
    __table_args__ = (
        sa.Index("ix_question_batches_user_created", "user_id", "created_at"),
        sa.Index("ix_question_batches_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    # "all" (every completed document of the user) or "batch" (the documents of scope_batch_id;
    # none once that batch is deleted, never widened to all).
    scope: Mapped[str] = mapped_column(sa.String(16), default=SCOPE_ALL)
    scope_batch_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="SET NULL")
    )
    status: Mapped[BatchStatus] = mapped_column(
        enum_column(BatchStatus), default=BatchStatus.PENDING_UPLOAD
    )
    # The uploaded header, in order: exports repeat these columns before the answers.
    columns: Mapped[list] = mapped_column(JSONType, default=list)
    item_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    thread_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    completed_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    failed_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    cancelled_count: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    scope_batch = relationship("Batch")
    items = relationship(
        "QuestionItem",
        back_populates="question_batch",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="QuestionItem.row_number",
    )


class QuestionItem(ItemLifecycle, db.Model):
    """One row of the uploaded file; its status follows states.QUESTION_TRANSITIONS."""

    status_check = staticmethod(states.check_question)
    terminal_statuses = states.QUESTION_TERMINAL

    __tablename__ = "question_items"
    __table_args__ = (
        sa.UniqueConstraint("question_batch_id", "row_number", name="uq_question_items_row"),
        sa.Index("ix_question_items_thread", "question_batch_id", "thread_key", "row_number"),
        sa.Index("ix_question_items_status_updated", "status", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    question_batch_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("question_batches.id", ondelete="CASCADE")
    )
    # The row as a spreadsheet numbers it: the header is row 1, the first question row 2.
    row_number: Mapped[int] = mapped_column(sa.Integer)
    chat_id: Mapped[str | None] = mapped_column(sa.String(200))
    # "chat:<chat_id>" for rows of a conversation, "row:<n>" for a row that stands alone.
    thread_key: Mapped[str] = mapped_column(sa.String(220))
    question: Mapped[str] = mapped_column(sa.Text)
    document_ref: Mapped[str | None] = mapped_column(sa.String(255))
    # The user's documents the `document` cell named, resolved when the file was accepted.
    document_ids: Mapped[list | None] = mapped_column(JSONType)
    # The row's own cells by column name, as uploaded.
    original: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus), default=QuestionStatus.QUEUED
    )
    answer: Mapped[str | None] = mapped_column(sa.Text)
    # [{"document_id", "filename", "page", "snippet"}]
    sources: Mapped[list | None] = mapped_column(JSONType)
    # What the answer was built from: subject, field asked for, cited documents, rewritten question.
    context: Mapped[dict | None] = mapped_column(JSONType)
    error_code: Mapped[str | None] = mapped_column(sa.String(50))
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    reserved_pages: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    usage_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("usage.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question_batch = relationship("QuestionBatch", back_populates="items")


SEARCH_CONFIG = "english"


class DocumentPage(db.Model):
    """The text of one page of a document (1-based page numbers), for retrieval."""

    __tablename__ = "document_pages"
    __table_args__ = (
        sa.Index("ix_document_pages_search", "search_vector", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    page: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # PostgreSQL keeps this one itself; other databases leave it out (SQLite searches FTS5).
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(sa.Text(), "sqlite"),
        sa.Computed(f"to_tsvector('{SEARCH_CONFIG}', coalesce(text, ''))", persisted=True),
        deferred=True,
    )


@compiles(CreateColumn, "sqlite")
def _create_column_on_sqlite(element, compiler, **kw):
    """Leave the PostgreSQL-only search_vector out of SQLite's CREATE TABLE."""
    column = element.element
    if column.table is not None and column.table.name == "document_pages":
        if column.name == "search_vector":
            return None
    return compiler.visit_create_column(element, **kw)


# SQLite: an external-content FTS5 table over document_pages, kept in step by triggers.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS document_pages_fts USING fts5("
    "text, content='document_pages', content_rowid='rowid', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS document_pages_fts_ai AFTER INSERT ON document_pages BEGIN "
    "INSERT INTO document_pages_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS document_pages_fts_ad AFTER DELETE ON document_pages BEGIN "
    "INSERT INTO document_pages_fts(document_pages_fts, rowid, text) "
    "VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS document_pages_fts_au AFTER UPDATE ON document_pages BEGIN "
    "INSERT INTO document_pages_fts(document_pages_fts, rowid, text) "
    "VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO document_pages_fts(rowid, text) VALUES (new.rowid, new.text); END",
)

for _statement in SQLITE_SEARCH_DDL:
    sa.event.listen(
        DocumentPage.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite")
    )
sa.event.listen(
    DocumentPage.__table__,
    "before_drop",
    sa.DDL("DROP TABLE IF EXISTS document_pages_fts").execute_if(dialect="sqlite"),
)
