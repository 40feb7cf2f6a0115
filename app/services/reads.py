"""One-statement reads on an autocommit connection, for the requests made most often.

A read through the ORM session costs more round trips than its one SELECT: the pool's liveness
ping when the connection is checked out, BEGIN before the statement and ROLLBACK when the request
ends. The status endpoint is polled by every open batch page and API client, so its read goes
through here instead: an engine of its own with autocommit (no BEGIN, nothing to roll back) and no
ping. A connection the database dropped (a restart, a failover) fails its statement, which then
runs once more on a fresh connection: the pool throws away every connection older than the error.

SQLite (development) has no network round trips to save; its reads use the app's own engine.
"""

import sqlalchemy as sa
from flask import current_app

from app.extensions import db

EXTENSION_KEY = "read_engine"


def read_engine() -> sa.Engine:
    """The app's engine for autocommit reads (built on first use, once per process)."""
    ext = current_app.extensions
    engine = ext.get(EXTENSION_KEY)
    if engine is None:
        if db.engine.dialect.name == "sqlite":
            engine = db.engine
        else:
            options = dict(current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
            options["pool_pre_ping"] = False
            options["isolation_level"] = "AUTOCOMMIT"
            engine = sa.create_engine(db.engine.url, **options)
        ext[EXTENSION_KEY] = engine
    return engine


def first_row(stmt: sa.Executable, params: dict) -> sa.Row | None:
    """The first row of a SELECT, or None; retried once on a connection the server dropped."""
    engine = read_engine()
    for attempt in (1, 2):
        try:
            with engine.connect() as conn:
                return conn.execute(stmt, params).first()
        except sa.exc.DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    return None  # pragma: no cover - the loop returns or raises


def dispose() -> None:
    """Close the read engine's connections (tests and process shutdown)."""
    engine = current_app.extensions.pop(EXTENSION_KEY, None)
    if engine is not None and engine is not db.engine:
        engine.dispose()
