"""The document job's statements: the connection handed to a work horse, drops, and SQLite.

A forking worker connects before it forks a document job's work horse and gives the connection
up at the fork; the horse's first checkout takes it (jobs/connection.py). These checks fork this
test process the same way. The job's statements are the same on SQLite.
"""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ExtractionJob,
    JobStatus,
    Usage,
)
from app.models.types import utcnow
from app.services import plans, quota
from config import TestConfig
from jobs import connection
from jobs.documents import process_document
from tests.conftest import PG_URL
from tests.factories import make_user
from tests.support.pipeline import (
    backend_pid,
    drop_connection,
    fresh,
    invoice_pdf,
    pages_used,
    pdf_batch,
    server_has,
    wait_for,
)

B, D = BatchStatus, DocumentStatus

postgresql_only = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="PostgreSQL only")


def in_child(fn) -> tuple[int, str]:
    """Fork, let the child run fn once this side is past the fork; its exit code and answer."""
    answers, answer = os.pipe()
    wait, go = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: wait for the parent, answer, and leave without any cleanup
        os.close(answers)
        os.close(go)
        os.read(wait, 1)
        code = 0
        try:
            text = str(fn())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            text, code = repr(exc), 1
        os.write(answer, text.encode())
        os._exit(code)
    os.close(answer)
    os.close(wait)
    os.write(go, b"!")  # the parent's side of the fork (its at-fork handlers) is done
    os.close(go)
    out = b""
    while chunk := os.read(answers, 4096):
        out += chunk
    os.close(answers)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode()


def horse_pid() -> str:
    """What a work horse does: its pool starts empty, its first checkout runs a statement."""
    db.engine.dispose(close=False)
    return str(backend_pid())


@postgresql_only
def test_a_connection_handed_over_at_a_fork_serves_the_child_alone(db):
    connection.hand_over(db.engine)
    opened = connection.handed().info.backend_pid

    assert in_child(horse_pid) == (0, str(opened)), "the child ran on the connection made before"
    assert connection.handed() is None, "the worker process let go of it"
    wait_for(lambda: not server_has(opened), what="the child's goodbye")
    assert backend_pid() != opened, "this process never used it"


@postgresql_only
def test_a_child_leaves_its_parents_own_connection_alone(db):
    with db.engine.connect() as mine:
        pid = mine.scalar(sa.text("SELECT pg_backend_pid()"))

        code, child = in_child(horse_pid)

        assert code == 0 and child != str(pid), "the child connected on its own"
        assert mine.scalar(sa.text("SELECT pg_backend_pid()")) == pid, "still open here"


@postgresql_only
def test_a_job_after_the_server_dropped_the_connection_runs_on_a_new_one(user):
    batch, docs = pdf_batch(user, count=2, pages=2)
    assert process_document(str(docs[0].id)) == "completed"
    dropped = backend_pid()
    drop_connection(dropped)

    assert process_document(str(docs[1].id)) == "completed"
    assert backend_pid() != dropped
    assert fresh(Batch, batch.id).status == B.COMPLETED
    assert pages_used(user) == 4


class DroppingProvider:
    """The server drops the job's pooled connection while the extraction runs, then the
    extraction fails for good."""

    name = "dropping"
    model = None

    def classify(self, doc):
        return "invoice", 1.0

    def extract(self, doc, prompt, document_type=None):
        from engine import ExtractionError

        drop_connection(backend_pid())
        raise ExtractionError("extraction_failed", "No text could be read from this file.")


@postgresql_only
def test_a_failure_after_the_server_dropped_the_connection_is_stored(app, user, monkeypatch):
    """Workers do not ping a pooled connection before using it: the failing transaction finds
    the connection dead and runs once more on a new one."""
    db.session.commit()
    db.engine.dispose()  # one pooled connection, as in a work horse: the one that is dropped
    monkeypatch.setattr(db.engine.pool, "_pre_ping", False)
    monkeypatch.setitem(
        app.config, "EXTRACTION_PROVIDER", "tests.test_pipeline_connection:DroppingProvider"
    )
    batch, docs = pdf_batch(user, count=1, pages=2)

    assert process_document(str(docs[0].id)) == "failed"

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "extraction_failed")
    assert "No text could be read" in doc.error_message
    assert fresh(Batch, batch.id).status == B.FAILED
    assert pages_used(user) == 0, "the pages were given back"
    attempts = db.session.scalars(
        sa.select(ExtractionJob.status).where(ExtractionJob.document_id == doc.id)
    ).all()
    db.session.commit()
    assert attempts == [JobStatus.FAILED]


