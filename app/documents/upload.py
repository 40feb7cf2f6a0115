"""GET/POST /documents/new: upload one document with a plain form (works without JavaScript)."""

import re

from flask import current_app, flash, make_response, redirect, render_template, request
from flask_login import current_user, login_required

from app import intake
from app.documents import bp
from app.rate_limits import limit_creations
from app.services import plans, quota

# The form's labels for the fields the API names in its messages.
FORM_LABELS = {"files": "File", "global_prompt": "What to extract", "reuse": "Extract again"}
FIELD_NAME = re.compile(r"\s*\(field '(\w+)'\)")


def form_message(message: str) -> str:
    """An intake message as the form says it: fields named by their labels, not their keys."""
    return FIELD_NAME.sub(
        lambda m: f" (“{FORM_LABELS.get(m.group(1), m.group(1).replace('_', ' '))}”)", message
    ).replace("the global strategy uses", "“My prompt” uses")


def error_field(error: intake.IntakeError | None) -> str | None:
    """The form field an error is about, to mark it invalid."""
    if error is None:
        return None
    if error.code == "invalid_prompt":
        return "global_prompt"
    named = FIELD_NAME.search(error.message)
    return named.group(1) if named else (error.details or {}).get("field")


def render_form(error: intake.IntakeError | None = None, status: int = 200):
    """The upload form, with the error of a rejected upload and the values sent."""
    limits = plans.user_limits(current_user)
    resp = make_response(
        render_template(
            "documents/new.html",
            error=error,
            error_message=form_message(error.message) if error else None,
            error_field=error_field(error),
            file_dropped=error is not None and bool(request.files.get("files")),
            values=request.form if request.method == "POST" else {},
            limits=limits,
            usage=quota.summary(current_user),
            max_file_mb=current_app.config["MAX_FILE_BYTES"] // (1024 * 1024),
            max_prompt_chars=current_app.config["MAX_PROMPT_CHARS"],
            sentences={str(k): v for k, v in intake.STRATEGY_SENTENCES.items()},
        ),
        status,
    )
    if error is not None:
        resp.headers.update(error.headers)
    return resp


@bp.route("/documents/new", methods=["GET", "POST"])
@login_required
@limit_creations
def new():
    """Upload one file; on success go to the document's page."""
    if request.method == "GET":
        return render_form()
    parts = request.files.getlist("files") + request.files.getlist("file")
    try:
        result = intake.create_document(
            current_user._get_current_object(), intake.uploads_from(parts), request.form
        )
    except intake.IntakeError as err:
        return render_form(err, err.status)
    doc = result.documents[0]
    if doc.error_code:
        flash(
            f"{doc.original_filename} was stored but cannot be processed: {doc.error_message}",
            "error",
        )
    else:
        flash(f"{doc.original_filename} is uploaded and queued for extraction.", "success")
    return redirect(f"/documents/{doc.id}")
