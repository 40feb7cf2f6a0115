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
