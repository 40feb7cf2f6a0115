"""Question batches in the JSON API: create, preview, list, status, cancel, retry,
delete and export, under /api/v1/question-batches."""

from flask import current_app, jsonify, request, stream_with_context, url_for
from flask_login import current_user

from app import exports
from app.api import bp
from app.api.batches import int_arg, text_arg
from app.api.openapi import (
    CREATE_ERRORS,
    IF_NONE_MATCH,
    PAGE_PARAMS,
    documented,
    download,
    json_answer,
    links_to,
    multipart,
    no_content,
    not_modified,
    query,
)
from app.errors import ApiError, not_found
from app.extensions import db, limiter
from app.models import BatchStatus, ErrorCode, audit
from app.services import plans
from app.services.questions import actions
from app.services.questions import exports as qexports


def creation_limit() -> str:
    """Question batch creations per hour, by plan (shared with the upload page)."""
    try:
        per_hour = plans.user_limits(current_user).creations_per_hour
    except Exception:  # noqa: BLE001 - an anonymous request is refused before this counts
        per_hour = 10
    return f"{max(per_hour, 1)} per hour"


create_limit = limiter.shared_limit(
    creation_limit,
    scope="question-batch-create",
    deduct_when=lambda response: response.status_code in (202, 303),
    override_defaults=False,
)

QUESTION_FILE_ERRORS = {
    **CREATE_ERRORS,
    400: [*CREATE_ERRORS[400], ErrorCode.NO_FILES, ErrorCode.INVALID_FILE],
}


def single(name: str) -> None:
    """A field sent more than once is ambiguous: 400 bad_request rather than a guess."""
    if len(request.form.getlist(name)) + len(request.files.getlist(name)) > 1:
        raise ApiError(400, ErrorCode.BAD_REQUEST, f"Send the field {name} once.", {"field": name})


def form_value(name: str) -> str | None:
    """A single-valued form field."""
    single(name)
    return request.form.get(name)


def preview_limit() -> str:
    """Previews of question files per user: each one reads a whole file in the web process."""
    return current_app.config["RATELIMIT_PREVIEW"]


def read_upload() -> actions.Upload | None:
    """The multipart `file` field, read with the per-file size cap."""
    single("file")
    storage = request.files.get("file")
    if storage is None:
        return None
    cap = current_app.config["MAX_FILE_BYTES"]
    data = storage.stream.read(cap + 1)
    return actions.Upload(filename=storage.filename or "", data=data)


def owned_or_404(batch_id):
    batch = actions.owned(current_user.id, batch_id)
    if batch is None:
        raise not_found()
    return batch


def status_response(batch, status: int = 200):
    resp = jsonify(actions.status_json(batch, actions.items_of(batch.id)))
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def create_and_enqueue(user, upload, scope, name):
    """Store a checked file and its rows in one transaction, then enqueue its threads."""
    batch, threads = actions.create(user, upload, scope, name)
    db.session.commit()
    unindexed = len(actions.unindexed_for(batch.id, actions.scope_of(batch), limit=5000))
    actions.enqueue_threads(batch.id, threads, fresh=True, unindexed=unindexed)
    return batch


@bp.post("/question-batches")
@documented(
    "Create a question batch",
    tag="Question batches",
    description="Upload a CSV or XLSX of questions answered from your documents (one page of "
    "quota each); rows with the same `chat_id` form one conversation.",
    body=multipart("QuestionBatchCreate"),
    answers={
        202: json_answer(
            "QuestionBatchStatus",
            "Accepted and queued.",
            ("Location",),
            links_to(
                "batch_id",
                GetQuestionBatch="question_batch",
                CancelQuestionBatch="cancel_question_batch",
                RetryQuestionBatch="retry_question_batch",
                ExportQuestionBatch="export_question_batch",
                DeleteQuestionBatch="delete_question_batch",
            ),
        )
    },
    errors=QUESTION_FILE_ERRORS,
)
@create_limit
def create_question_batch():
    """Upload a CSV or XLSX of questions: 202 with the batch's status JSON."""
    batch = create_and_enqueue(current_user, read_upload(), form_value("scope"), form_value("name"))
    resp = status_response(batch, 202)
    resp.headers["Location"] = url_for("api.question_batch", batch_id=batch.id)
    return resp


@bp.post("/question-batches/preview")
@documented(
    "Check a question file",
    tag="Question batches",
    description="Reads the file and reports its first rows, its columns and every problem; "
    "stores nothing and uses no quota.",
    body=multipart("QuestionFile"),
    answers={200: json_answer("QuestionPreview", "What the file holds.")},
    errors=QUESTION_FILE_ERRORS,
)
@limiter.limit(preview_limit, override_defaults=False)
def preview_question_batch():
    """Check a file without storing anything: the first rows, the columns and every problem."""
    result = actions.preview(current_user, read_upload(), form_value("scope"))
    resp = jsonify(result)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/question-batches")
