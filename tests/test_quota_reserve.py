"""Atomic page reservations (invariant 4 in docs/states.md) against real PostgreSQL."""

import threading

import sqlalchemy as sa

from app.models import Document, Usage
from app.services import quota
from tests.factories import make_document, make_user
from tests.support.pipeline import pages_used


def test_reservations_stop_at_the_limit_and_refusals_charge_nothing(db):
    user = make_user(plan="starter")  # 50 pages
    assert quota.reserve_pages(user.id, 30) is not None
    assert quota.reserve_pages(user.id, 20) is not None
    assert quota.reserve_pages(user.id, 1) is None
    db.session.commit()
    assert pages_used(user) == 50


def test_concurrent_reservations_never_exceed_the_limit(app, db, monkeypatch):
    monkeypatch.setitem(app.config["PLANS"]["plus"], "pages_per_month", 10)
    user = make_user(plan="plus")
    user_id = user.id
    start = threading.Barrier(8)
    granted = []

    def reserve():
        with app.app_context():
            start.wait()  # every thread races for the first usage row of the period
            usage_id = quota.reserve_pages(user_id, 3)
            db.session.commit()
            if usage_id is not None:
                granted.append(usage_id)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert len(granted) == 3
    assert len(set(granted)) == 1, "one usage row for the period"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Usage)) == 1
    assert pages_used(user) == 9


def test_release_never_goes_below_zero(db):
    user = make_user(plan="starter")
    usage_id = quota.reserve_pages(user.id, 2)
    quota.release(usage_id, 5)
    db.session.commit()
    assert pages_used(user) == 0


def test_a_document_s_reservation_is_released_once(db):
    user = make_user(plan="starter")
    doc = make_document(user, None, page_count=4)
    usage_id = quota.reserve_pages(user.id, 4)
    db.session.execute(
        sa.update(Document).where(Document.id == doc.id).values(reserved_pages=4, usage_id=usage_id)
    )
    db.session.commit()
    assert pages_used(user) == 4

    assert quota.release_held(doc.id) == 4
    assert quota.release_held(doc.id) == 0, "a second release finds nothing held"
    db.session.commit()

    assert pages_used(user) == 0
    doc = db.session.get(Document, doc.id, populate_existing=True)
    assert (doc.reserved_pages, doc.usage_id) == (0, None)
