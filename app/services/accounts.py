"""Accounts: creating users, setting plans by hand, API tokens."""

import re
import secrets
from functools import cache

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import ApiToken, AuditAction, Plan, Subscription, User
from app.models.audit import record
from app.models.types import utcnow
from app.models.user import hash_token, normalize_email, password_matches

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A user-facing problem with account data."""


def find_user(email: str) -> User | None:
    """The user with this email, compared case-insensitively."""
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


@cache
def dummy_password_hash() -> str:
    """A hash of a random password, made once, checked when no account has the email."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None.

    An unknown email costs the same password check as a wrong password (against a dummy hash),
    so the time of the answer does not tell which emails have accounts.
    """
    user = find_user(email)
    if user is None:
        password_matches(dummy_password_hash(), password)
        return None
    return user if user.check_password(password) else None


def check_new_password(password: str) -> None:
    """Refuse a password registration would refuse."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one (the caller ends the other logins)."""
    if not user.check_password(current):
        raise AccountError("The current password is wrong.")
    check_new_password(new)
    user.set_password(new)
    record(AuditAction.PASSWORD_CHANGED, user_id=user.id)


def create_user(email: str, password: str, plan: str = "starter", is_admin: bool = False) -> User:
    """A new user on the given plan (added to the session; the caller commits)."""
    email = normalize_email(email)
    if not EMAIL_RE.match(email) or len(email) > 255:
        raise AccountError("Enter a valid email address.")
    check_new_password(password)
    if find_user(email) is not None:
        raise AccountError("An account with this email already exists.")
    user = User(email=email, is_admin=is_admin)
    user.set_password(password)
    user.subscription = Subscription(plan=Plan(plan), status="active")
    db.session.add(user)
    db.session.flush()
    return user


def set_plan(user: User, plan: str, status: str = "active") -> Subscription:
    """Put the user on a plan by hand (local use without Stripe)."""
    sub = user.subscription or Subscription(user=user)
    old = sub.plan
    sub.plan = Plan(plan)
    sub.status = status
    db.session.add(sub)
    record(AuditAction.PLAN_CHANGED, user_id=user.id, old=str(old), new=str(plan), source="manual")
    return sub


def issue_token(user: User, name: str = "API token") -> tuple[ApiToken, str]:
    """A new API token for the user; the plain value is returned once and never stored."""
    row, plain = ApiToken.issue(user, name)
    db.session.flush()
    record(AuditAction.TOKEN_CREATED, user_id=user.id, token_id=str(row.id), name=row.name)
    return row, plain


def revoke_token(user: User, token_id) -> bool:
    """Revoke one of the user's tokens; False when it is not theirs or already revoked."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    record(AuditAction.TOKEN_REVOKED, user_id=user.id, token_id=str(row.id))
    return True


def revoke_tokens_named(user: User, name: str) -> int:
    """Revoke the user's live tokens of this name; how many."""
    rows = db.session.scalars(
        sa.select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    ).all()
    for row in rows:
        revoke_token(user, row.id)
    return len(rows)


def user_for_token(plain: str) -> User | None:
    """The owner of an active token, or None."""
    if not plain:
        return None
    return db.session.scalar(
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(plain), ApiToken.revoked_at.is_(None))
    )