def test_on_sqlite_the_same_statements_reach_the_same_end(tmp_path):
    class SqliteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'embedded.db'}"
        STORAGE_URL = f"file://{tmp_path / 'uploads'}"

    with create_app(SqliteConfig).app_context():
        db.create_all()
        try:
            user = make_user("solo@example.com", plan="starter")  # 50 pages a month
            batch, docs = pdf_batch(user, pages=20, contents=[invoice_pdf(20)] * 3)

            outcomes = [process_document(str(d.id)) for d in docs]

            assert outcomes == ["completed", "completed", "failed"]
            assert fresh(Document, docs[2].id).error_code == "quota_exceeded"
            b = fresh(Batch, batch.id)
            assert (b.status, b.completed_count, b.failed_count) == (B.PARTIALLY_COMPLETED, 2, 1)
            assert b.completed_at is not None
            assert pages_used(user) == 40
            assert process_document(str(docs[0].id)) == "stopped", "run twice: nothing changes"
            assert pages_used(user) == 40
        finally:
            db.session.remove()
            db.drop_all()


def test_a_reservation_left_by_an_earlier_attempt_is_charged_once(user):
    batch, docs = pdf_batch(user, count=1, pages=3)
    usage_id = quota.reserve_pages(user.id, 3)
    db.session.execute(
        sa.update(Document)
        .where(Document.id == docs[0].id)
        .values(reserved_pages=3, usage_id=usage_id)
    )
    db.session.commit()

    assert process_document(str(docs[0].id)) == "completed"

    assert pages_used(user) == 3, "the pages were charged once"
    doc = fresh(Document, docs[0].id)
    assert (doc.reserved_pages, doc.usage_id) == (0, None)
    assert fresh(Batch, batch.id).status == B.COMPLETED


@pytest.mark.parametrize("row_exists", [True, False], ids=["row", "first-of-period"])
@pytest.mark.parametrize("billing_covers_now", [True, False], ids=["billing", "ended"])
def test_the_claim_charges_the_period_that_contains_now(user, billing_covers_now, row_exists):
    """A plan's billing period when it covers now, else the calendar month; the period's row is
    created by its first claim."""
    now = utcnow()
    sub = plans.subscription_of(user)
    if billing_covers_now:  # a Stripe period that does not start on the 1st
        sub.current_period_start, sub.current_period_end = (
            now - timedelta(days=3, hours=5),
            now + timedelta(days=27),
        )
    else:  # ended, no renewal yet: the calendar month counts
        sub.current_period_start, sub.current_period_end = (
            now - timedelta(days=40),
            now - timedelta(days=10),
        )
    expected = quota.current_period(sub, now).start
    other = sub.current_period_start if not billing_covers_now else quota.calendar_month(now).start
    db.session.add(Usage(user_id=user.id, period_start=other, period_end=other + timedelta(days=1)))
    if row_exists:
        db.session.add(
            Usage(user_id=user.id, period_start=expected, period_end=expected, pages_used=2)
        )
    db.session.commit()
    batch, docs = pdf_batch(user, count=1, pages=3)

    assert process_document(str(docs[0].id)) == "completed"

    rows = dict(
        db.session.execute(
            sa.select(Usage.period_start, Usage.pages_used).where(Usage.user_id == user.id)
        ).all()
    )
    db.session.commit()
    assert rows == {other: 0, expected: (2 if row_exists else 0) + 3}


def test_customers_on_billing_periods_have_every_document_charged_to_their_own_period(db):
    """Several paying customers, each on a Stripe period that covers now and starts on a day of
    its own, each with several documents: every document is processed and charged to its
    owner's period."""
    now = utcnow()
    customers = []
    for days in (3, 11):
        user = make_user(plan="growth")
        sub = plans.subscription_of(user)
        sub.current_period_start = now - timedelta(days=days, hours=2)
        sub.current_period_end = sub.current_period_start + timedelta(days=30)
        db.session.commit()
        customers.append((user, sub.current_period_start, pdf_batch(user, count=3, pages=2)))

    outcomes = [process_document(str(d.id)) for _u, _s, (_b, docs) in customers for d in docs]

    assert outcomes == ["completed"] * 6
    for user, start, (batch, _docs) in customers:
        rows = db.session.execute(
            sa.select(Usage.period_start, Usage.pages_used).where(Usage.user_id == user.id)
        ).all()
        db.session.commit()
        assert [(r.period_start, r.pages_used) for r in rows] == [(start, 6)]
        assert fresh(Batch, batch.id).status == B.COMPLETED


def test_a_first_document_over_the_whole_allowance_charges_nothing(db):
    user = make_user(plan="starter")  # 50 pages a month, nothing used yet this period
    batch, docs = pdf_batch(user, count=1, pages=60)

    assert process_document(str(docs[0].id)) == "failed"

    doc = fresh(Document, docs[0].id)
    assert (doc.status, doc.error_code) == (D.FAILED, "quota_exceeded")
    assert "60 pages" in doc.error_message and "50 of 50" in doc.error_message
    assert pages_used(user) == 0
    assert fresh(Batch, batch.id).status == B.FAILED
