"""Background jobs. Each job takes ids and runs inside an app context given by `in_app_context`."""

import functools

from flask import Flask, has_app_context

_app: Flask | None = None


def worker_app() -> Flask:
    """The app of this worker process, built once from the environment.

    Its pool does not ping a connection before each use: a job's transactions are short and run
    once more on a new connection when the server dropped the one they had (jobs/documents.py),
    so the ping would only add a round trip to each of them.
    """
    global _app
    if _app is None:
        from app import create_app
        from config import config_from_env

        base = config_from_env()

        class WorkerConfig(base):
            SQLALCHEMY_ENGINE_OPTIONS = {**base.SQLALCHEMY_ENGINE_OPTIONS, "pool_pre_ping": False}

        _app = create_app(WorkerConfig)
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
