"""Batch status tags kept by each web process, forgotten the moment PostgreSQL says they changed.

Status polls mostly ask "has anything changed?". This cache answers that without a query: for each
batch recently read it keeps the owner and the ETag of its status JSON, and for each API token
recently checked its owner. PostgreSQL's change notices (app/models/change_notices.py) name every
batch whose row or documents were written and every token changed, by any process, when the
writing transaction commits; the cache forgets those entries before it answers again.

* Every lookup first reads the notices already received, without waiting: a write committed
  before the request arrived has normally been received by then (PostgreSQL sends notices as it
  commits). A background thread also reads them, so they never pile up in an idle process.
* A write committed by this process empties the cache at once (read-your-writes, not waiting
  for the notice to travel back).
* An entry is stored only if no notice about it arrived since its query started (tickets), so a
  read racing a write can never leave an old tag behind.
* When the notice connection is lost, everything is forgotten and the cache stays off (every
  request queries) until it listens again; notices sent meanwhile cannot be missed that way.

Off on SQLite (no notices), when the triggers are missing, with STATUS_CACHE=false, and for good
in a process whose listening connection does not receive a test notice it sent itself (a
connection pooler in transaction mode, such as PgBouncer, accepts LISTEN but never delivers).
"""

import logging
import os
import select
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import change_notices

log = logging.getLogger(__name__)

EXTENSION_KEY = "status_cache"
CONNECTION_OK = 0  # libpq's CONNECTION_OK (psycopg.pq.ConnStatus.OK)
CHANNELS = ("ingestio_batch", "ingestio_token", "ingestio_reset")
RETRY_SECONDS = 5.0  # wait before listening again after a failure
WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "WITH", "MERGE")


@dataclass(frozen=True)
class Entry:
    owner_id: uuid.UUID
    etag: str


