"""Page text of documents and full-text search over it, always scoped to one owner.

The text of each page lives in ``document_pages``. It is filled by :func:`index_document`, which
the document pipeline may call when a document completes; documents nobody indexed yet are indexed
the first time a question batch searches them (:func:`unindexed_documents`).

Search runs in the database: PostgreSQL's text search (a stored ``tsvector`` with a GIN index,
ranked by ``ts_rank``) or SQLite's FTS5 (ranked by ``bm25``). Every search joins ``documents`` and
keeps only completed documents of the owner, so another user's pages are never candidates.
"""

from __future__ import annotations

import itertools
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Document, DocumentPage, DocumentStatus, ExtractionResult
from app.models.questions import SEARCH_CONFIG

log = logging.getLogger(__name__)

MAX_TERMS = 32
# Terms kept when a page must hold several of them (the combinations grow fast).
MAX_COMBINED_TERMS = 6
_TERM = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Scope:
    """Which documents a question may be answered from.

    ``batch_id`` limits the search to one batch; ``only_batch`` with no ``batch_id`` means the
    batch was deleted, so nothing is searched. ``document_ids`` limits it to named documents.
    """

    user_id: uuid.UUID
    batch_id: uuid.UUID | None = None
    only_batch: bool = False
    document_ids: tuple[uuid.UUID, ...] | None = None

    def restricted(self, document_ids: Iterable[uuid.UUID]) -> Scope:
        """The same scope narrowed to some documents."""
        return Scope(self.user_id, self.batch_id, self.only_batch, tuple(document_ids))

    @property
    def empty(self) -> bool:
        return (self.only_batch and self.batch_id is None) or self.document_ids == ()


@dataclass(frozen=True)
class PageHit:
    """A page that matched a search, with its rank (higher is better)."""

    document_id: uuid.UUID
    page: int
    rank: float


@dataclass
class DocumentInfo:
    """What an answer needs to know about a candidate document."""

    id: uuid.UUID
    filename: str
    document_type: str | None
    batch_id: uuid.UUID | None
    result: dict = field(default_factory=dict)

    @property
    def data(self) -> dict:
        data = self.result.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def fields(self) -> dict:
        fields = self.result.get("fields")
        return fields if isinstance(fields, dict) else {}


# --- indexing -------------------------------------------------------------------------------------


def read_page_texts(document: Document) -> list[str]:
    """Text of each page of a stored document, OCR included (from the extraction engine)."""
    import engine as extraction
    from app.storage import get_storage

    reader = getattr(extraction, "document_text", None)
    source_cls = getattr(extraction, "SourceDocument", None)
    if reader is None or source_cls is None:
        from engine.base import SourceDocument as source_cls
        from engine.text import document_text as reader
    with get_storage().local_path(document.storage_key) as path:
        source = source_cls(
            path=path,
            mime_type=document.mime_type,
            filename=document.original_filename,
            page_count=document.page_count,
        )
        return list(reader(source))


def _insert(rows: list[dict]):
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(DocumentPage).values(rows).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(DocumentPage).values(rows).on_conflict_do_nothing()
    return sa.insert(DocumentPage).values(rows)


def store_pages(document_id: uuid.UUID, texts: Sequence[str]) -> int:
    """Replace the stored page texts of a document (added to the session; the caller commits)."""
    db.session.execute(sa.delete(DocumentPage).where(DocumentPage.document_id == document_id))
    rows = [
        {"document_id": document_id, "page": number, "text": (text or "").replace("\x00", "")}
        for number, text in enumerate(texts, start=1)
    ]
    if not rows:
        rows = [{"document_id": document_id, "page": 1, "text": ""}]
    db.session.execute(_insert(rows))
    return len(rows)


def index_document(document: Document) -> int:
    """Read a document's pages and store their text for search; the number of pages stored.

    The pipeline calls this when a document completes; question batches call it for documents
    that have no stored pages yet. A document that cannot be read is stored as empty pages, so it
    is not read again for every question (its extracted fields still answer). The caller commits.
    """
    try:
        texts = read_page_texts(document)
    except Exception as exc:  # noqa: BLE001 - an unreadable file must not stop the caller
        log.warning(
            "document %s: page text unavailable for search (%s: %s)",
            document.id,
            type(exc).__name__,
            exc,
        )
        texts = [""] * max(int(document.page_count or 1), 1)
    return store_pages(document.id, texts)


