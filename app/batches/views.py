"""Batch pages: the list, the live detail page, actions and bulk actions."""

from datetime import UTC, datetime
from urllib.parse import urlparse

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from app import exports
from app.batches import bp, formatting
from app.extensions import db
from app.models import AuditAction, BatchStatus, DocumentStatus, states
from app.models.audit import record
from app.services import batch_actions, batch_queries

formatting.register(bp)

STATUS_CHOICES = [s.value for s in BatchStatus]
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "name": "Name",
    "status": "Status",
}


def can_cancel(batch) -> bool:
    """True when the batch may still be cancelled."""
    return BatchStatus.CANCELLED in states.BATCH_TRANSITIONS[batch.status]


def can_retry(batch, documents=None) -> bool:
    """True when the batch has failed documents that may be queued again (of those listed,
    failures a retry can fix)."""
    if batch.failed_count <= 0 or batch.status in (
        BatchStatus.CANCELLED,
        BatchStatus.COMPLETED,
        BatchStatus.PENDING_UPLOAD,
    ):
        return False
    if documents is None:
        return True
    return any(
        d.status == DocumentStatus.FAILED and states.retryable(d.error_code) for d in documents
    )


def can_resume(batch, documents=None) -> bool:
    """True when the batch is cancelled and has cancelled documents to queue again (of those
    listed, when given)."""
    if batch.status != BatchStatus.CANCELLED or batch.cancelled_count <= 0:
        return False
    if documents is None:
        return True
    return any(d.status == DocumentStatus.CANCELLED for d in documents)


def local_target(target: str | None, default: str) -> str:
    """Redirect only to paths of this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        if not urlparse(target).netloc:
            return target
    return default


@bp.get("/batches")
@login_required
def index():
    """The user's batches: filter, search, sort, paginate, act on one or several."""
    status_arg = request.args.get("status", "")
    try:
        status = batch_queries.parse_status(status_arg)
    except ValueError:
        status, status_arg = None, ""
    sort = request.args.get("sort", batch_queries.DEFAULT_SORT)
    if sort not in batch_queries.SORTS:
        sort = batch_queries.DEFAULT_SORT
    q = request.args.get("q", "").strip()
    try:
        page_no = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page_no = 1
    needs_review = request.args.get("needs_review") in ("1", "true", "on")
    page = batch_queries.list_batches(
        current_user.id, status=status, q=q, sort=sort, page=page_no, needs_review=needs_review
    )
    filters = {
        "status": status_arg,
        "q": q,
        "sort": sort,
        "needs_review": "1" if needs_review else "",
    }
    return render_template(
        "batches/index.html",
        page=page,
        filters=filters,
        filtered=bool(status_arg or q or needs_review),
        statuses=STATUS_CHOICES,
        sort_labels=SORT_LABELS,
        can_cancel=can_cancel,
        can_retry=can_retry,
        here=request.full_path.rstrip("?"),
    )


@bp.get("/batches/<uuid:batch_id>/review-next")
@login_required
def review_next(batch_id):
    """The batch's first document that needs review, or the batch when none does."""
    batch = batch_queries.owned_batch(current_user.id, batch_id)
    if batch is None:
        abort(404)
    doc = batch_queries.next_needing_review(batch.id)
    if doc is None:
        flash("No document in this batch needs review.", "success")
        return redirect(url_for("batches.detail", batch_id=batch.id))
    return redirect(url_for("documents.detail", document_id=doc.id) + "#review")


@bp.get("/batches/<uuid:batch_id>")
@login_required
def detail(batch_id):
    """One batch: summary, progress, documents, history; polls its status while it runs."""
    probe = batch_queries.status_probe(batch_id, owner_id=current_user.id)
    if probe is None:
        abort(404)
    batch = probe.batch()  # the row the tag was computed from: the page and its tag agree
    documents = batch_queries.batch_documents(batch.id)
    resp = Response(
        render_template(
            "batches/detail.html",
            batch=batch,
            documents=documents,
            history=batch_queries.batch_history(batch.id),
            etag=probe.etag,
            can_cancel=can_cancel(batch),
            can_retry=can_retry(batch, documents),
            can_resume=can_resume(batch, documents),
        )
    )
    # The page shows live state: a reload must always ask the server.
    resp.headers["Cache-Control"] = "no-store"
    return resp


def run_action(action, batch_id, success: str | None):
    """Run an action for the current user and flash its outcome (the caller does, on None)."""
    try:
        result = action(batch_id, current_user.id)
    except batch_actions.NotFound:
        abort(404)
    except (batch_actions.InvalidState, batch_actions.QuotaExceeded) as exc:
        flash(exc.message, "error")
        return None
    if success:
        flash(success, "success")
    return result


