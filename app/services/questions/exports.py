"""Question batches' exports: the uploaded rows with their answers, sources, status and error."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    QuestionBatch,
    QuestionItem,
)

EXPORT_CHUNK = 500
ADDED_COLUMNS = ("answer", "sources", "status", "error")


def export_columns(batch: QuestionBatch) -> tuple[list[str], dict[str, str]]:
    """The uploaded columns in order, then answer, sources, status and error (renamed if taken)."""
    columns = [str(c) for c in batch.columns or []]
    taken = {c.casefold() for c in columns}
    added: dict[str, str] = {}
    for name in ADDED_COLUMNS:
        out, n = name, 1
        while out.casefold() in taken:
            n += 1
            out = f"{name}_{n}"
        taken.add(out.casefold())
        added[name] = out
    return columns + list(added.values()), added


def sources_text(sources: list | None) -> str:
    """Sources as one readable cell: 'invoice-42.pdf p. 2; contract.pdf p. 1'."""
    parts = []
    for src in sources or []:
        page = f" p. {src['page']}" if src.get("page") else ""
        parts.append(f"{src.get('filename') or src.get('document_id')}{page}")
    return "; ".join(parts)


def export_rows(batch: QuestionBatch, fmt: str) -> Iterator[dict]:
    """The export rows of a batch, streamed from the database in file order."""
    columns, added = export_columns(batch)
    stmt = (
        sa.select(
            QuestionItem.original,
            QuestionItem.answer,
            QuestionItem.sources,
            QuestionItem.status,
            QuestionItem.error_code,
            QuestionItem.error_message,
        )
        .where(QuestionItem.question_batch_id == batch.id)
        .order_by(QuestionItem.row_number)
        .execution_options(yield_per=EXPORT_CHUNK)
    )
    for row in db.session.execute(stmt):
        out = {c: (row.original or {}).get(c, "") for c in batch.columns or []}
        error = None
        if row.error_code:
            error = (
                f"{row.error_code}: {row.error_message}" if row.error_message else row.error_code
            )
        out[added["answer"]] = row.answer
        out[added["sources"]] = (row.sources or []) if fmt == "json" else sources_text(row.sources)
        out[added["status"]] = str(row.status)
        out[added["error"]] = error
        yield out
