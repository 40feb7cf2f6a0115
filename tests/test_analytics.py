"""Analytics: the figures equal those worked out by hand from a known set of batches."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db as _db
from app.models import (
    BatchStatus,
    DocumentStatus,
    ExtractionJob,
    JobStatus,
    PromptStrategy,
)
from app.services import analytics, quota
from app.services.analytics import percentile
from tests.factories import make_batch, make_document, make_user

NOW = datetime.now(UTC)
TODAY = NOW.date()


def at(days_ago: int, hours: float = 0.0) -> datetime:
    """A moment `days_ago` days before today, `hours` after midnight UTC."""
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    return midnight - timedelta(days=days_ago) + timedelta(hours=hours)


def doc(user, batch, name, status, pages, doc_type, created, completed=None, started=None):
    d = make_document(user, batch, filename=name, page_count=pages, status=status)
    d.document_type = doc_type
    d.created_at = created
    d.started_at = started
    d.completed_at = completed
    return d


def job(document, attempt, status, duration_ms):
    _db.session.add(
        ExtractionJob(
            document_id=document.id,
            attempt=attempt,
            status=status,
            started_at=document.created_at,
            finished_at=document.created_at + timedelta(milliseconds=duration_ms),
            duration_ms=duration_ms,
        )
    )


@pytest.fixture
def history(db, user):
    """Two batches and a single upload in the window, one old batch, another user's batch."""
    b1 = make_batch(user, name="Invoices", status=BatchStatus.PARTIALLY_COMPLETED)
    b1.created_at = at(2, 9)
    d1 = doc(user, b1, "a.pdf", DocumentStatus.COMPLETED, 2, "invoice", at(2, 9), at(2, 10))
    job(d1, 1, JobStatus.FAILED, 50)
    job(d1, 2, JobStatus.SUCCEEDED, 1000)
    doc(user, b1, "b.pdf", DocumentStatus.FAILED, 1, "invoice", at(2, 9), at(2, 10))
    d3 = doc(user, b1, "c.pdf", DocumentStatus.COMPLETED, 3, "receipt", at(2, 9), at(1, 10))
    job(d3, 1, JobStatus.SUCCEEDED, 4000)
    job(d3, 2, JobStatus.SUCCEEDED, 3000)  # the latest succeeded attempt counts

    b2 = make_batch(user, name="Mixed", strategy=PromptStrategy.AUTO, status=BatchStatus.PROCESSING)
    b2.created_at = at(0, 0.01)
    start = at(0, 0.02)
    # no job rows: the time comes from started_at / completed_at (2.5 s)
    doc(
        user,
        b2,
        "d.png",
        DocumentStatus.COMPLETED,
        1,
        "receipt",
        at(0, 0.01),
        start + timedelta(milliseconds=2500),
        start,
    )
    doc(user, b2, "e.pdf", DocumentStatus.CANCELLED, 1, None, at(0, 0.01))
    doc(user, b2, "f.pdf", DocumentStatus.UPLOADED, 4, None, at(0, 0.01))

    d7 = doc(
        user, None, "single.pdf", DocumentStatus.COMPLETED, 5, "contract", at(5, 12), at(5, 13)
    )
    job(d7, 1, JobStatus.SUCCEEDED, 8000)

    old = make_batch(user, name="Last quarter", status=BatchStatus.COMPLETED)
    old.created_at = at(40)
    d8 = doc(user, old, "old.pdf", DocumentStatus.COMPLETED, 10, "invoice", at(40), at(40, 1))
    job(d8, 1, JobStatus.SUCCEEDED, 99999)

    other = make_user("someone@example.com")
    theirs = make_batch(other, name="Not yours")
    for name in ("x.pdf", "y.pdf"):
        d = doc(other, theirs, name, DocumentStatus.COMPLETED, 9, "invoice", at(0), at(0, 0.5))
        job(d, 1, JobStatus.SUCCEEDED, 1)
    _db.session.commit()
    quota.reserve(user, 6)
    _db.session.commit()
    return {"other": other}


# Worked out by hand from `history` (window: the last 30 days).
DURATIONS = [1000, 2500, 3000, 8000]
MEDIAN = (2500 + 3000) / 2
P95 = 3000 + (8000 - 3000) * 0.85  # rank 0.95 * (4 - 1) = 2.85
PAGES_BY_DAY = {2: 2, 1: 3, 0: 1, 5: 5}


def test_percentile_interpolates_between_ranks():
    assert percentile([], 50) is None
    assert percentile([7], 95) == 7
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20], 95) == pytest.approx(19.5)


def test_figures_match_the_hand_worked_numbers(history, user):
    f = analytics.user_analytics(user, days=30, now=NOW)

    assert f.start == TODAY - timedelta(days=29) and f.end == TODAY
    assert len(f.days) == 30
    by_day = {(TODAY - d.day).days: d for d in f.days}
    assert {n: d.batches for n, d in by_day.items() if d.batches} == {2: 1, 0: 1}
    assert {n: d.documents for n, d in by_day.items() if d.documents} == {2: 3, 0: 3, 5: 1}
    assert {n: d.pages for n, d in by_day.items() if d.pages} == PAGES_BY_DAY

    assert (f.batches, f.documents) == (2, 7)
    assert (f.completed, f.failed, f.cancelled) == (4, 1, 1)
    assert f.success_rate == pytest.approx(4 / 5)
    assert f.pages_processed == 11
    assert f.durations_ms == DURATIONS
    assert f.median_ms == pytest.approx(MEDIAN)
    assert f.p95_ms == pytest.approx(P95)

    types = {g.key: g for g in f.by_type}
    assert set(types) == {"invoice", "receipt", "contract", "unknown"}
    assert (types["invoice"].documents, types["invoice"].completed, types["invoice"].failed) == (
        2,
        1,
        1,
    )
    assert types["invoice"].success_rate == 0.5 and types["invoice"].median_ms == 1000
    assert (types["receipt"].documents, types["receipt"].pages) == (2, 4)
    assert types["receipt"].median_ms == pytest.approx(2750)
    assert (types["contract"].pages, types["contract"].median_ms) == (5, 8000)
    assert types["unknown"].documents == 2 and types["unknown"].success_rate is None

    strategies = {g.key: (g.documents, g.completed, g.failed, g.pages) for g in f.by_strategy}
    assert strategies == {"global": (3, 2, 1, 5), "auto": (3, 1, 0, 1), "single": (1, 1, 0, 5)}

    period = f.period
    assert (period.pages_used, period.pages_limit) == (6, 5000)
    in_period = sum(
        p for n, p in PAGES_BY_DAY.items() if TODAY - timedelta(days=n) >= period.start.date()
    )
    assert period.cumulative[-1] == (TODAY, in_period)
    assert period.cumulative[0][0] == period.start.date()


def test_another_user_sees_only_their_own_figures(history):
    f = analytics.user_analytics(history["other"], days=30, now=NOW)
    assert (f.batches, f.documents, f.completed, f.pages_processed) == (1, 2, 2, 18)


def test_analytics_page_draws_charts_without_scripts(client, auth, history, user):
    auth.login(user.email)
    resp = client.get("/analytics")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.count("<svg") == 5
    assert "<script" not in html
    assert re.search(r'id="fig-success">80\.0 %<', html)
    assert re.search(r'id="fig-median">2\.8 s<', html)
    assert re.search(r'id="fig-p95">7\.2 s<', html)
    assert re.search(r'id="fig-pages">11<', html)
    assert "6 of 5,000 pages used this billing period" in html
    assert "Not yours" not in html


def test_csv_download_carries_the_same_numbers(client, auth, history, user):
    auth.login(user.email)
    resp = client.get("/analytics.csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    value = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}

    assert value[("summary", "all", "documents")] == "7"
    assert value[("summary", "all", "success_rate")] == "0.8"
    assert float(value[("summary", "all", "median_ms")]) == MEDIAN
    assert float(value[("summary", "all", "p95_ms")]) == P95
    assert value[("summary", "all", "period_pages_used")] == "6"
    for n, pages in PAGES_BY_DAY.items():
        assert value[("daily", (TODAY - timedelta(days=n)).isoformat(), "pages")] == str(pages)
    assert value[("daily", (TODAY - timedelta(days=2)).isoformat(), "documents")] == "3"
    assert value[("document_type", "invoice", "success_rate")] == "0.5"
    assert value[("document_type", "unknown", "success_rate")] == ""
    assert value[("prompt_strategy", "single", "pages")] == "5"
    assert len([r for r in rows if r["section"] == "daily"]) == 30 * 3


def test_empty_history_renders_without_figures(client, auth, user):
    auth.login(user.email)
    html = client.get("/analytics").get_data(as_text=True)
    assert re.search(r'id="fig-success">–<', html)
    assert "No documents in this period." in html


@pytest.mark.parametrize("path", ["/analytics", "/analytics.csv"])
def test_analytics_needs_a_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
