"""Batch reads and actions: list, status (ETag/304), cancel, resume, retry, delete, export."""

from flask import Response, jsonify, request, stream_with_context
from flask_login import current_user

from app import exports
from app.api import bp
from app.api.openapi import PAGE_PARAMS, documented, download, json_answer, no_content, query
from app.errors import ApiError, not_found
from app.extensions import db
from app.models import AuditAction, Batch, BatchStatus, ErrorCode
from app.models.audit import record
from app.services import batch_actions, batch_queries
from app.services.serializers import batch_json


def no_store(resp: Response) -> Response:
    """Status answers must never be served from a cache."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


def int_arg(name: str, default: int) -> int:
    """A positive integer query argument, or 400 bad_request."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ApiError(400, ErrorCode.BAD_REQUEST, f"{name} must be a positive whole number.")
    return value


def text_arg(name: str) -> str | None:
    """A free-text query argument; 400 bad_request for a NUL character, which no text holds."""
    value = request.args.get(name)
    if value is not None and "\x00" in value:
        raise ApiError(
            400, ErrorCode.BAD_REQUEST, f"{name} contains a NUL character.", {name: "NUL character"}
        )
    return value


def flag_arg(name: str) -> bool:
    """A yes/no query argument: 1/true or 0/false (absent or empty: no)."""
    raw = (request.args.get(name) or "").strip().lower()
    if raw in ("", "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise ApiError(400, ErrorCode.BAD_REQUEST, f"{name} must be 1 or 0.", {name: "1 or 0"})


def invalid_state(exc: batch_actions.InvalidState) -> ApiError:
    """The 409 answer for an action that does not fit the current state."""
    return ApiError(409, ErrorCode.INVALID_STATE, exc.message)


@bp.get("/batches")
@documented(
    "List your batches",
    tag="Batches",
    description="Newest first by default; filter by status, search by name, sort and page.",
    params=(
        query(
            "status",
            {"type": "string", "enum": ["", *[s.value for s in BatchStatus]]},
            "Only batches with this status (empty: all).",
        ),
        query("q", {"type": "string"}, "Only batches whose name contains this text."),
        query(
            "needs_review",
            {"type": "string", "enum": ["", "0", "1", "true", "false"]},
            "1: only batches with completed documents that need review.",
        ),
        query(
            "sort",
            {"type": "string", "enum": ["", *batch_queries.SORTS]},
            f"Order (empty: {batch_queries.DEFAULT_SORT}).",
        ),
        *PAGE_PARAMS,
    ),
    answers={200: json_answer("BatchList", "A page of batches, without their documents.")},
)
def batches_list():
    """The user's batches, newest first: ?status=&q=&sort=&page=&per_page=."""
    try:
        status = batch_queries.parse_status(request.args.get("status"))
    except ValueError:
        raise ApiError(
            400, ErrorCode.BAD_REQUEST, "Unknown status filter.", {"status": "unknown value"}
        ) from None
    sort = request.args.get("sort") or batch_queries.DEFAULT_SORT
    if sort not in batch_queries.SORTS:
        raise ApiError(
            400,
            ErrorCode.BAD_REQUEST,
            "Unknown sort order.",
            {"sort": f"use one of {', '.join(batch_queries.SORTS)}"},
        )
    page = batch_queries.list_batches(
        current_user.id,
        status=status,
        q=text_arg("q"),
        sort=sort,
        page=int_arg("page", 1),
        per_page=int_arg("per_page", batch_queries.DEFAULT_PER_PAGE),
        needs_review=flag_arg("needs_review"),
    )
    return no_store(
        jsonify(
            batches=[batch_json(b) for b in page.items],
            page=page.page,
            pages=page.pages,
            per_page=page.per_page,
            total=page.total,
        )
    )


@bp.post("/batches/<batch_id>/cancel")
@documented(
    "Cancel a batch",
    tag="Batches",
    description="Documents not started yet are cancelled; 409 when the batch is finished.",
    answers={200: json_answer("BatchStatus", "The cancelled batch.")},
    errors={409: [ErrorCode.INVALID_STATE]},
)
def batch_cancel(batch_id):
    """Cancel a queued or processing batch."""
    return batch_action(batch_actions.cancel_batch, batch_id)


@bp.post("/batches/<batch_id>/retry")
@documented(
    "Retry the failed documents of a batch",
    tag="Batches",
    description="Queues the failed documents again; 409 when none failed.",
    answers={200: json_answer("BatchStatus", "The batch, queued again.")},
    errors={409: [ErrorCode.INVALID_STATE]},
)
def batch_retry(batch_id):
    """Queue the failed documents of a batch again."""
    return batch_action(batch_actions.retry_batch, batch_id)


@bp.post("/batches/<batch_id>/resume")
@documented(
    "Resume a cancelled batch",
    tag="Batches",
    description="Queues the cancelled documents of a cancelled batch again; 409 when the batch is "
    "not cancelled or has no cancelled document, 402 when the pages left this period do not cover "
    "theirs.",
    answers={200: json_answer("BatchStatus", "The batch, queued again.")},
    errors={402: [ErrorCode.QUOTA_EXCEEDED], 409: [ErrorCode.INVALID_STATE]},
)
def batch_resume(batch_id):
    """Queue the cancelled documents of a cancelled batch again."""
    return batch_action(batch_actions.resume_batch, batch_id)


def batch_action(action, batch_id):
    """Run cancel, retry or resume for the current user; the batch's status JSON, or the
    action's refusal (404 for another user's batch, 409 invalid_state, 402 quota_exceeded)."""
    try:
        result = action(batch_id, current_user.id)
    except batch_actions.NotFound:
        raise not_found() from None
    except batch_actions.InvalidState as exc:
        raise invalid_state(exc) from None
    except batch_actions.QuotaExceeded as exc:
        raise ApiError(402, ErrorCode.QUOTA_EXCEEDED, exc.message, exc.details) from None
    batch = result if isinstance(result, Batch) else result.batch
    return no_store(jsonify(batch_json(batch, batch_queries.batch_documents(batch.id))))


@bp.delete("/batches/<batch_id>")
@documented(
    "Delete a batch",
    tag="Batches",
    description="Deletes the batch with its documents, results and stored files.",
    answers={204: no_content("Deleted.")},
)
def batch_delete(batch_id):
    """Delete a batch with its documents, results and stored files."""
    try:
        batch_actions.delete_batch(batch_id, current_user.id)
    except batch_actions.NotFound:
        raise not_found() from None
    return Response(status=204)


@bp.get("/batches/<batch_id>/export")
@documented(
    "Export a batch's results",
    tag="Batches",
    params=(
        query("format", {"type": "string", "enum": ["", *exports.FORMATS]}, "Default `json`."),
        query(
            "rows",
            {"type": "string", "enum": ["", *exports.ROW_MODES]},
            "One row per document (default) or per line item.",
        ),
    ),
    answers={200: download("The results as a download.")},
)
def batch_export(batch_id):
    """The batch's results as a JSON, CSV or XLSX download (?format=&rows=document|item)."""
    fmt = (request.args.get("format") or "json").strip().lower()
    rows = (request.args.get("rows") or "document").strip().lower()
    if fmt not in exports.FORMATS:
        raise ApiError(
            400,
            ErrorCode.BAD_REQUEST,
            "Unknown export format: use json, csv or xlsx.",
            {"format": fmt},
        )
    if rows not in exports.ROW_MODES:
        raise ApiError(
            400, ErrorCode.BAD_REQUEST, "Unknown rows value: use document or item.", {"rows": rows}
        )
    batch = batch_queries.owned_batch(current_user.id, batch_id)
    if batch is None:
        raise not_found()
    return export_response(batch, fmt, rows)


def export_response(batch, fmt: str, rows: str) -> Response:
    """Record the export and stream the file (shared with the batch page's download link)."""
    batch_id, name = batch.id, batch.name
    record(
        AuditAction.BATCH_EXPORTED,
        user_id=current_user.id,
        batch_id=batch_id,
        format=fmt,
        rows=rows,
    )
    db.session.commit()
    export = exports.export_batch(lambda: batch_queries.export_rows(batch_id), fmt, rows)
    filename = exports.export_filename(name, batch_id, fmt, rows)
    content_type = export.mimetype + ("; charset=utf-8" if fmt in ("csv", "json") else "")
    resp = Response(stream_with_context(iter(export.body)), content_type=content_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(resp)
