"""Register, login, logout and the account page: tokens, password, logging out everywhere."""

import hashlib
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth import bp, sessions
from app.auth.bearer import bearer_token, bearer_user
from app.auth.forms import EmptyForm, LoginForm, PasswordForm, RegisterForm, TokenForm
from app.extensions import db, limiter, login_manager
from app.models import ApiToken, AuditAction
from app.models.audit import record
from app.models.user import normalize_email
from app.services import accounts

# The status endpoint authenticates inside its own query (app/api/status.py).
STATUS_ENDPOINT = "api_status.batch_status"


def safe_next(target: str | None) -> str:
    """Only redirect to paths of this site after login."""
    if (
        target
        and urlparse(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("main.dashboard")


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def login_account_key() -> str:
    """Login attempts also count per account: the email named, normalised (and hashed)."""
    email = normalize_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def register():
    """Create an account on the starter plan."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data)
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            sessions.start(user)
            db.session.commit()
            flash("Welcome to IngestIO. You are on the free starter plan.", "success")
            return redirect(url_for("main.dashboard"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=login_account_key)
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            sessions.start(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Wrong email or password.")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out this browser (a POST with the CSRF token): a copy of its cookie stops working."""
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end()
        db.session.commit()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """End every login of the account, this browser's included."""
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("Your request could not be checked. Try again.", "error")
        return redirect(url_for("auth.account"))
    ended = sessions.end_all(current_user)
    record(AuditAction.SESSIONS_ENDED, user_id=current_user.id, ended=ended, reason="logout")
    sessions.end()
    db.session.commit()
    flash("You are logged out on every browser. API tokens keep working.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(login_limit, methods=["POST"])
def change_password():
    """Change the password (the current one is required): every other login ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except accounts.AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            user = current_user._get_current_object()
            ended = sessions.end_all(user)
            record(AuditAction.SESSIONS_ENDED, user_id=user.id, ended=ended, reason="password")
            sessions.start(user)  # this browser goes on, on a fresh session
            db.session.commit()
            flash("Your password was changed. Every other browser was logged out.", "success")
            return redirect(url_for("auth.account"))
    return account_page(password_form=form), 400


def account_page(new_token=None, password_form=None, token_form=None) -> str:
    """The account page: plan summary, API tokens, password and logins."""
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/account.html",
        tokens=tokens,
        form=token_form or TokenForm(),
        revoke_form=EmptyForm(),
        password_form=password_form or PasswordForm(formdata=None),
        other_logins=sessions.others(current_user),
        new_token=new_token,
    )


@bp.route("/account", methods=["GET"])
@login_required
def account():
    """The account page: plan summary, API tokens, password and logins."""
    return account_page()


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    """Create a personal API token and show it once."""
    form = TokenForm()
    if not form.validate_on_submit():
        flash("The token name is too long.", "error")
        return redirect(url_for("auth.account"))
    _row, plain = accounts.issue_token(current_user, form.name.data or "API token")
    db.session.commit()
    return account_page(new_token=plain, token_form=TokenForm(formdata=None))


@bp.route("/account/tokens/<uuid:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    """Revoke one of the user's tokens."""
    form = EmptyForm()
    if form.validate_on_submit() and accounts.revoke_token(current_user, token_id):
        db.session.commit()
        flash("The token was revoked. Requests using it now answer 401.", "success")
    else:
        flash("That token could not be revoked.", "error")
    return redirect(url_for("auth.account"))


@bp.before_app_request
def bearer_auth():
    """`Authorization: Bearer <token>` authenticates a request without a session."""
    if bearer_token() is None or request.endpoint == STATUS_ENDPOINT:
        return
    user = bearer_user()
    # Flask-Login reads the request's user from g; a bad token leaves the request anonymous
    # even when a session cookie came along.
    g._login_user = user if user is not None else login_manager.anonymous_user()
    g.token_auth = user is not None


@bp.teardown_app_request
def forget_request_user(_exc):
    """The request's user must not outlive the request (an outer app context may be reused)."""
    for key in ("_login_user", "token_auth", "_bearer_user", "log_user_id", "retry_after"):
        g.pop(key, None)
    # Flask-WTF keeps the request's signed CSRF token in g: it belongs to this session only.
    for key in (current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "csrf_valid"):
        g.pop(key, None)
