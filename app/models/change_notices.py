"""PostgreSQL change notices for the status cache (app/services/status_cache.py).

Triggers send `NOTIFY ingestio_batch, '<batch id>'` whenever a batch or one of its documents is
written, and `NOTIFY ingestio_token, '<token hash>'` whenever an API token is changed or deleted,
and also (`'session:<login id>'`) whenever a login ends, its row in user_sessions deleted: both
are credentials a status poll may present. TRUNCATE sends `NOTIFY ingestio_reset`. PostgreSQL
delivers notices when the writing transaction commits, to every listening connection, whichever
process (web, worker, scheduler, a psql session) wrote. SQLite has no notices: there the cache
stays off.

The same statements run from the migration and, for `db.create_all()`, after the tables are
created. `install(conn)` runs them again at any time (they replace what exists).
"""

import sqlalchemy as sa

FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION ingestio_document_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.batch_id IS NOT NULL THEN
            PERFORM pg_notify('ingestio_batch', OLD.batch_id::text);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.batch_id IS NOT NULL THEN
            PERFORM pg_notify('ingestio_batch', NEW.batch_id::text);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ingestio_batch_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('ingestio_batch', OLD.id::text);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ingestio_token_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('ingestio_token', OLD.token_hash);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ingestio_tables_reset() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('ingestio_reset', TG_TABLE_NAME);
        RETURN NULL;
    END
    $$
    """,
)

# (table, trigger name, timing and events, function)
TRIGGERS = (
    (
        "documents",
        "ingestio_documents_notice",
        "AFTER INSERT OR UPDATE OR DELETE",
        "FOR EACH ROW",
        "ingestio_document_changed",
    ),
    (
        "batches",
        "ingestio_batches_notice",
        "AFTER UPDATE OR DELETE",
        "FOR EACH ROW",
        "ingestio_batch_changed",
    ),
    (
        "api_tokens",
        "ingestio_api_tokens_notice",
        "AFTER UPDATE OR DELETE",
        "FOR EACH ROW",
        "ingestio_token_changed",
    ),
    ("documents", "ingestio_documents_reset", "AFTER TRUNCATE", "", "ingestio_tables_reset"),
    ("batches", "ingestio_batches_reset", "AFTER TRUNCATE", "", "ingestio_tables_reset"),
    ("api_tokens", "ingestio_api_tokens_reset", "AFTER TRUNCATE", "", "ingestio_tables_reset"),
)

# Added with the user_sessions table, by its own migration.
SESSION_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION ingestio_session_ended() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('ingestio_token', 'session:' || OLD.id);
        RETURN NULL;
    END
    $$
    """,
)
SESSION_TRIGGERS = (
    (
        "user_sessions",
        "ingestio_user_sessions_notice",
        "AFTER UPDATE OR DELETE",
        "FOR EACH ROW",
        "ingestio_session_ended",
    ),
    (
        "user_sessions",
        "ingestio_user_sessions_reset",
        "AFTER TRUNCATE",
        "",
        "ingestio_tables_reset",
    ),
)

TRIGGER_NAMES = tuple(name for _table, name, *_rest in (*TRIGGERS, *SESSION_TRIGGERS))


def trigger_statements(table: str) -> list[str]:
    """The statements that (re)create the triggers of one table."""
    out = []
    for on, name, when, each, function in (*TRIGGERS, *SESSION_TRIGGERS):
        if on == table:
            out.append(f"DROP TRIGGER IF EXISTS {name} ON {on}")
            out.append(f"CREATE TRIGGER {name} {when} ON {on} {each} EXECUTE FUNCTION {function}()")
    return out


def statements() -> list[str]:
    """Every statement of the batch, document and token notices, functions first."""
    tables = dict.fromkeys(table for table, *_rest in TRIGGERS)
    return [*FUNCTIONS, *(s for table in tables for s in trigger_statements(table))]


def session_statements() -> list[str]:
    """The statements of the session notices (ingestio_tables_reset comes with statements())."""
    return [*SESSION_FUNCTIONS, *trigger_statements("user_sessions")]


def session_drop_statements() -> list[str]:
    """What the session migration's downgrade runs."""
    out = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name, *_rest in SESSION_TRIGGERS]
    return [*out, "DROP FUNCTION IF EXISTS ingestio_session_ended()"]


def drop_statements() -> list[str]:
    """What the migration's downgrade runs."""
    out = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name, *_rest in TRIGGERS]
    out += [
        f"DROP FUNCTION IF EXISTS {f.split('FUNCTION ', 1)[1].split('(', 1)[0]}()"
        for f in FUNCTIONS
    ]
    return out


def install(conn) -> None:
    """Create or replace the functions and triggers (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return
    for statement in [*statements(), *session_statements()]:
        conn.exec_driver_sql(statement)


def installed(conn) -> bool:
    """True when every trigger exists."""
    if conn.dialect.name != "postgresql":
        return False
    found = conn.execute(
        sa.text("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(:names)"),
        {"names": list(TRIGGER_NAMES)},
    ).scalar()
    return found == len(TRIGGER_NAMES)


def register(tables: dict[str, sa.Table]) -> None:
    """Install the triggers whenever `create_all` creates these tables on PostgreSQL."""
    for name, table in tables.items():
        ddl = [*FUNCTIONS, *SESSION_FUNCTIONS, *trigger_statements(name)]
        for statement in ddl:
            sa.event.listen(
                table,
                "after_create",
                sa.DDL(statement.replace("%", "%%")).execute_if(dialect="postgresql"),
            )
