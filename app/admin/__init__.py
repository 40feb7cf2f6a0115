"""Operator pages under /admin: the overview, the audit log and rq-dashboard at /admin/rq.

Everything under /admin answers 404 to anyone who is not an admin (anonymous visitors, ordinary
users, API tokens of ordinary users), exactly as an address that does not exist.
"""

import rq_dashboard
from flask import Blueprint, Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from rq.exceptions import NoSuchJobError

from app.errors import error_response, not_found
from app.extensions import csrf, get_redis

bp = Blueprint("admin", __name__, url_prefix="/admin")

RQ_DASHBOARD = "rq_dashboard"
RQ_DASHBOARD_URL_PREFIX = "/admin/rq"
# rq-dashboard's scripts send this cookie's value back as the X-CSRFToken header on their POSTs.
RQ_CSRF_COOKIE = "_csrf_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_admin() -> bool:
    """True when the request comes from a logged-in admin."""
    return bool(current_user.is_authenticated and getattr(current_user, "is_admin", False))


def is_admin_path(path: str) -> bool:
    """True for /admin and everything below it."""
    return path == "/admin" or path.startswith("/admin/")


def guard_admin():
    """404 for every /admin address unless the user is an admin (also for 405s and redirects)."""
    if not is_admin_path(request.path):
        return None
    if not is_admin():
        raise not_found()
    if request.blueprint == RQ_DASHBOARD:
        view_args = request.view_args or {}
        if view_args.get("instance_number", 0) != 0:
            raise not_found()
        if request.endpoint == f"{RQ_DASHBOARD}.requeue_all" and request.method != "POST":
            raise not_found()
        if request.method not in SAFE_METHODS:
            csrf.protect()
        # rq-dashboard reads its connection from the app object; give it the app's own Redis.
        current_app.redis_conn = get_redis()
    return None


def set_rq_csrf_cookie(response):
    """Hand rq-dashboard's pages a CSRF token for the POSTs their buttons make."""
    if response.mimetype == "text/html" and is_admin():
        response.set_cookie(
            RQ_CSRF_COOKIE,
            generate_csrf(),
            path=RQ_DASHBOARD_URL_PREFIX,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=False,
            samesite="Strict",
        )
    return response


def escape_rq_json(response):
    """rq-dashboard's JSON carries job text (descriptions, exceptions, results) with `<`, `>` and
    `&` as \\u escapes: the same strings to its scripts, never markup to anything else."""
    if response.mimetype == "application/json" and not response.direct_passthrough:
        body = response.get_data()
        for char, escaped in ((b"&", b"\\u0026"), (b"<", b"\\u003c"), (b">", b"\\u003e")):
            body = body.replace(char, escaped)
        response.set_data(body)
    return response


def register(app: Flask) -> None:
    """Mount the admin pages and rq-dashboard; call after the auth blueprint is registered."""
    from app.admin import routes, rq_views  # noqa: F401 - attach the views to bp

    app.register_blueprint(bp)

    app.config.setdefault("RQ_DASHBOARD_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("RQ_DASHBOARD_POLL_INTERVAL", 2500)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=RQ_DASHBOARD_URL_PREFIX)
    app.view_functions[f"{RQ_DASHBOARD}.job_info"] = rq_views.job_info
    # A job that expired or was deleted: rq-dashboard lets the lookup error through (500).
    app.register_error_handler(NoSuchJobError, lambda _exc: error_response(not_found()))
    # The admin check and the app's Redis replace rq-dashboard's own per-request connection setup
    # (which opens a new connection pool per request); CSRF is checked in guard_admin instead.
    app.before_request_funcs[RQ_DASHBOARD] = []
    app.after_request_funcs.setdefault(RQ_DASHBOARD, []).extend(
        [set_rq_csrf_cookie, escape_rq_json]
    )
    csrf.exempt(rq_dashboard.blueprint)
    app.before_request(guard_admin)
