"""Landing page, dashboard and the health checks /healthz and /readyz."""

import hmac

import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.extensions import db, get_redis
from app.main import bp
from app.models import Batch
from app.services import plans, quota
from app.services.questions import actions as questions


@bp.route("/")
def index():
    """The landing page; logged-in users go to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own: the app's icon."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@bp.route("/dashboard")
@login_required
def dashboard():
    """Recent batches, recent question batches and this period's usage."""
    recent = db.session.scalars(
        sa.select(Batch)
        .where(Batch.user_id == current_user.id)
        .order_by(Batch.created_at.desc())
        .limit(5)
    ).all()
    return render_template(
        "main/dashboard.html",
        recent=recent,
        recent_questions=questions.list_batches(current_user.id, per_page=5).items,
        usage=quota.summary(current_user),
        limits=plans.user_limits(current_user),
    )


def check_database() -> str | None:
    """None when the database answers, else the reason."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return type(exc).__name__


def check_redis() -> str | None:
    """None when Redis answers, else the reason."""
    try:
        get_redis().ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__


@bp.route("/healthz")
def healthz():
    """Database and Redis reachable: 200, else 503 naming what failed."""
    checks = {"database": check_database(), "redis": check_redis()}
    ok = all(v is None for v in checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {k: ("ok" if v is None else f"error: {v}") for k, v in checks.items()},
    }
    resp = jsonify(body)
    resp.status_code = 200 if ok else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp


def check_workers_and_scheduler() -> dict[str, str | None]:
    """None per check when an RQ worker has a recent heartbeat and rqscheduler runs."""
    from app.admin import monitor

    try:
        conn = get_redis()
        workers = monitor.check_workers(conn, current_app.config["READY_WORKER_HEARTBEAT_SECONDS"])
        scheduler = monitor.check_scheduler(conn)
    except Exception as exc:  # noqa: BLE001 - Redis down: both unknown
        reason = f"Redis unreachable ({type(exc).__name__})"
        return {"workers": reason, "scheduler": reason}
    return {
        "workers": None if workers.ok else workers.detail,
        "scheduler": None if scheduler.ok else scheduler.detail,
    }


def may_see_readiness_details() -> bool:
    """True for a logged-in admin, or a caller sending READYZ_TOKEN as its Bearer token."""
    from app.admin import is_admin
    from app.auth.bearer import bearer_token

    expected = current_app.config.get("READYZ_TOKEN") or ""
    sent = bearer_token()
    if expected and sent and hmac.compare_digest(sent.encode(), expected.encode()):
        return True
    return is_admin()


@bp.route("/readyz")
def readyz():
    """Ready to serve and to process: /healthz plus a live worker and scheduler; else 503.

    The checks and what is missing are shown to admins and READYZ_TOKEN holders only; anyone
    else gets the status alone.
    """
    checks = {"database": check_database(), "redis": check_redis()}
    checks.update(check_workers_and_scheduler())
    missing = [name for name, problem in checks.items() if problem is not None]
    body: dict = {"status": "ok" if not missing else "unavailable"}
    if may_see_readiness_details():
        body["checks"] = {k: ("ok" if v is None else f"error: {v}") for k, v in checks.items()}
        body["missing"] = missing
    resp = jsonify(body)
    resp.status_code = 200 if not missing else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp
