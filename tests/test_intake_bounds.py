"""Bounded page counting at intake, and files whose pages cannot be counted."""

import os

import pytest
import sqlalchemy as sa

from app.intake.pages import CountBudget
from app.models import Document
from app.storage import get_storage
from tests.factories import make_user
from tests.pdfgen import make_pdf
from tests.support.intake import PROMPT, assert_nothing_left


def refused(resp) -> dict:
    assert resp.status_code == 400, resp.json
    assert resp.json["error"]["code"] == "too_many_pages"
    return resp.json["error"]


def test_a_file_over_the_page_maximum_is_refused_by_name_and_leaves_nothing(
    app, api_as, db, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_PAGES_PER_FILE", 50)
    user = make_user(plan="growth")
    files = [("short.pdf", make_pdf(3)), ("long.pdf", make_pdf(51)), ("fifty.pdf", make_pdf(50))]
    error = refused(api_as(user).batch(files, global_prompt=PROMPT))
    assert "long.pdf" in error["message"] and "50 pages per file" in error["message"]
    assert error["details"]["files"] == [
        {"filename": "long.pdf", "reason": "The file has more than 50 pages."}
    ]
    assert error["details"]["max_pages_per_file"] == 50
    assert_nothing_left(db)

    error = refused(api_as(user).document([("long.pdf", make_pdf(51))], global_prompt=PROMPT))
    assert error["details"]["files"][0]["filename"] == "long.pdf"
    assert_nothing_left(db)


def test_the_default_page_maximum_is_2000_pages_per_file(api_as, db):
    user = make_user(plan="growth")
    error = refused(api_as(user).document([("book.pdf", make_pdf(2001))], global_prompt=PROMPT))
    assert error["details"]["max_pages_per_file"] == 2000
    assert_nothing_left(db)
    resp = api_as(user).document([("book.pdf", make_pdf(2000))], global_prompt=PROMPT)
    assert resp.status_code == 202
    assert resp.json["page_count"] == 2000


def test_pages_of_one_request_are_bounded_together(app, api_as, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_PAGES_PER_REQUEST", 100)
    user = make_user(plan="growth")
    files = [(f"part{i}.pdf", make_pdf(30)) for i in range(4)]  # 120 pages
    error = refused(api_as(user).batch(files, global_prompt=PROMPT))
    assert error["details"] == {"max_pages_per_request": 100}
    assert "100 pages per upload" in error["message"]
    assert_nothing_left(db)

    resp = api_as(user).batch(files[:3], global_prompt=PROMPT)  # 90 pages
    assert resp.status_code == 202
    assert resp.json["total_pages"] == 90


def test_counting_time_of_one_request_is_bounded(app, api_as, db, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_COUNT_SECONDS_PER_REQUEST", 0)
    user = make_user(plan="growth")
    error = refused(api_as(user).batch([("a.pdf", make_pdf(1))], global_prompt=PROMPT))
    assert error["details"] == {"seconds_per_request": 0}
    assert_nothing_left(db)


def test_a_request_s_counting_time_is_shared_by_its_files():
    budget = CountBudget(per_file=2000, per_request=20000, seconds=30)
    assert budget.take() == (2000, 5.0)
    budget.spend(10, 28.0)
    assert budget.take() == (2000, pytest.approx(2.0))
    budget.spend(10, 2.5)
    with pytest.raises(Exception) as caught:
        budget.take()
    assert caught.value.code == "too_many_pages"
    assert caught.value.details == {"seconds_per_request": 30}


def test_junk_with_a_pdf_header_fails_its_document_without_keeping_its_bytes(api_as, db):
    user = make_user(plan="growth")
    junk = b"%PDF-1.7\n" + os.urandom(2 * 1024 * 1024)
    resp = api_as(user).batch([("good.pdf", make_pdf(2)), ("junk.pdf", junk)], global_prompt=PROMPT)
    assert resp.status_code == 202
    docs = {d["filename"]: d for d in resp.json["documents"]}
    assert docs["junk.pdf"]["status"] == "failed"
    assert docs["junk.pdf"]["error"]["code"] == "unreadable_pdf"
    rows = {d.original_filename: d for d in db.session.scalars(sa.select(Document))}
    assert list(get_storage().keys()) == [rows["good.pdf"].storage_key]
    assert rows["junk.pdf"].size_bytes == len(junk)

    resp = api_as(user).document([("junk.pdf", junk)], global_prompt=PROMPT)
    assert resp.status_code == 202
    assert resp.json["status"] == "failed"
    assert list(get_storage().keys()) == [rows["good.pdf"].storage_key]
