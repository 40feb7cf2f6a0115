"""Question batches' exports: the uploaded rows with their answers, sources, status and error."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from app.models import (
    QuestionBatch,
    QuestionItem,
)
from app.services import batch_queries

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


def answers_select(batch_id) -> sa.Select:
    """A batch's rows with their answers, in file order."""
    return (
        sa.select(
            QuestionItem.original,
            QuestionItem.answer,
            QuestionItem.sources,
            QuestionItem.status,
            QuestionItem.error_code,
            QuestionItem.error_message,
        )
        .where(QuestionItem.question_batch_id == batch_id)
        .order_by(QuestionItem.row_number)
    )


def answer_rows(batch: QuestionBatch, fmt: str) -> Iterator[dict]:
    """The export rows of a question batch: its uploaded cells, then the added columns."""
    uploaded = list(batch.columns or [])
    _, added = export_columns(batch)

    def row(found) -> dict:
        out = {c: (found.original or {}).get(c, "") for c in uploaded}
        error = None
        if found.error_code:
            error = found.error_code
            if found.error_message:
                error = f"{found.error_code}: {found.error_message}"
        out[added["answer"]] = found.answer
        sources = found.sources or []
        out[added["sources"]] = sources if fmt == "json" else sources_text(sources)
        out[added["status"]] = str(found.status)
        out[added["error"]] = error
        return out

    return batch_queries.export_rows(batch.id, answers_select, row)
