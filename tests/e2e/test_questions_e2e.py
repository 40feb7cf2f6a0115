"""Question batches in headless Chromium: upload a CSV through the wizard, watch the answers
arrive on the live page while a real worker runs, and download the XLSX."""

import re

import pytest
from openpyxl import load_workbook

from tests.factories import make_user
from tests.question_corpus import build_corpus

pytestmark = pytest.mark.e2e

DETAIL_URL = re.compile(r"/questions/([0-9a-f-]{36})$")


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def test_upload_questions_watch_them_answered_and_download_xlsx(
    page, login, screenshot, db, worker, tmp_path
):
    check = expect()
    user = make_user("asker@example.com", plan="growth")
    build_corpus(user)
    questions = tmp_path / "questions.csv"
    questions.write_text(
        "ref,question,chat_id\n"
        "Q1,What is the total of invoice 42?,inv\n"
        "Q2,and its date?,inv\n"
        "Q3,What is the capital of France?,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text('question\n"=HYPERLINK(""http://x"")"\n', encoding="utf-8")

    login(user.email)
    page.goto("/questions")
    page.get_by_role("link", name="Upload your first questions").click()
    page.wait_for_url("**/questions/new")
    check(page.get_by_role("heading", name="1. Questions file")).to_be_visible()
    check(
        page.get_by_role("list", name="Upload steps").locator('[aria-current="step"]')
    ).to_have_text("1 File")
    check(page.locator("#file-next")).to_be_disabled()

    # A file with a formula is explained in the review step and cannot be started.
    page.set_input_files("#file", str(bad))
    page.locator("#file-next").click()
    page.locator("#scope-next").click()
    check(page.locator("#review-problem-list")).to_contain_text("Row 2")
    check(page.locator("#review-problem-list")).to_contain_text("formula")
    check(page.locator("#start")).to_be_disabled()

    page.get_by_role("button", name="Back").last.click()
    page.get_by_role("button", name="Back").first.click()
    page.set_input_files("#file", str(questions))
    page.fill("#name", "Invoice questions")
    page.locator("#file-next").click()
    check(page.locator("#scope")).to_have_value("all")
    page.locator("#scope-next").click()
    check(page.locator("#review-summary")).to_contain_text("3 questions in 2 conversations")
    check(page.locator("#review-rows tr")).to_have_count(3)
    check(page.locator("#start")).to_be_enabled()
    screenshot("questions-review")
    page.locator("#start").click()

    page.wait_for_url(DETAIL_URL)
    check(page.get_by_role("heading", name="Invoice questions")).to_be_visible()
    check(page.locator('[data-field="status-badge"]')).to_contain_text("queued")

    assert worker()  # the page keeps polling while the worker answers

    check(page.locator('[data-field="status-badge"]')).to_contain_text("completed")
    check(page.locator('[data-field="completed_count"]')).to_have_text("3")
    rows = page.locator("tr[data-item-id]")
    check(rows.nth(0).locator('[data-field="answer"]')).to_have_text("1250.00 EUR")
    check(rows.nth(0).locator('[data-field="sources"]')).to_contain_text("invoice-42.pdf, p. 2")
    check(rows.nth(1).locator('[data-field="answer"]')).to_have_text("2024-03-15")
    check(rows.nth(2).locator('[data-field="answer"]')).to_have_text("Not found in the documents.")
    screenshot("questions-answered")

    with page.expect_download() as info:
        page.locator("#export-xlsx").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    values = list(load_workbook(path).active.iter_rows(values_only=True))
    assert list(values[0]) == ["ref", "question", "chat_id", "answer", "sources", "status", "error"]
    assert values[1][:6] == (
        "Q1",
        "What is the total of invoice 42?",
        "inv",
        "1250.00 EUR",
        "invoice-42.pdf p. 2",
        "completed",
    )
    assert values[2][3] == "2024-03-15"
    assert values[3][3] == "Not found in the documents."
