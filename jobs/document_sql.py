"""The document job's hot path on PostgreSQL: three statements per document.

The steps of `jobs.documents.DocumentPipeline` read as separate statements (claim, batch check,
quota, attempt row; then result, status, attempt, counter), which is also how they run on SQLite.
On PostgreSQL each group runs as one statement with data-modifying CTEs, on an autocommit
connection of the process's own (see below): a statement is its own transaction, so what used to
be BEGIN, eight statements and COMMIT is one round trip, with the same effect. They are driver SQL
(psycopg parameters): nothing to compile, in a forked job either.

1. `LOOKUP`: the document's status and its owner's subscription (the plan's page limit and the
   billing period are worked out in Python, as everywhere else);
2. `CLAIM`: lock the document while it is `uploaded`; read its batch; unless the batch is
   cancelled or gone, move the batch `queued → processing`, reserve the pages on the usage row
   (`INSERT ... ON CONFLICT DO UPDATE ... WHERE pages_used + n <= limit`: creates the period's
   row or adds to it, atomically, only within the limit; a reservation an earlier attempt left
   is reused instead), claim the document (`processing`, attempt + 1, the reservation written on
   it) and open this attempt's ExtractionJob row;
3. `STORE`: complete the document if this attempt still holds it, upsert its result, close the
   attempt row and count it on the batch (`completed_count + 1`), returning what the finalizer
   needs to know.

Locks follow the order used everywhere else: document, then batch, then usage row. The batch is
only locked when it moves out of `queued`, before the usage row (the charge reads the move's
output, so PostgreSQL runs the move first).

A statement whose connection the server dropped (a restart) runs once more on a fresh one. If the
first one had in fact been committed, the second finds nothing to claim or complete and the job
ends as the sweeper and the finalizer expect (`Stop`).
"""

from __future__ import annotations

import contextlib
import os

import psycopg
import sqlalchemy as sa
from psycopg.rows import namedtuple_row
from psycopg.types.json import Jsonb

from app.models import BatchStatus as B
from app.models import DocumentStatus as D
from app.models import JobStatus, states

__all__ = [
    "CLAIM",
    "CLAIMABLE",
    "COMPLETABLE",
    "LOOKUP",
    "MOVABLE",
    "STORE",
    "Jsonb",
    "close_connection",
    "first_row",
    "hand_over",
]

CLAIMABLE = [s.value for s in states.document_sources(D.PROCESSING, [D.UPLOADED])]
MOVABLE = [s.value for s in states.batch_sources(B.PROCESSING, [B.QUEUED])]
COMPLETABLE = [s.value for s in states.document_sources(D.COMPLETED, [D.PROCESSING])]

LOOKUP = """
    SELECT d.status, s.plan, s.status AS subscription_status,
           s.current_period_start, s.current_period_end, s.id IS NOT NULL AS subscribed
    FROM documents d LEFT JOIN subscriptions s ON s.user_id = d.user_id
    WHERE d.id = %(document_id)s
"""

CLAIM = f"""
    WITH target AS (
        SELECT id, batch_id, user_id, page_count, reserved_pages, usage_id
        FROM documents
        WHERE id = %(document_id)s AND status = ANY(%(claimable)s)
        FOR UPDATE
    ),
    batch AS (
        SELECT b.status, b.prompt_strategy, b.extraction_prompt
        FROM batches b JOIN target t ON b.id = t.batch_id
    ),
    go AS (
        SELECT t.* FROM target t
        WHERE t.batch_id IS NULL
           OR EXISTS (SELECT 1 FROM batch WHERE batch.status <> '{B.CANCELLED.value}')
    ),
    moved AS (
        UPDATE batches b SET status = '{B.PROCESSING.value}', updated_at = %(now)s
        FROM go WHERE b.id = go.batch_id AND b.status = ANY(%(movable)s)
        RETURNING b.id
    ),
    charge AS (
        INSERT INTO usage (id, user_id, period_start, period_end, pages_used)
        SELECT CAST(%(usage_id)s AS uuid), go.user_id, %(period_start)s, %(period_end)s, go.page_count
        FROM go
        WHERE NOT (go.reserved_pages > 0 AND go.usage_id IS NOT NULL)
          AND go.page_count <= %(page_limit)s
          AND (SELECT count(*) FROM moved) >= 0
        ON CONFLICT (user_id, period_start) DO UPDATE
            SET pages_used = usage.pages_used + excluded.pages_used
            WHERE usage.pages_used + excluded.pages_used <= %(page_limit)s
        RETURNING id
    ),
    claimed AS (
        UPDATE documents d
        SET status = '{D.PROCESSING.value}', attempts = d.attempts + 1,
            started_at = %(now)s, updated_at = %(now)s,
            completed_at = NULL, error_code = NULL, error_message = NULL,
            reserved_pages = CASE WHEN EXISTS (SELECT 1 FROM charge)
                                  THEN go.page_count ELSE d.reserved_pages END,
            usage_id = COALESCE((SELECT id FROM charge), d.usage_id)
        FROM go WHERE d.id = go.id
        RETURNING d.attempts, d.batch_id, d.user_id, d.page_count, d.storage_key, d.mime_type,
                  d.original_filename, d.extraction_prompt, d.document_type,
                  d.reserved_pages, d.usage_id, d.sha256, d.reuse
    ),
    attempt AS (
        INSERT INTO extraction_jobs (id, document_id, attempt, status, rq_job_id, provider,
                                     started_at)
        SELECT CAST(%(job_row_id)s AS uuid), %(document_id)s, c.attempts,
               '{JobStatus.RUNNING.value}', %(rq_job_id)s, %(provider)s, %(now)s
        FROM claimed c
    )
    SELECT c.*, EXISTS (SELECT 1 FROM charge) AS charged,
           EXISTS (SELECT 1 FROM target) AS found,
           (SELECT batch_id FROM target) AS target_batch_id,
           batch.status AS batch_status, batch.prompt_strategy AS batch_prompt_strategy,
           batch.extraction_prompt AS batch_extraction_prompt
    FROM (SELECT 1) AS one
    LEFT JOIN claimed c ON true
    LEFT JOIN batch ON true
"""

