"""Question batches' checks before anything is written: plan, file, scope, documents, quota, preview."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.errors import ApiError, DomainError
from app.extensions import db
from app.models import (
    Batch,
    Document,
    DocumentStatus,
    ErrorCode,
    User,
)
from app.models.questions import SCOPE_ALL, SCOPE_BATCH
from app.services import plans
from app.services.intake_checks import check_plan, pages_left, quota_sentence
from app.services.questions import parse
from app.services.questions.retrieval import Scope


@dataclass
class Upload:
    """An uploaded file, read into memory (question files are small)."""

    filename: str
    data: bytes


def scope_for(user_id: uuid.UUID, scope: str, batch_id: uuid.UUID | None) -> Scope:
    """The retrieval scope of a question batch."""
    return Scope(user_id=user_id, batch_id=batch_id, only_batch=scope == SCOPE_BATCH)


def completed_documents(scope: Scope) -> int:
    """How many completed documents a scope holds."""
    if scope.empty:
        return 0
    stmt = sa.select(sa.func.count(Document.id)).where(
        Document.user_id == scope.user_id, Document.status == DocumentStatus.COMPLETED
    )
    if scope.only_batch:
        stmt = stmt.where(Document.batch_id == scope.batch_id)
    return db.session.scalar(stmt) or 0


def check_upload(upload: Upload | None) -> Upload:
    """The upload, or 400 no_files / 413 file_too_large."""
    if upload is None or (not upload.filename and not upload.data):
        raise DomainError(ErrorCode.NO_FILES, "Choose a CSV or XLSX file of questions.")
    limit = current_app.config["MAX_FILE_BYTES"]
    if len(upload.data) > limit:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            f"The file is too large: at most {limit // (1024 * 1024)} MB.",
        )
    return upload


def resolve_scope(user: User, value: str | None) -> tuple[str, Batch | None]:
    """('all', None) or ('batch', the user's batch); 400 for anything else."""
    value = (value or SCOPE_ALL).strip()
    if value.lower() == SCOPE_ALL:
        return SCOPE_ALL, None
    batch = None
    try:
        batch_id = uuid.UUID(value)
    except ValueError:
        batch_id = None
    if batch_id is not None:
        batch = db.session.scalar(
            sa.select(Batch).where(Batch.id == batch_id, Batch.user_id == user.id)
        )
    if batch is None:
        raise DomainError(
            ErrorCode.BAD_REQUEST,
            "The scope must be 'all' or the id of one of your batches.",
            {"field": "scope"},
        )
    return SCOPE_BATCH, batch


def resolve_documents(
    user: User, refs: Iterable[str], scope_batch: Batch | None
) -> tuple[dict[str, list[uuid.UUID]], dict[str, str]]:
    """Document cells (an id or a filename) to the user's completed documents, and problems.

    A filename names every completed document of the user with that name (case-insensitive);
    when some of them are in the chosen batch, only those.
    """
    refs = {r for r in refs if r}
    resolved: dict[str, list[uuid.UUID]] = {}
    problems: dict[str, str] = {}
    if not refs:
        return resolved, problems
    by_id = {}
    for ref in refs:
        try:
            by_id[ref] = uuid.UUID(ref)
        except ValueError:
            continue
    rows = []
    if by_id:
        rows += db.session.execute(
            sa.select(
                Document.id, Document.original_filename, Document.status, Document.batch_id
            ).where(Document.user_id == user.id, Document.id.in_(list(by_id.values())))
        ).all()
    names = {r.lower() for r in refs if r not in by_id}
    if names:
        rows += db.session.execute(
            sa.select(
                Document.id, Document.original_filename, Document.status, Document.batch_id
            ).where(
                Document.user_id == user.id,
                sa.func.lower(Document.original_filename).in_(names),
            )
        ).all()
    for ref in refs:
        if ref in by_id:
            matches = [r for r in rows if r.id == by_id[ref]]
        else:
            matches = [r for r in rows if r.original_filename.lower() == ref.lower()]
        done = [r for r in matches if r.status == DocumentStatus.COMPLETED]
        if scope_batch is not None and any(r.batch_id == scope_batch.id for r in done):
            done = [r for r in done if r.batch_id == scope_batch.id]
        if done:
            resolved[ref] = [r.id for r in done]
        elif matches:
            problems[ref] = (
                f"The document '{ref}' is {matches[0].status}, not completed: only completed "
                "documents can answer questions."
            )
        else:
            problems[ref] = f"The document '{ref}' is not one of your documents."
    return resolved, problems


@dataclass
class Checked:
    """A file that passed every check, ready to be stored."""

    parsed: parse.ParsedQuestions
    scope: str
    scope_batch: Batch | None
    documents: dict[str, list[uuid.UUID]]


def check_file(
    user: User, upload: Upload, scope_value: str | None, limit: int
) -> tuple[Checked | None, parse.ParsedQuestions]:
    """Parse and check a file for a user (nothing is stored); problems are on the parsed file."""
    scope, scope_batch = resolve_scope(user, scope_value)
    parsed = parse.parse_questions(upload.filename, upload.data, limit)
    if not parsed.ok:
        return None, parsed
    resolved, doc_problems = resolve_documents(
        user, (r.document for r in parsed.rows if r.document), scope_batch
    )
    for row in parsed.rows:
        if row.document in doc_problems:
            parsed.add(row.row, doc_problems[row.document])
    if not parsed.ok:
        return None, parsed
    return Checked(parsed, scope, scope_batch, resolved), parsed


def invalid_file(parsed: parse.ParsedQuestions) -> ApiError:
    """The 400 invalid_file error naming each row with a problem."""
    rows = parsed.problem_dicts()
    first = "; ".join(
        (f"row {p['row']}: {p['reason']}" if p["row"] else p["reason"]) for p in rows[:3]
    )
    more = f" (and {len(rows) - 3} more)" if len(rows) > 3 else ""
    return DomainError(
        ErrorCode.INVALID_FILE,
        f"The questions file has problems: {first}{more}",
        {"filename": parsed.filename, "rows": rows},
    )


def preview(user: User, upload: Upload, scope_value: str | None) -> dict:
    """What the wizard's review step shows: the first rows and every problem; stores nothing."""
    limits = plans.user_limits(user)
    check_plan(limits, "question_rows")
    limit = limits.question_rows
    upload = check_upload(upload)
    checked, parsed = check_file(user, upload, scope_value, limit)
    problems = parsed.problem_dicts()
    warnings = []
    if checked is not None:
        left = pages_left(user, limits)
        if left < len(parsed.rows):
            problems.append(
                {"row": None, "reason": quota_sentence(left, len(parsed.rows), "questions")}
            )
        scope = scope_for(user.id, checked.scope, checked.scope_batch and checked.scope_batch.id)
        if not completed_documents(scope):
            warnings.append(
                "There are no completed documents in this scope yet: questions are answered from "
                "the documents completed by the time they run."
            )
    return {
        "valid": not problems,
        "filename": parsed.filename,
        "format": parsed.kind or None,
        "columns": parsed.columns,
        "row_count": len(parsed.rows),
        "thread_count": parsed.thread_count,
        "limit": limit,
        "rows": [
            {"row": r.row, "chat_id": r.chat_id, "question": r.question, "document": r.document}
            for r in parsed.rows[: parse.PREVIEW_ROWS]
        ],
        "problems": problems,
        "warnings": warnings,
    }
