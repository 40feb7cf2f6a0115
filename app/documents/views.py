"""Document pages: the list of single uploads, the result view, the original file, deletion of a
single upload."""

import re

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.batches import formatting
from app.documents import bp
from app.exports import flatten
from app.extensions import db
from app.models import Batch, PromptStrategy
from app.services import batch_actions, batch_queries, review
from app.storage import get_storage

formatting.register(bp)

# Only types the intake accepts are served as themselves; anything else is a plain download.
SAFE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def owned_or_404(document_id):
    doc = batch_queries.owned_document(current_user.id, document_id)
    if doc is None:
        abort(404)
    return doc


def used_prompt(doc, batch, attempts) -> str | None:
    """The prompt of the latest attempt, else the one the document would run with."""
    for job in reversed(attempts):
        if job.prompt:
            return job.prompt
    if doc.extraction_prompt:
        return doc.extraction_prompt
    if batch is not None and batch.prompt_strategy == PromptStrategy.GLOBAL:
        return batch.extraction_prompt
    return None


def field_rows(result: dict | None) -> list[dict]:
    """The extracted fields as rows {name, value, confidence, page, source_text}."""
    if not result:
        return []
    fields = result.get("fields") if isinstance(result.get("fields"), dict) else {}
    data = result.get("data") if isinstance(result.get("data"), dict) else {}
    rows = []
    for name in list(data) + [n for n in fields if n not in data]:
        if name == "line_items":
            continue
        info = fields.get(name) if isinstance(fields.get(name), dict) else {}
        value = data.get(name, info.get("value"))
        if isinstance(value, dict) and value:
            # A nested object reads best as one row per inner value: "vendor.name".
            for inner, inner_value in flatten(value, name).items():
                rows.append(
                    {
                        "name": inner,
                        "value": inner_value,
                        "confidence": None,
                        "page": None,
                        "source_text": None,
                    }
                )
            continue
        bbox = info.get("bbox")
        rows.append(
            {
                "name": name,
                "value": value,
                "confidence": info.get("confidence"),
                "page": info.get("page"),
                "bbox": bbox if isinstance(bbox, list) and len(bbox) == 4 else None,
                "source_text": info.get("source_text"),
                "corrected": bool(info.get("corrected")),
                "original": info.get("original"),
                "editable": not isinstance(value, list | dict),
                "input": input_value(value),
            }
        )
    return rows


def input_value(value, column: str | None = None) -> str:
    """A value as the text of its input in the review form: amounts with their cents,
    quantities without a trailing ".0"."""
    if value is None or isinstance(value, list | dict):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if column in COUNTED_COLUMNS:
            return format(value, "f").rstrip("0").rstrip(".") if value % 1 else str(int(value))
        return f"{value:.2f}"
    return str(value)


# Line-item columns that count things rather than money.
COUNTED_COLUMNS = frozenset({"quantity", "qty", "hours", "units"})


# Pages shown side by side with the fields (the rest open from "Download original").
REVIEW_PAGES = 20


def line_item_table(result: dict | None) -> tuple[list[str], list[dict]]:
    """Columns and rows of the line items (objects; plain values go in one 'value' column)."""
    items = (result or {}).get("line_items")
    if not isinstance(items, list) and isinstance((result or {}).get("data"), dict):
        items = result["data"].get("line_items")
    if not isinstance(items, list) or not items:
        return [], []
    columns: dict[str, None] = {}
    rows = []
    for item in items:
        row = item if isinstance(item, dict) else {"value": item}
        columns.update(dict.fromkeys(row))
        rows.append(row)
    return list(columns), rows


def download_name(filename: str | None) -> str:
    """The original name without control characters or path separators (never empty)."""
    name = CONTROL_CHARS.sub("", filename or "").replace("/", "_").replace("\\", "_").strip()
    return name or "document"


