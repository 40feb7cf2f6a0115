"""A database connection made ahead of a fork, for a document job's work horse.

A forking worker runs each job in a freshly forked work horse, whose SQLAlchemy pool starts empty
(the parent's connections belong to the parent). Connecting inside the horse would touch, and so
copy, over a thousand memory pages of the preloaded worker. So the worker connects just before it
forks (`hand_over`), exactly as the engine would (same driver, arguments and timeout), and the
horse's first checkout takes that connection instead of connecting (`install`: SQLAlchemy's
`do_connect` event). Everything else about the connection is the pool's as usual: the reset,
and a new connection once the server dropped this one (the job's transactions run once more then:
`jobs.documents.on_a_live_connection`).

Only one process may ever use a connection: at the fork, the worker points the socket's
descriptor at /dev/null before letting go of it, so that its goodbye message reaches nobody; the
work horse closes its pool at the end of its job.
"""

from __future__ import annotations

import contextlib
import os

import sqlalchemy as sa

__all__ = ["CONNECT_TIMEOUT_S", "hand_over", "install"]

CONNECT_TIMEOUT_S = 10

_handed = None  # a DBAPI connection made for the next forked child
_installed: set[int] = set()  # ids of the engines whose new connections may take it
_kept: list = []


def install(engine: sa.Engine) -> None:
    """Let the engine's next new connection be the one handed over, when there is one."""
    if id(engine) in _installed:
        return
    _installed.add(id(engine))

    @sa.event.listens_for(engine, "do_connect")
    def take_handed(dialect, conn_rec, cargs, cparams):
        global _handed
        conn, _handed = _handed, None
        if conn is not None and not conn.closed:
            return conn
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        return None  # connect as usual


def hand_over(engine: sa.Engine) -> None:
    """Connect now, as the engine would, for the next forked child's first checkout."""
    global _handed
    install(engine)
    if _handed is not None:  # not taken (no fork came): never shared, so closed as usual
        conn, _handed = _handed, None
        with contextlib.suppress(Exception):
            conn.close()
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    # An unreachable server fails the job (RQ retries it) instead of stalling a worker that
    # connects ahead of a fork, where no heartbeat runs meanwhile.
    cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    _handed = engine.dialect.connect(*cargs, **cparams)


def handed():
    """The connection waiting for the next child, if any."""
    return _handed


def _let_go() -> None:
    """Drop the handed-over connection without a word to the server: another process owns it."""
    global _handed
    conn, _handed = _handed, None
    if conn is None or conn.closed:
        return
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            os.dup2(devnull, conn.fileno())
        finally:
            os.close(devnull)
    except OSError:
        _kept.append(conn)  # never closed (closing would end the owner's session): kept as is
        return
    with contextlib.suppress(Exception):
        conn.close()


def _after_fork_in_parent() -> None:
    if _handed is not None:
        _let_go()  # the child's now


os.register_at_fork(after_in_parent=_after_fork_in_parent)