@bp.post("/batches/<uuid:batch_id>/cancel")
@login_required
def cancel(batch_id):
    """Cancel a running batch (a form with CSRF)."""
    run_action(
        batch_actions.cancel_batch,
        batch_id,
        "Batch cancelled. Documents already being processed will finish.",
    )
    default = url_for("batches.detail", batch_id=batch_id)
    return redirect(local_target(request.form.get("next"), default))


@bp.post("/batches/<uuid:batch_id>/retry")
@login_required
def retry(batch_id):
    """Queue the failed documents again (a form with CSRF)."""
    outcome = run_action(batch_actions.retry_batch, batch_id, None)
    if outcome is not None:
        queued = len(outcome.document_ids)
        message = f"{queued} failed document{'s' if queued != 1 else ''} queued again."
        if outcome.left_failed:
            message += (
                f" {outcome.left_failed} stay failed: retrying cannot fix an unreadable, "
                "encrypted, unsupported or too complex file."
            )
        flash(message, "success")
    if outcome is not None and not outcome.enqueued:
        flash(
            "The queue is unreachable right now; the documents will be picked up shortly.", "info"
        )
    default = url_for("batches.detail", batch_id=batch_id)
    return redirect(local_target(request.form.get("next"), default))


@bp.post("/batches/<uuid:batch_id>/resume")
@login_required
def resume(batch_id):
    """Queue the cancelled documents of a cancelled batch again (a form with CSRF)."""
    outcome = run_action(batch_actions.resume_batch, batch_id, None)
    if outcome is not None:
        resumed = len(outcome.document_ids)
        flash(f"Resumed {resumed} cancelled document{'s' if resumed != 1 else ''}.", "success")
    if outcome is not None and not outcome.enqueued:
        flash(
            "The queue is unreachable right now; the documents will be picked up shortly.", "info"
        )
    default = url_for("batches.detail", batch_id=batch_id)
    return redirect(local_target(request.form.get("next"), default))


@bp.post("/batches/<uuid:batch_id>/delete")
@login_required
def delete(batch_id):
    """Delete a batch (a form with CSRF, confirmed in the browser)."""
    run_action(batch_actions.delete_batch, batch_id, "Batch deleted.")
    target = local_target(request.form.get("next"), url_for("batches.index"))
    if target.rstrip("/") == url_for("batches.detail", batch_id=batch_id):
        target = url_for("batches.index")
    return redirect(target)


@bp.post("/batches/bulk")
@login_required
def bulk():
    """Delete or export several selected batches."""
    back = local_target(request.form.get("next"), url_for("batches.index"))
    batches = batch_queries.owned_batches(current_user.id, request.form.getlist("batch_ids"))
    if not batches:
        flash("Select at least one batch first.", "error")
        return redirect(back)
    action = request.form.get("action")
    if action == "delete":
        deleted = 0
        for batch in batches:
            try:
                batch_actions.delete_batch(batch.id, current_user.id)
                deleted += 1
            except batch_actions.NotFound:
                continue
        flash(f"Deleted {deleted} batch{'es' if deleted != 1 else ''}.", "success")
        return redirect(back)
    if action == "export":
        fmt = request.form.get("format", "csv")
        rows = request.form.get("rows", "document")
        if fmt not in exports.FORMATS or rows not in exports.ROW_MODES:
            flash("Choose an export format (CSV, XLSX or JSON) and a row layout.", "error")
            return redirect(back)
        return zip_export(batches, fmt, rows)
    flash("Choose an action for the selected batches.", "error")
    return redirect(back)


def zip_export(batches, fmt: str, rows: str) -> Response:
    """A zip holding one export file per batch, streamed as it is written."""
    items = [(b.id, b.name) for b in batches]
    for batch_id, _name in items:
        record(
            AuditAction.BATCH_EXPORTED,
            user_id=current_user.id,
            batch_id=batch_id,
            format=fmt,
            rows=rows,
            bundle=True,
        )
    db.session.commit()
    now = datetime.now(UTC)

    stamp = now.strftime("%Y%m%d-%H%M%S")
    body = exports.zip_bundle(items, batch_queries.export_rows, fmt, rows, now)
    resp = Response(stream_with_context(body), content_type="application/zip")
    resp.headers["Content-Disposition"] = f'attachment; filename="batches-{stamp}.zip"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "no-store"
    return resp
