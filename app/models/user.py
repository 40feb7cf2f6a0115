"""Users, the browser sessions they are logged in with, and their personal API tokens."""

import hashlib
import secrets
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.types import UTCDateTime, new_id, utcnow

TOKEN_PREFIX = "ing_"


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: they are stored trimmed and lower-cased."""
    return (email or "").strip().lower()


def hash_token(token: str) -> str:
    """Tokens are stored as their SHA-256; the token itself is shown once."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_matches(password_hash: str, password: str) -> bool:
    """True when the password matches the salted hash."""
    return check_password_hash(password_hash, password or "")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription = relationship(
        "Subscription", back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    tokens = relationship("ApiToken", back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return password_matches(self.password_hash, password)

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), default="API token")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str = "API token") -> tuple["ApiToken", str]:
        """A new token row (added to the session) and the plain token, shown once."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls(
            user=user,
            name=name or "API token",
            token_hash=hash_token(plain),
            prefix=plain[: len(TOKEN_PREFIX) + 6],
        )
        db.session.add(row)
        return row, plain

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class UserSession(db.Model):
    """One login of one browser; the session cookie names it by a random id (stored hashed).

    The cookie is signed but kept by the client, so it cannot be withdrawn: the login ends when
    its row is deleted (logout, "log out everywhere", a password change) or when it expires.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
