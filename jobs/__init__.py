"""Background jobs. Each job takes ids and runs inside an app context given by `in_app_context`."""

import functools

from flask import Flask, has_app_context

_app: Flask | None = None


def worker_app() -> Flask:
    """The app of this worker process, built once from the environment."""
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def in_app_context(fn):
    """Run a job inside an app context: the current one in tests, else the worker's app."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with worker_app().app_context():
            return fn(*args, **kwargs)

    return wrapper
