"""The worker runs the pipeline's statements once before forking, and leaves nothing behind.

A forked job keeps nothing it compiles, so what its worker compiled before the fork is all it can
reuse. Each check here builds a fresh app (a fresh engine, nothing compiled yet) and counts the
statements of one real job that SQLAlchemy had to compile.
"""

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import default

from app import create_app
from app.extensions import db
from app.models import Batch, Document, ExtractionJob, ExtractionResult, Usage, User
from config import TestConfig
from jobs.documents import process_document
from jobs.worker import warm_statements
from tests.conftest import PG_URL
from tests.factories import make_batch, make_document, make_user
from tests.pdfgen import make_pdf

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="PostgreSQL only")

INVOICE = make_pdf(
    1, lines=("INVOICE", "Invoice number: INV-7", "Date: 2024-03-15", "Total: 12.00")
)
TABLES = (User, Batch, Document, Usage, ExtractionJob, ExtractionResult)


@pytest.fixture
def fresh_app(app, db):
    """A second app on the same database: its own engine, with an empty statement cache."""

    class Fresh(TestConfig):
        STORAGE_URL = app.config["STORAGE_URL"]

    made = []

    def build():
        made.append(create_app(Fresh))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()


def counts() -> dict:
    return {
        m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in TABLES
    }


def compiled_by_one_job() -> tuple[str, list[str]]:
    """Process a new document of a new user; the outcome and the statements compiled for it."""
    user = make_user(f"warm-{uuid.uuid4().hex[:8]}@example.com", plan="growth")
    doc_id = make_document(user, make_batch(user), content=INVOICE).id
    db.session.remove()
    compiled = []

    def after(_conn, _cursor, statement, _params, context, _many):
        if context is not None and context.cache_hit is default.CACHE_MISS:
            compiled.append(statement)

    sa.event.listen(db.engine, "after_cursor_execute", after)
    try:
        outcome = process_document(str(doc_id))
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after)
    return outcome, compiled


def test_a_job_after_the_warm_up_compiles_nothing(fresh_app):
    with fresh_app().app_context():
        outcome, compiled = compiled_by_one_job()
    assert outcome == "completed"
    # claim and store are driver SQL; the last document's job also finalizes its batch
    assert len(compiled) >= 3, "a cold engine compiles the job's statements"

    with fresh_app().app_context():
        warm_statements()
        outcome, compiled = compiled_by_one_job()
    assert outcome == "completed"
    assert compiled == [], "\n".join(s[:120] for s in compiled)


def test_the_warm_up_leaves_nothing_behind(fresh_app, caplog):
    before = counts()
    with fresh_app().app_context():
        warm_statements()
        assert db.engine.pool.checkedout() == 0
    db.session.remove()
    assert counts() == before
    assert not [r for r in caplog.records if "warm-up" in r.getMessage()]
