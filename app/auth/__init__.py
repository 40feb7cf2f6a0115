"""Accounts: register, login, logout, the account page and API tokens."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import notifications, routes  # noqa: E402,F401