@documented(
    "List your question batches",
    tag="Question batches",
    params=(
        query(
            "status",
            {"type": "string", "enum": ["", *[s.value for s in BatchStatus]]},
            "Only batches with this status (empty: all).",
        ),
        query("q", {"type": "string"}, "Only batches whose name contains this text."),
        *PAGE_PARAMS,
    ),
    answers={200: json_answer("QuestionBatchList", "A page of question batches, without rows.")},
)
def question_batches():
    """The user's question batches, newest first (?status=&q=&page=&per_page=)."""
    try:
        status = request.args.get("status") or None
        if status:
            BatchStatus(status)
    except ValueError:
        raise ApiError(
            400, ErrorCode.BAD_REQUEST, "Unknown status filter.", {"status": "unknown value"}
        ) from None
    page = int_arg("page", 1)
    per_page = int_arg("per_page", actions.DEFAULT_PER_PAGE)
    result = actions.list_batches(current_user.id, status, text_arg("q"), page, per_page)
    resp = jsonify(
        {
            "question_batches": [actions.status_json(b) for b in result.items],
            "page": result.page,
            "pages": result.pages,
            "per_page": result.per_page,
            "total": result.total,
        }
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/question-batches/<uuid:batch_id>")
@documented(
    "Status of a question batch",
    tag="Question batches",
    params=(IF_NONE_MATCH,),
    answers={
        200: json_answer("QuestionBatchStatus", "The batch with every row.", ("ETag",)),
        304: not_modified(),
    },
)
def question_batch(batch_id):
    """The status JSON with every row; ETag, and 304 on If-None-Match."""
    snap = actions.snapshot(current_user.id, batch_id)
    if snap is None:
        raise not_found()
    batch, etag = snap
    if request.if_none_match.contains(etag.strip('"')):
        resp = current_app.response_class(status=304)
    else:
        resp = status_response(batch)
    resp.headers["ETag"] = etag
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.post("/question-batches/<uuid:batch_id>/cancel")
@documented(
    "Cancel a question batch",
    tag="Question batches",
    description="Rows not started yet are cancelled; 409 when the batch is finished.",
    answers={200: json_answer("QuestionBatchStatus", "The cancelled batch.")},
    errors={409: [ErrorCode.INVALID_STATE]},
)
def cancel_question_batch(batch_id):
    """Cancel the rows not started yet; 409 when the batch is finished."""
    batch = owned_or_404(batch_id)
    actions.cancel(batch, current_user.id)
    db.session.commit()
    return status_response(batch)


@bp.post("/question-batches/<uuid:batch_id>/retry")
@documented(
    "Retry the failed rows of a question batch",
    tag="Question batches",
    description="Queues the failed rows again; 409 when none failed.",
    answers={200: json_answer("QuestionBatchStatus", "The batch, queued again.")},
    errors={409: [ErrorCode.INVALID_STATE]},
)
def retry_question_batch(batch_id):
    """Queue the failed rows again; 409 when none failed."""
    batch = owned_or_404(batch_id)
    threads = actions.retry(batch, current_user.id)
    db.session.commit()
    actions.enqueue_threads(batch.id, threads)
    return status_response(batch)


@bp.delete("/question-batches/<uuid:batch_id>")
@documented(
    "Delete a question batch", tag="Question batches", answers={204: no_content("Deleted.")}
)
def delete_question_batch(batch_id):
    """Delete the batch and its rows."""
    batch = owned_or_404(batch_id)
    actions.delete(batch, current_user.id)
    db.session.commit()
    return "", 204


@bp.get("/question-batches/<uuid:batch_id>/export")
@documented(
    "Export a question batch's answers",
    tag="Question batches",
    description="The uploaded columns plus `answer`, `sources`, `status` and `error`.",
    params=(query("format", {"type": "string", "enum": ["", *exports.FORMATS]}, "Default `csv`."),),
    answers={200: download("The answers as a download.")},
)
def export_question_batch(batch_id):
    """The uploaded columns plus answer, sources, status and error as JSON, CSV or XLSX."""
    batch = owned_or_404(batch_id)
    fmt = (request.args.get("format") or "csv").lower()
    if fmt not in exports.FORMATS:
        raise ApiError(400, ErrorCode.BAD_REQUEST, "The format must be json, csv or xlsx.")
    return export_response(batch, fmt)


def export_response(batch, fmt: str):
    """Stream an export of a question batch as a download."""
    columns, _added = qexports.export_columns(batch)
    batch_id, user_id = batch.id, current_user.id
    audit.record(actions.Actions.EXPORTED, user_id=user_id, batch_id=batch_id, format=fmt)
    db.session.commit()

    def rows():
        # Streamed after the view returns: use the ids captured while the request was live.
        fresh = actions.owned(user_id, batch_id)
        return qexports.answer_rows(fresh, fmt) if fresh is not None else iter(())

    export = exports.export_table(columns, rows, fmt)
    slug = exports.slugify(batch.name or "") or "questions"
    filename = f"{slug}-{str(batch_id)[:8]}-answers.{export.extension}"
    resp = current_app.response_class(
        stream_with_context(iter(export.body)), mimetype=export.mimetype
    )
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
