"""`Authorization: Bearer <token>`: resolved once per request and shared by auth and rate limits."""

from flask import g, request

from app.services import accounts

_MISSING = object()


def bearer_token() -> str | None:
    """The token of the request's Bearer header, or None when there is no such header."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header[len("Bearer ") :].strip()


def bearer_user():
    """The owner of the request's Bearer token (None for a bad token), looked up once."""
    cached = g.get("_bearer_user", _MISSING)
    if cached is _MISSING:
        cached = accounts.user_for_token(bearer_token() or "")
        g._bearer_user = cached
    return cached
