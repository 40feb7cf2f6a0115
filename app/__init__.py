"""The IngestIO application factory."""

from flask import Flask, redirect, request, url_for

from app.errors import MESSAGES, ApiError, error_response, register_errorhandlers, wants_json
from app.extensions import BEARER_USER, csrf, db, limiter, login_manager, migrate
from app.formatting import register as register_formatting
from app.logging import register_logging
from app.models.enums import ErrorCode
from app.request_guard import register_request_guard
from app.security import register_security

NAV_LINKS = [
    ("main.dashboard", "Dashboard"),
    ("batches.index", "Batches"),
    ("batches.new", "New batch"),
    ("documents.index", "Single documents"),
    ("questions.index", "Questions"),
    ("analytics.index", "Analytics"),
    ("billing.index", "Billing"),
]


def create_app(config_class=None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, commands."""
    from config import config_from_env

    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.config.from_object(config_class or config_from_env())
    check_config(app)
    register_logging(app)
    register_security(app)
    register_request_guard(app)  # before the extensions: CSRF parses the body in its own hook
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_context(app)
    register_formatting(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse to start with a configuration that is unsafe for its environment."""
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite") and not app.config.get("ALLOW_SQLITE", True):
        raise RuntimeError(
            "DATABASE_URL points to SQLite, which production does not use. Set DATABASE_URL to "
            "a PostgreSQL database, or ALLOW_SQLITE=1 to run on SQLite anyway."
        )
    if uri.startswith("sqlite:///") and "instance" in uri:
        import os

        os.makedirs(os.path.dirname(uri[len("sqlite:///") :]), exist_ok=True)


def register_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"

    from app import models  # noqa: F401 - register the models with SQLAlchemy
    from app.auth import sessions
    from app.auth.bearer import bearer_user

    app.extensions[BEARER_USER] = bearer_user
    from app.notifications import outbox  # noqa: F401 - the outbox's session hooks

    # A session is logged in only while its login is live (app/auth/sessions.py).
    login_manager.user_loader(sessions.load_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            return error_response(
                ApiError(401, ErrorCode.UNAUTHORIZED, MESSAGES[ErrorCode.UNAUTHORIZED])
            )
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


def configure_sqlite(engine) -> None:
    """WAL mode and a busy timeout let web, worker and scheduler share one SQLite file."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()


def register_blueprints(app: Flask) -> None:
    """Mount the pages and the API."""
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.billing import bp as billing_bp
    from app.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(api_bp)
    from app.api.status import bp as api_status_bp

    app.register_blueprint(api_status_bp)
    from app.api.docs import bp as api_docs_bp

    app.register_blueprint(api_docs_bp)
    app.register_blueprint(billing_bp)

    from app.batches import bp as batches_bp
    from app.documents import bp as documents_bp

    app.register_blueprint(batches_bp)
    app.register_blueprint(documents_bp)

    from app.admin import register as register_admin
    from app.analytics import bp as analytics_bp

    app.register_blueprint(analytics_bp)

    from app.questions import bp as questions_bp

    app.register_blueprint(questions_bp)
    register_admin(app)  # after auth: its guard reads the user the Bearer check sets


def register_commands(app: Flask) -> None:
    """The `flask` commands."""
    from app.cli import register

    register(app)


def register_template_context(app: Flask) -> None:
    """Values every template can use."""
    from flask_login import current_user

    @app.context_processor
    def inject():
        usage = None
        if current_user.is_authenticated and not request.path.startswith("/api/"):
            try:
                from app.services import quota

                usage = quota.summary(current_user)
            except Exception:  # noqa: BLE001 - the navigation must never break a page
                db.session.rollback()
        endpoints = set(app.view_functions)
        links = [(e, label) for e, label in NAV_LINKS if e in endpoints]
        return {
            "nav_usage": usage,
            "nav_links": links,
            "nav_endpoints": endpoints,
            "poll_interval_ms": app.config["POLL_INTERVAL_MS"],
        }