def _scoped(stmt, scope: Scope):
    stmt = stmt.where(
        Document.user_id == scope.user_id, Document.status == DocumentStatus.COMPLETED
    )
    if scope.only_batch or scope.batch_id is not None:
        stmt = stmt.where(Document.batch_id == scope.batch_id)
    if scope.document_ids is not None:
        stmt = stmt.where(Document.id.in_(scope.document_ids))
    return stmt


def unindexed_documents(scope: Scope, limit: int | None = None) -> list[Document]:
    """Completed documents in the scope whose pages are not stored yet."""
    if scope.empty:
        return []
    has_pages = sa.exists().where(DocumentPage.document_id == Document.id)
    stmt = _scoped(sa.select(Document), scope).where(~has_pages).order_by(Document.created_at)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


# --- search ---------------------------------------------------------------------------------------


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Lower-case alphanumeric search terms, unique, in order (safe inside a query string)."""
    out: list[str] = []
    for term in terms:
        for part in _TERM.findall(str(term).lower()):
            if part not in out:
                out.append(part)
    return out[:MAX_TERMS]


def match_expression(words: Sequence[str], at_least: int, and_: str, or_: str) -> str:
    """A query matching pages that hold at least `at_least` of the words."""
    if at_least <= 1 or len(words) == 1:
        return f" {or_} ".join(words)
    if at_least >= len(words):
        return f" {and_} ".join(words)
    groups = itertools.combinations(words, at_least)
    return f" {or_} ".join("(" + f" {and_} ".join(g) + ")" for g in groups)


def search_pages(
    scope: Scope, terms: Iterable[str], limit: int = 40, at_least: int = 1
) -> list[PageHit]:
    """Pages of the scope holding at least `at_least` of the terms (default: any), best first."""
    words = clean_terms(terms)
    if not words or scope.empty:
        return []
    if at_least > 1:
        words = words[:MAX_COMBINED_TERMS]
    return _run(
        scope,
        postgres=match_expression(words, at_least, "&", "|"),
        sqlite=match_expression([f'"{w}"' for w in words], at_least, "AND", "OR"),
        plain=(words, at_least),
        limit=limit,
    )


def search_identifier(
    scope: Scope, variants: Iterable[str], label: str | None = None, limit: int = 200
) -> list[PageHit]:
    """Pages naming an identifier in any of its spellings; with a label word ("invoice"), only
    where the identifier follows it closely ("Invoice No: 42", "Invoice #0042")."""
    forms = clean_terms(variants)
    label = (clean_terms([label or ""]) or [None])[0]
    if not forms or scope.empty:
        return []
    if label:
        postgres = " | ".join(f"({label} <{d}> {f})" for f in forms for d in (1, 2, 3))
        sqlite_match = " OR ".join(f'NEAR("{label}" "{f}", 3)' for f in forms)
    else:
        # PostgreSQL reads "INV-0042" as 'inv' and the signed number '-0042' (but "-04" is more
        # often the month of a date than part of an identifier).
        signed = [f"'-{f}'" for f in forms if f.isdigit() and len(f) >= 3]
        postgres = " | ".join(forms + signed)
        sqlite_match = " OR ".join(f'"{f}"' for f in forms)
    return _run(scope, postgres=postgres, sqlite=sqlite_match, plain=(forms, 1), limit=limit)


def _run(scope: Scope, postgres: str, sqlite: str, plain: tuple, limit: int) -> list[PageHit]:
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        return _search_postgres(scope, postgres, limit)
    if dialect == "sqlite":
        try:
            return _search_sqlite(scope, sqlite, limit)
        except OperationalError:
            # No FTS5 table (a database migrated without it): slower, but still answers.
            db.session.rollback()
            log.warning("document_pages_fts is missing; searching page text without an index")
    return _search_plain(scope, plain[0], limit, plain[1])


def _search_postgres(scope: Scope, query_text: str, limit: int) -> list[PageHit]:
    vector = DocumentPage.search_vector
    query = sa.func.to_tsquery(sa.literal_column(f"'{SEARCH_CONFIG}'::regconfig"), query_text)
    rank = sa.func.ts_rank(vector, query).label("rank")
    stmt = (
        sa.select(DocumentPage.document_id, DocumentPage.page, rank)
        .join(Document, Document.id == DocumentPage.document_id)
        .where(vector.op("@@")(query))
        .order_by(rank.desc(), DocumentPage.document_id, DocumentPage.page)
        .limit(limit)
    )
    rows = db.session.execute(_scoped(stmt, scope))
    return [PageHit(r.document_id, r.page, float(r.rank)) for r in rows]


def _search_sqlite(scope: Scope, match: str, limit: int) -> list[PageHit]:
    fts = sa.table("document_pages_fts", sa.column("rowid"))
    rank = (-sa.func.bm25(sa.literal_column("document_pages_fts"))).label("rank")
    stmt = (
        sa.select(DocumentPage.document_id, DocumentPage.page, rank)
        .select_from(fts)
        .join(DocumentPage, sa.literal_column("document_pages.rowid") == fts.c.rowid)
        .join(Document, Document.id == DocumentPage.document_id)
        .where(sa.text("document_pages_fts MATCH :match").bindparams(match=match))
        .order_by(rank.desc(), DocumentPage.page)
        .limit(limit)
    )
    rows = db.session.execute(_scoped(stmt, scope))
    return [PageHit(r.document_id, r.page, float(r.rank)) for r in rows]


def _search_plain(scope: Scope, words: list[str], limit: int, at_least: int) -> list[PageHit]:
    """Portable fallback for other databases: count matching words in Python."""
    stmt = _scoped(
        sa.select(DocumentPage.document_id, DocumentPage.page, DocumentPage.text).join(
            Document, Document.id == DocumentPage.document_id
        ),
        scope,
    )
    hits = []
    for row in db.session.execute(stmt):
        text = (row.text or "").lower()
        score = sum(1 for w in words if re.search(rf"\b{re.escape(w)}", text))
        if score >= max(at_least, 1):
            hits.append(PageHit(row.document_id, row.page, float(score)))
    hits.sort(key=lambda h: -h.rank)
    return hits[:limit]


# --- reads ----------------------------------------------------------------------------------------


def scope_document_ids(scope: Scope, limit: int) -> list[uuid.UUID]:
    """Up to `limit` completed documents of the scope, newest first (when search finds nothing)."""
    if scope.empty:
        return []
    stmt = _scoped(sa.select(Document.id), scope).order_by(Document.created_at.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def page_texts(document_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[int, str]]:
    """Every stored page of these documents: {document_id: {page: text}}."""
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(DocumentPage.document_id, DocumentPage.page, DocumentPage.text)
        .where(DocumentPage.document_id.in_(ids))
        .order_by(DocumentPage.document_id, DocumentPage.page)
    )
    out: dict[uuid.UUID, dict[int, str]] = {i: {} for i in ids}
    for row in db.session.execute(stmt):
        out[row.document_id][row.page] = row.text or ""
    return out


def hit_texts(hits: Iterable[PageHit]) -> dict[tuple[uuid.UUID, int], str]:
    """The text of the pages a search found: {(document_id, page): text}."""
    keys = list(dict.fromkeys((h.document_id, h.page) for h in hits))
    if not keys:
        return {}
    stmt = sa.select(DocumentPage.document_id, DocumentPage.page, DocumentPage.text).where(
        sa.tuple_(DocumentPage.document_id, DocumentPage.page).in_(keys)
    )
    return {(r.document_id, r.page): r.text or "" for r in db.session.execute(stmt)}


def documents_info(
    scope: Scope, document_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, DocumentInfo]:
    """Filename, type and extraction result of the scope's documents among these ids."""
    ids = list(dict.fromkeys(document_ids))
    if not ids or scope.empty:
        return {}
    stmt = _scoped(
        sa.select(
            Document.id,
            Document.original_filename,
            Document.document_type,
            Document.batch_id,
            ExtractionResult.data,
        )
        .outerjoin(ExtractionResult, ExtractionResult.document_id == Document.id)
        .where(Document.id.in_(ids)),
        scope,
    )
    out = {}
    for row in db.session.execute(stmt):
        result = row.data if isinstance(row.data, dict) else {}
        out[row.id] = DocumentInfo(
            id=row.id,
            filename=row.original_filename,
            document_type=row.document_type or result.get("document_type"),
            batch_id=row.batch_id,
            result=result,
        )
    return out