STORE = f"""
    WITH done AS (
        UPDATE documents
        SET status = '{D.COMPLETED.value}', completed_at = %(now)s, updated_at = %(now)s,
            reserved_pages = 0, usage_id = NULL,
            document_type = COALESCE(CAST(%(document_type)s AS varchar), document_type),
            reuse_key = %(reuse_key)s, needs_review = %(needs_review)s
        WHERE id = %(document_id)s AND status = ANY(%(completable)s) AND attempts = %(attempt)s
        RETURNING batch_id
    ),
    result AS (
        INSERT INTO extraction_results (id, document_id, data, provider, model, created_at,
                                        updated_at)
        SELECT CAST(%(result_id)s AS uuid), %(document_id)s, %(data)s, %(provider)s, %(result_model)s, %(now)s, %(now)s
        FROM done
        ON CONFLICT (document_id) DO UPDATE
            SET data = excluded.data, provider = excluded.provider, model = excluded.model,
                updated_at = excluded.updated_at
    ),
    attempt AS (
        UPDATE extraction_jobs
        SET status = '{JobStatus.SUCCEEDED.value}', finished_at = %(now)s,
            duration_ms = %(duration_ms)s, prompt = %(prompt)s,
            model = COALESCE(%(attempt_model)s, model)
        WHERE id = %(job_row_id)s AND EXISTS (SELECT 1 FROM done)
    ),
    bumped AS (
        UPDATE batches b
        SET completed_count = b.completed_count + 1, updated_at = %(now)s,
            needs_review_count = b.needs_review_count
                                 + CASE WHEN %(needs_review)s THEN 1 ELSE 0 END
        FROM done WHERE b.id = done.batch_id
        RETURNING b.document_count,
                  b.completed_count + b.failed_count + b.cancelled_count AS terminal
    )
    SELECT EXISTS (SELECT 1 FROM done) AS done, bumped.document_count, bumped.terminal
    FROM (SELECT 1) AS one LEFT JOIN bumped ON true
"""


def first_row(sql: str, params: dict, conn: sa.Connection | None = None):
    """Run one statement and return its first row (attribute access) or None.

    On `conn` when given (the worker's warm-up, inside its rolled-back transaction), else on this
    process's own autocommit connection.
    """
    if conn is not None:
        return conn.exec_driver_sql(sql, params).first()
    for attempt in (1, 2):
        pg = connection()
        try:
            return pg.execute(sql, params).fetchone()
        except psycopg.OperationalError:
            if attempt == 2 or not pg.broken:
                raise
            close_connection()  # the server dropped it (a restart): once more on a fresh one
    raise AssertionError("unreachable")  # pragma: no cover


# -- this process's connection -----------------------------------------------------------------
#
# One autocommit psycopg connection per process, without SQLAlchemy's pool: nothing to ping (a
# dropped connection fails its statement, which runs again on a new one), nothing to reset.
#
# A forking worker opens it in the worker process just before it forks the work horse of a
# document job (`hand_over`): the horse uses it and closes it, so a job does not pay for
# connecting inside a freshly forked process, where the connection's set-up touches (and so
# copies) over a thousand memory pages. Only one process may ever use a connection: at the fork,
# the side that does not own it points the socket's descriptor at /dev/null before letting go of
# it, so that its goodbye message reaches nobody.

CONNECT_TIMEOUT_S = 10

_conn: psycopg.Connection | None = None
_conn_engine: sa.Engine | None = None  # whose database it is connected to
_handed = False
_kept: list[psycopg.Connection] = []


def connection() -> psycopg.Connection:
    """This process's connection for the single statements, opened on first use."""
    global _conn, _conn_engine
    from app.extensions import db

    engine = db.engine
    if _conn is not None and (_conn.closed or _conn_engine is not engine):
        close_connection()
    if _conn is None:
        _cargs, params = engine.dialect.create_connect_args(engine.url)
        params.pop("context", None)  # SQLAlchemy's adapters; plain psycopg types are used here
        # An unreachable server fails the job (RQ retries it) instead of stalling a worker that
        # connects ahead of a fork, where no heartbeat runs meanwhile.
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        _conn = psycopg.connect(**params, autocommit=True, row_factory=namedtuple_row)
        _conn_engine = engine
    return _conn


def close_connection() -> None:
    """Close this process's connection (a work horse at the end of its job)."""
    global _conn
    conn, _conn = _conn, None
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.close()


def hand_over() -> None:
    """Open a connection for the next forked child; the worker process gives it up at the fork."""
    global _handed
    connection()
    _handed = True


def _let_go() -> None:
    """Drop the connection without a word to the server: another process owns it now."""
    global _conn
    conn, _conn = _conn, None
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


def _after_fork_in_child() -> None:
    global _handed
    if not _handed:
        _let_go()  # the parent's own connection
    _handed = False


def _after_fork_in_parent() -> None:
    global _handed
    if _handed:
        _let_go()  # the child's now
    _handed = False


os.register_at_fork(after_in_child=_after_fork_in_child, after_in_parent=_after_fork_in_parent)
