"""How a document job ends when it does not complete: the expected stops and permanent failures,
which errors are worth another try, and the provider to ask. The messages people read are the
one table in app/errors.py."""

from __future__ import annotations

import importlib

from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, OperationalError

from app.errors import MESSAGES  # noqa: F401 - the one messages table, used by the jobs
from app.models import ErrorCode


class Stop(Exception):  # noqa: N818 - an expected end, not an error
    """An expected end of the job that changes nothing more (not claimable, claim lost)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DocumentFailed(Exception):
    """A permanent failure: the document fails with this stable code and message."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


_providers: dict = {}


def provider_for(name: str):
    """The extraction provider of this process (built once; `module:Class` names a custom one)."""
    if name not in _providers:
        if ":" in name:
            module, _, attr = name.partition(":")
            _providers[name] = getattr(importlib.import_module(module), attr)()
        else:
            from engine import get_provider

            _providers[name] = get_provider(name)
    return _providers[name]


def is_transient(exc: BaseException) -> bool:
    """True for failures worth retrying: provider unavailable, lost connections."""
    from engine import TransientProviderError

    if isinstance(exc, TransientProviderError | RedisError | OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def error_code(code: str) -> ErrorCode:
    """A provider's error code as one of ours (extraction_failed when unknown)."""
    try:
        return ErrorCode(code)
    except ValueError:
        return ErrorCode.EXTRACTION_FAILED
