"""The migrations build the models' schema on an empty PostgreSQL database."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from tests.conftest import PG_URL


@pytest.fixture
def empty_database(app):
    if not PG_URL.startswith("postgresql"):
        pytest.skip("the migration test needs PostgreSQL")
    name = f"ingestio_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def upgraded(app, empty_database):
    """An engine on the empty database after `flask db upgrade`."""
    from app import create_app
    from app.extensions import db

    MigConfig = type("MigConfig", (), {**app.config, "SQLALCHEMY_DATABASE_URI": empty_database})
    mig_app = create_app(MigConfig)
    with mig_app.app_context():
        upgrade()
        yield db.engine
        db.engine.dispose()


def test_upgrade_from_empty_matches_models(upgraded):
    from app.extensions import db

    with upgraded.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
        tables = set(sa.inspect(conn).get_table_names())
    assert diff == []
    assert {"users", "batches", "documents", "usage", "extraction_jobs"} <= tables


def test_upgrade_installs_the_change_notices(upgraded):
    """The status cache stays off without them; the migration puts them in place."""
    from app.models import change_notices

    with upgraded.connect() as conn:
        assert change_notices.installed(conn)


@pytest.fixture
def migrating(app, empty_database):
    """An app on the empty database, for stepping through revisions; yields its engine."""
    from app import create_app
    from app.extensions import db

    MigConfig = type("MigConfig", (), {**app.config, "SQLALCHEMY_DATABASE_URI": empty_database})
    mig_app = create_app(MigConfig)
    with mig_app.app_context():
        yield db.engine
        db.engine.dispose()


def question_rows(conn) -> dict[int, str]:
    rows = conn.execute(sa.text("SELECT row_number, status FROM question_items"))
    return dict(rows.all())


def test_question_rows_take_their_own_status_names_and_give_them_back(migrating):
    from flask_migrate import downgrade

    upgrade(revision="0006_review")
    user_id, batch_id = uuid.uuid4(), uuid.uuid4()
    old = {2: "uploaded", 3: "processing", 4: "completed", 5: "failed", 6: "cancelled"}
    with migrating.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, email, password_hash, created_at) "
                "VALUES (:id, 'm@example.com', 'x', now())"
            ),
            {"id": user_id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO question_batches (id, user_id, name, scope, status, columns, "
                "created_at, updated_at) VALUES (:id, :user, 'q', 'all', 'processing', '[]', "
                "now(), now())"
            ),
            {"id": batch_id, "user": user_id},
        )
        for row, status in old.items():
            conn.execute(
                sa.text(
                    "INSERT INTO question_items (id, question_batch_id, row_number, thread_key, "
                    "question, original, status, created_at, updated_at) VALUES (:id, :batch, "
                    ":row, :key, 'What?', '{}', :status, now(), now())"
                ),
                {
                    "id": uuid.uuid4(),
                    "batch": batch_id,
                    "row": row,
                    "key": f"row:{row}",
                    "status": status,
                },
            )

    upgrade()
    with migrating.connect() as conn:
        assert question_rows(conn) == {
            2: "queued",
            3: "answering",
            4: "completed",
            5: "failed",
            6: "cancelled",
        }
    with pytest.raises(sa.exc.IntegrityError), migrating.begin() as conn:
        conn.execute(sa.text("UPDATE question_items SET status = 'uploaded'"))

    downgrade(revision="0006_review")
    with migrating.connect() as conn:
        assert question_rows(conn) == old
    with pytest.raises(sa.exc.IntegrityError), migrating.begin() as conn:
        conn.execute(sa.text("UPDATE question_items SET status = 'answering'"))