class StatusCache:
    """The cache of one process (rebuilt in a forked child)."""

    def __init__(self, dsn: str, size: int = 10_000):
        self.dsn = dsn
        self.size = size
        self._lock = threading.Lock()
        self._batches: OrderedDict[uuid.UUID, Entry] = OrderedDict()
        self._tokens: OrderedDict[str, uuid.UUID] = OrderedDict()
        # Sequence numbers: every notice applied and every reset moves `_seq` on.
        self._seq = 0
        self._floor = 0  # tickets older than this are refused (a reset, a trimmed history)
        self._changed: OrderedDict[uuid.UUID, int] = OrderedDict()  # batch → seq of last notice
        self._tokens_changed = 0
        self._conn = None
        self._inherited: list = []
        self._disabled = False  # notices are not delivered here: off for good
        self._pid = None
        self._retry_at = 0.0
        self.retry_seconds = RETRY_SECONDS

    # -- listening ---------------------------------------------------------------------------

    def _listening(self) -> bool:
        """Connected and listening in this process (connects when due); call with the lock."""
        if self._pid != os.getpid():
            # A forked child must not use its parent's connection, nor close it (closing sends
            # the server a goodbye on the shared socket): keep it unused, start from nothing.
            if self._conn is not None:
                self._inherited.append(self._conn)
            self._conn, self._pid = None, os.getpid()
            self._reset()
        if self._conn is not None:
            return True
        if self._disabled or time.monotonic() < self._retry_at:
            return False
        try:
            import psycopg

            conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=3)
            for channel in CHANNELS:
                conn.execute(f"LISTEN {channel}")
            delivered = self._notices_arrive(conn)
        except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: stay off
            log.warning("status cache off: cannot listen for changes (%s)", exc)
            self._retry_at = time.monotonic() + self.retry_seconds
            return False
        if not delivered:
            # A pooler in transaction mode (PgBouncer) accepts LISTEN but never delivers.
            log.warning(
                "status cache off for this process: change notices are not delivered on this "
                "database connection (a connection pooler in transaction mode?)"
            )
            self._disabled = True
            conn.close()
            return False
        self._reset()  # anything cached before listening may have missed a notice
        self._conn = conn
        threading.Thread(target=self._drain_forever, args=(conn,), daemon=True).start()
        return True

    def _notices_arrive(self, conn) -> bool:
        """Send a notice from another connection and wait (at most 2 s) for it to arrive.

        It goes to a channel of this connection's own, so no other process hears it. Notices
        of the real channels that arrive meanwhile are applied as usual.
        """
        channel = f"ingestio_check_{uuid.uuid4().hex}"
        conn.execute(f"LISTEN {channel}")
        self.send_check(channel)
        deadline = time.monotonic() + 2.0
        pgconn = conn.pgconn
        found = False
        while not found and (left := deadline - time.monotonic()) > 0:
            select.select([pgconn.socket], [], [], left)
            pgconn.consume_input()
            while (notice := pgconn.notifies()) is not None:
                name = notice.relname.decode()
                if name == channel:
                    found = True
                else:
                    self._apply(name, notice.extra.decode())
        conn.execute(f"UNLISTEN {channel}")
        return found

    def send_check(self, channel: str) -> None:
        """The self-check's notice, sent on a connection of its own."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=3) as other:
            other.execute(f"NOTIFY {channel}")

    def _drop_connection(self, exc: Exception) -> None:
        """Forget everything and stop answering from memory until listening again."""
        log.warning("status cache off: change notices lost (%s)", exc)
        self._reset()
        conn, self._conn = self._conn, None
        self._retry_at = time.monotonic() + self.retry_seconds
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass

    def _drain(self) -> bool:
        """Apply the notices received so far, without waiting; call with the lock."""
        if not self._listening():
            return False
        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()
            if pgconn.status != CONNECTION_OK:
                # The server ended the connection (its last words may have been read fine).
                raise ConnectionError(pgconn.error_message.decode(errors="replace").strip())
            while (notice := pgconn.notifies()) is not None:
                self._apply(notice.relname.decode(), notice.extra.decode())
        except Exception as exc:  # noqa: BLE001 - a broken connection
            self._drop_connection(exc)
            return False
        return True

    def _drain_forever(self, conn) -> None:
        """Background reader: wait for the socket, then apply under the lock."""
        while True:
            with self._lock:
                if self._conn is not conn:
                    return
                fileno = conn.pgconn.socket
            try:
                select.select([fileno], [], [], 30)
            except (OSError, ValueError):
                pass
            with self._lock:
                if self._conn is not conn:
                    return
                self._drain()

    def _apply(self, channel: str, payload: str) -> None:
        self._seq += 1
        if channel == "ingestio_batch":
            try:
                batch_id = uuid.UUID(payload)
            except ValueError:
                return
            self._batches.pop(batch_id, None)
            self._changed[batch_id] = self._seq
            self._changed.move_to_end(batch_id)
            while len(self._changed) > self.size * 4:
                _old, seq = self._changed.popitem(last=False)
                self._floor = max(self._floor, seq)
        elif channel == "ingestio_token":
            self._tokens.clear()
            self._tokens_changed = self._seq
        else:
            self._reset()

    def _reset(self) -> None:
        self._seq += 1
        self._floor = self._seq
        self._batches.clear()
        self._tokens.clear()
        self._changed.clear()

    # -- the interface -------------------------------------------------------------------------

    def ticket(self) -> int | None:
        """Taken before a query whose answer may be stored; None while the cache is off."""
        with self._lock:
            return self._seq if self._drain() else None

    def get(self, batch_id: uuid.UUID) -> Entry | None:
        with self._lock:
            if not self._drain():
                return None
            entry = self._batches.get(batch_id)
            if entry is not None:
                self._batches.move_to_end(batch_id)
            return entry

    def put(self, batch_id: uuid.UUID, owner_id: uuid.UUID, etag: str, ticket: int | None) -> None:
        with self._lock:
            if ticket is None or not self._drain() or ticket < self._floor:
                return
            if self._changed.get(batch_id, 0) > ticket:
                return  # changed since the query started: its answer may be old
            self._batches[batch_id] = Entry(owner_id, etag)
            self._batches.move_to_end(batch_id)
            while len(self._batches) > self.size:
                self._batches.popitem(last=False)

    def token_owner(self, token_hash: str) -> uuid.UUID | None:
        with self._lock:
            if not self._drain():
                return None
            return self._tokens.get(token_hash)

    def put_token(self, token_hash: str, owner_id: uuid.UUID, ticket: int | None) -> None:
        with self._lock:
            if ticket is None or not self._drain() or ticket < self._floor:
                return
            if self._tokens_changed > ticket:
                return
            self._tokens[token_hash] = owner_id
            self._tokens.move_to_end(token_hash)
            while len(self._tokens) > self.size:
                self._tokens.popitem(last=False)

    def local_write(self) -> None:
        """This process committed a write: forget everything now."""
        with self._lock:
            self._reset()


def _dsn(engine: sa.Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _watch_local_writes(engine: sa.Engine, cache: StatusCache) -> None:
    """Empty the cache when a transaction of this process that wrote something commits."""

    def before_execute(conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip()[:8].upper().startswith(WRITE_WORDS):
            conn.info["ingestio_wrote"] = True

    def on_commit(conn):
        if conn.invalidated or conn.info.pop("ingestio_wrote", False):
            cache.local_write()

    def on_rollback(conn):
        # A connection the server dropped has no info left to clear (reading it would raise).
        if not conn.invalidated:
            conn.info.pop("ingestio_wrote", None)

    sa.event.listen(engine, "before_cursor_execute", before_execute)
    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine, "rollback", on_rollback)


def current() -> StatusCache | None:
    """This app's status cache, or None when it is off."""
    ext = current_app.extensions
    if EXTENSION_KEY not in ext:
        ext[EXTENSION_KEY] = _build()
    return ext[EXTENSION_KEY]


def _build() -> StatusCache | None:
    engine = db.engine
    if not current_app.config.get("STATUS_CACHE", True) or engine.dialect.name != "postgresql":
        return None
    try:
        with engine.connect() as conn:
            ready = change_notices.installed(conn)
    except Exception as exc:  # noqa: BLE001
        log.warning("status cache off: %s", exc)
        return None
    if not ready:
        log.warning("status cache off: the change-notice triggers are missing (flask db upgrade)")
        return None
    cache = StatusCache(_dsn(engine))
    _watch_local_writes(engine, cache)
    return cache
