"""Browser logins that the server can end.

The session cookie is signed but kept by the browser, so a copy of it cannot be withdrawn. Each
login therefore gets a random id, kept in the cookie and stored hashed in `user_sessions` with its
expiry; a request is logged in only while that row exists. Logout deletes the row of its own
cookie; "log out everywhere" and a password change delete every row of the user. A copy of a
cookie taken before any of these is then worth nothing, to the pages and to the API alike.

A login starts from an empty session: nothing set before it (a CSRF token, a flash, a
planted cookie) carries over into the logged-in session.
"""

import secrets
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, session
from flask_login import login_user, logout_user

from app.extensions import db
from app.models import User, UserSession
from app.models.types import utcnow
from app.models.user import hash_token

SESSION_ID = "sid"
SESSION_UNTIL = "sid_until"  # the login's expiry (epoch seconds), signed with the cookie
LOGIN_KEYS = ("_user_id", "_fresh", "_id", SESSION_ID, SESSION_UNTIL)


def lifetime() -> timedelta:
    """How long a login lasts."""
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def start(user: User) -> UserSession:
    """Log the user in on a fresh session (added to the db session; the caller commits)."""
    now = utcnow()
    db.session.execute(sa.delete(UserSession).where(UserSession.expires_at <= now))
    sid = secrets.token_urlsafe(32)
    row = UserSession(
        id=hash_token(sid), user_id=user.id, created_at=now, expires_at=now + lifetime()
    )
    db.session.add(row)
    clear()
    login_user(user, remember=False)
    session[SESSION_ID] = sid
    session[SESSION_UNTIL] = int(row.expires_at.timestamp())
    return row


def end() -> None:
    """End this browser's login and empty its session (the caller commits)."""
    current = session_hash()
    if current is not None:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == current))
    logout_user()
    clear()


def clear() -> None:
    """Empty the session, its CSRF token included: a form from before is refused after."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def end_all(user: User) -> int:
    """End every login of the user, this browser's included; the number ended."""
    result = db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    return result.rowcount


def others(user: User) -> int:
    """How many other live logins the user has."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.id != (session_hash() or ""),
            UserSession.expires_at > utcnow(),
        )
    )


def session_hash() -> str | None:
    """The stored id of this browser's login, or None when the session names none."""
    sid = session.get(SESSION_ID)
    return hash_token(sid) if isinstance(sid, str) and sid else None


def claimed() -> tuple[uuid.UUID, str] | None:
    """The user and login the signed cookie names, if not expired; not checked against the rows."""
    try:
        user_id = uuid.UUID(str(session.get("_user_id")))
        until = int(session.get(SESSION_UNTIL))
    except (TypeError, ValueError):
        return None
    current = session_hash()
    if current is None or until <= time.time():
        return None
    return user_id, current


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, while the cookie's login is live."""
    found = claimed()
    user = None
    if found is not None and str(found[0]) == user_id:
        user = db.session.scalar(
            sa.select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                User.id == found[0],
                UserSession.id == found[1],
                UserSession.expires_at > utcnow(),
            )
        )
    if user is None:
        for key in LOGIN_KEYS:  # an ended login: the cookie stops naming anyone
            session.pop(key, None)
    return user


def is_live(user_id: uuid.UUID, current: str) -> bool:
    """True when the login exists, belongs to the user and has not expired."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(
                UserSession.id == current,
                UserSession.user_id == user_id,
                UserSession.expires_at > utcnow(),
            )
        )
        > 0
    )
