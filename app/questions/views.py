"""Question batch pages: /questions, /questions/new (wizard) and /questions/<id> (live page)."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.api.questions import create_and_enqueue, create_limit, read_upload
from app.errors import ApiError
from app.extensions import db
from app.models import Batch, BatchStatus, ErrorCode, states
from app.questions import bp
from app.services import plans, quota
from app.services.questions import NOT_FOUND_ANSWER, actions, parse

STATUS_CHOICES = [s.value for s in BatchStatus]


def can_cancel(batch) -> bool:
    """True while the batch may still be cancelled."""
    return batch.status in states.BATCH_ACTIVE


def can_retry(batch) -> bool:
    """True when failed rows may be queued again."""
    return batch.failed_count > 0 and batch.status not in (
        BatchStatus.CANCELLED,
        BatchStatus.COMPLETED,
        BatchStatus.PENDING_UPLOAD,
    )


def scope_choices(user_id) -> list[Batch]:
    """The user's batches that can be a question scope, newest first."""
    return list(
        db.session.scalars(
            sa.select(Batch)
            .where(Batch.user_id == user_id)
            .order_by(Batch.created_at.desc())
            .limit(200)
        )
    )


@bp.get("")
@login_required
def index():
    """The user's question batches."""
    status = request.args.get("status") or None
    if status not in STATUS_CHOICES:
        status = None
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        page = 1
    result = actions.list_batches(current_user.id, status, request.args.get("q"), page)
    resp = render_template(
        "questions/index.html",
        result=result,
        status=status,
        q=request.args.get("q", ""),
        statuses=STATUS_CHOICES,
        limits=plans.user_limits(current_user),
    )
    return resp, 200, {"Cache-Control": "no-store"}


def render_wizard(problems=None, error=None, form=None, status=200):
    limits = plans.user_limits(current_user)
    return (
        render_template(
            "questions/new.html",
            limits=limits,
            usage=quota.summary(current_user),
            batches=scope_choices(current_user.id),
            problems=problems or [],
            error=error,
            form=form or {},
            max_mb=current_app.config["MAX_FILE_BYTES"] // (1024 * 1024),
            preview_rows=parse.PREVIEW_ROWS,
        ),
        status,
    )


@bp.get("/new")
@login_required
def new():
    """The upload wizard: file, scope, review."""
    return render_wizard()


@bp.post("/new")
@login_required
@create_limit
def create():
    """Create a question batch from the wizard's form; problems come back on the same page."""
    form = {"name": request.form.get("name", ""), "scope": request.form.get("scope", "all")}
    try:
        batch = create_and_enqueue(
            current_user, read_upload(), request.form.get("scope"), request.form.get("name")
        )
    except ApiError as err:
        if err.code == ErrorCode.UPGRADE_REQUIRED:
            raise
        db.session.rollback()
        return render_wizard(err.details.get("rows"), err.message, form, err.status)
    flash(
        f"{batch.item_count} question(s) queued in {batch.thread_count} conversation(s).",
        "success",
    )
    return redirect(url_for("questions.detail", batch_id=batch.id), code=303)


@bp.get("/<uuid:batch_id>")
@login_required
def detail(batch_id):
    """A question batch with its rows, updated live while it runs."""
    snap = actions.snapshot(current_user.id, batch_id)
    if snap is None:
        abort(404)
    batch, etag = snap
    scope_batch = None
    if batch.scope_batch_id:
        scope_batch = db.session.get(Batch, batch.scope_batch_id)
    resp = render_template(
        "questions/detail.html",
        batch=batch,
        etag=etag,
        items=actions.items_of(batch.id),
        scope_batch=scope_batch,
        can_cancel=can_cancel(batch),
        can_retry=can_retry(batch),
        not_found=NOT_FOUND_ANSWER,
    )
    return resp, 200, {"Cache-Control": "no-store"}


def run_action(batch_id, fn, success: str):
    batch = actions.owned(current_user.id, batch_id)
    if batch is None:
        abort(404)
    try:
        result = fn(batch, current_user.id)
    except ApiError as err:
        db.session.rollback()
        flash(err.message, "error")
        return None
    db.session.commit()
    flash(success, "success")
    return result


@bp.post("/<uuid:batch_id>/cancel")
@login_required
def cancel(batch_id):
    """Cancel the questions not started yet."""
    run_action(batch_id, actions.cancel, "Cancelled. Questions already being answered will finish.")
    return redirect(url_for("questions.detail", batch_id=batch_id), code=303)


@bp.post("/<uuid:batch_id>/retry")
@login_required
def retry(batch_id):
    """Queue the failed questions again."""
    threads = run_action(batch_id, actions.retry, "Failed questions queued again.")
    if threads:
        actions.enqueue_threads(batch_id, threads)
    return redirect(url_for("questions.detail", batch_id=batch_id), code=303)


@bp.post("/<uuid:batch_id>/delete")
@login_required
def delete(batch_id):
    """Delete the batch and its answers."""
    run_action(batch_id, actions.delete, "Question batch deleted.")
    return redirect(url_for("questions.index"), code=303)