def render_detail(doc, errors: dict | None = None, submitted=None, status: int = 200):
    """The document page; after a refused correction, with the errors and what was typed."""
    batch = db.session.get(Batch, doc.batch_id) if doc.batch_id else None
    result = batch_queries.document_result(doc)
    attempts = batch_queries.document_attempts(doc.id)
    columns, items = line_item_table(result)
    fields = field_rows(result)
    data = (result or {}).get("data") if isinstance((result or {}).get("data"), dict) else {}
    resp = Response(
        render_template(
            "documents/detail.html",
            doc=doc,
            batch=batch,
            result=result,
            fields=fields,
            kinds=review.field_kinds(doc, result) if result else {},
            currency=data.get("currency"),
            item_columns=columns,
            items=items,
            item_inputs=[{c: input_value(row.get(c), c) for c in columns} for row in items],
            attempts=attempts,
            prompt=used_prompt(doc, batch, attempts),
            review_pages=range(1, min(max(doc.page_count, 1), REVIEW_PAGES) + 1),
            errors=errors or {},
            submitted=submitted or {},
        ),
        status,
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/documents")
@login_required
def index():
    """The user's single uploads (documents sent without a batch), newest first, paginated."""
    try:
        page_no = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page_no = 1
    page = batch_queries.list_single_documents(current_user.id, page=page_no)
    resp = Response(render_template("documents/index.html", page=page))
    # Statuses change while documents are processed: a reload must ask the server.
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/documents/<uuid:document_id>")
@login_required
def detail(document_id):
    """A document's result as a review screen: page images beside the fields, line items,
    raw JSON, prompt, attempts and errors."""
    return render_detail(owned_or_404(document_id))


def submitted_changes(form, result: dict | None) -> tuple[dict, list | None]:
    """Field values and line-item rows from the review form, keyed as the result keys them."""
    data = {}
    for row in field_rows(result):
        key = f"field-{row['name']}"
        if row["editable"] and key in form:
            data[row["name"]] = form.get(key, "")
    columns, items = line_item_table(result)
    rows = None
    if items and any(k.startswith("item-") for k in form):
        rows = [
            {
                c: form.get(f"item-{i}-{c}", input_value(item.get(c), c))
                for c in columns
                if c != "value"
            }
            for i, item in enumerate(items)
        ]
    return data, rows


@bp.post("/documents/<uuid:document_id>/result")
@login_required
def correct(document_id):
    """Save the review form's corrections (works without JavaScript)."""
    doc = owned_or_404(document_id)
    data, rows = submitted_changes(request.form, batch_queries.document_result(doc))
    try:
        review.correct(doc.id, current_user.id, data, rows)
    except review.InvalidValue as exc:
        field = exc.field
        if field.startswith("line_items["):
            index, _, column = field[len("line_items[") :].partition("].")
            field = f"item-{index}-{column}"
        else:
            field = f"field-{field}"
        return render_detail(doc, {field: exc.message}, request.form, 400)
    except review.InvalidState as exc:
        flash(str(exc), "error")
        return redirect(url_for("documents.detail", document_id=doc.id))
    except review.Gone:
        abort(404)
    flash("Corrections saved.", "success")
    return redirect(url_for("documents.detail", document_id=doc.id) + "#review")


def next_to_review(doc):
    """The batch's next document that needs review after this one (wrapping), or None."""
    if doc.batch_id is None:
        return None
    return batch_queries.next_needing_review(doc.batch_id, doc)


@bp.post("/documents/<uuid:document_id>/review")
@login_required
def approve(document_id):
    """Approve the document; go on to the batch's next document that needs review."""
    doc = owned_or_404(document_id)
    try:
        review.approve(doc.id, current_user.id)
    except review.Gone:
        abort(404)
    except review.InvalidState as exc:
        flash(str(exc), "error")
        return redirect(url_for("documents.detail", document_id=doc.id))
    flash(f"{doc.original_filename} approved.", "success")
    return go_to_next(doc)


@bp.get("/documents/<uuid:document_id>/next")
@login_required
def review_next(document_id):
    """The batch's next document that needs review, or the batch when none is left."""
    return go_to_next(owned_or_404(document_id))


def go_to_next(doc):
    following = next_to_review(doc)
    if following is not None:
        return redirect(url_for("documents.detail", document_id=following.id) + "#review")
    if doc.batch_id is not None:
        flash("No more documents in this batch need review.", "success")
        return redirect(url_for("batches.detail", batch_id=doc.batch_id))
    return redirect(url_for("documents.detail", document_id=doc.id))


@bp.get("/documents/<uuid:document_id>/file")
@login_required
def file(document_id):
    """The original upload, as an attachment under its original name (owner only)."""
    doc = owned_or_404(document_id)
    storage = get_storage()
    try:
        stream = storage.open(doc.storage_key)
    except (FileNotFoundError, ValueError):
        abort(404)
    mimetype = doc.mime_type if doc.mime_type in SAFE_TYPES else "application/octet-stream"
    resp = send_file(
        stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name(doc.original_filename),
        conditional=False,
        etag=False,
        max_age=0,
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.post("/documents/<uuid:document_id>/delete")
@login_required
def delete(document_id):
    """Delete a single upload (a form with CSRF, confirmed in the browser)."""
    try:
        batch_actions.delete_document(document_id, current_user.id)
    except batch_actions.NotFound:
        abort(404)
    except batch_actions.InvalidState as exc:
        flash(exc.message, "error")
        return redirect(url_for("documents.detail", document_id=document_id))
    flash("Document deleted.", "success")
    return redirect(url_for("documents.index"))
