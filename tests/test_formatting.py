"""How numbers read on the pages, what the pages used went to, plan prices, the single-upload
form's wording, and the periodic job's result TTL and log lines."""

import io
import logging
import re

import pytest

from app.formatting import count, filesize, money, number, shown
from app.logging import QUIET_JOB_IDS, QuietJobs
from app.services import billing, quota
from jobs import schedule
from tests.conftest import csrf_from
from tests.support.pipeline import invoice_pdf
from tests.test_billing_stripe import stripe_api  # noqa: F401 - a fixture


def test_filters_read_as_people_write_numbers():
    assert count(5000) == "5,000" and count(None) == "0"
    assert number(12.0) == "12" and number(2.5) == "2.5" and number(1250.75) == "1,250.75"
    assert number("3.10") == "3.1" and number(None) == ""
    assert money(1586.0) == "1,586.00" and money(23.7, "eur") == "EUR 23.70"
    assert money(5, "not a code") == "5.00"
    assert filesize(812) == "812 B" and filesize(3482) == "3.4 KB"
    assert filesize(5 * 1024 * 1024) == "5.0 MB"
    assert shown(None) == "Not found" and shown("  ") == "Not found"
    assert shown(1586.0, "amount", "USD") == "USD 1,586.00"
    assert shown(12.0) == "12" and shown(["a", "b"]) == "a, b" and shown(True) == "yes"


def upload_batch(api, files, prompt="Extract the invoice number, the total and the currency"):
    resp = api.post(
        "/api/v1/batches",
        data={
            "files": [(io.BytesIO(content), name) for name, content in files],
            "global_prompt": prompt,
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_json()
    return resp.get_json()["id"]


def test_the_document_page_shows_amounts_as_money_and_sizes_in_one_unit(
    client, auth, user, api, worker
):
    batch_id = upload_batch(api, [("a.pdf", invoice_pdf(1))])
    worker()
    doc = api.get(f"/api/v1/batches/{batch_id}").get_json()["documents"][0]
    auth.login(user.email)
    page = client.get(f"/documents/{doc['id']}").data.decode()
    assert re.search(r"<dt>Size</dt><dd>[\d.,]+ (B|KB)</dd>", page), "one size unit"
    assert "kB" not in page
    # A field that was asked for and not found says so, instead of a blank with "0%".
    resp = api.get(f"/api/v1/documents/{doc['id']}").get_json()
    missing = [n for n, f in resp["result"]["fields"].items() if f["value"] is None]
    if missing:
        assert "Not found" in page


def pages_in(html: str) -> dict[str, int]:
    return {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r'data-used="(\w+)">([\d,]+)<', html)
    }


def test_billing_and_analytics_explain_every_page_used(client, auth, user, api, worker):
    kept = upload_batch(api, [("two.pdf", invoice_pdf(2)), ("one.pdf", invoice_pdf(1))])
    gone = upload_batch(api, [("gone.pdf", invoice_pdf(2))])
    assert worker()
    assert api.delete(f"/api/v1/batches/{gone}").status_code in (200, 204)
    questions = api.post(
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(b"question\nWhat is the total?\nWho sent it?\n"), "q.csv")},
        content_type="multipart/form-data",
    )
    assert questions.status_code == 202, questions.get_json()
    assert worker()

    used = quota.summary(user)["pages_used"]
    answered = api.get(f"/api/v1/question-batches/{questions.get_json()['id']}").get_json()
    assert api.get(f"/api/v1/batches/{kept}").get_json()["status"] == "completed"
    auth.login(user.email)
    for path in ("/billing", "/analytics"):
        figures = pages_in(client.get(path).data.decode())
        assert figures == {
            "documents": 3,
            "questions": answered["completed_count"],
            "in_progress": 0,
            "deleted": 2,
        }, path
        assert sum(figures.values()) == used


def test_billing_shows_prices_from_settings_and_never_cli_commands(app, client, auth, user):
    plans = {k: dict(v) for k, v in app.config["PLANS"].items()}
    plans["plus"]["price"] = "29 USD"
    plans["growth"]["price"] = "EUR 99.5"
    old = app.config["PLANS"]
    app.config["PLANS"] = plans
    try:
        auth.login(user.email)
        html = client.get("/billing").data.decode()
    finally:
        app.config["PLANS"] = old
    assert re.search(r'data-price="starter"><strong>Free<', html)
    assert re.search(r'data-price="plus"><strong>USD 29.00 per month<', html)
    assert re.search(r'data-price="growth"><strong>EUR 99.50 per month<', html)
    assert "flask " not in html


def test_a_stripe_price_is_read_from_stripe_once(app, user, stripe_api, monkeypatch):  # noqa: F811
    stripe_api.on(
        "GET",
        "/v1/prices/price_plus",
        {
            "id": "price_plus",
            "object": "price",
            "unit_amount": 2900,
            "currency": "usd",
            "recurring": {"interval": "month"},
        },
    )
    monkeypatch.setattr(billing, "_price_cache", {})
    with app.test_request_context():
        assert billing.plan_price("plus") == "USD 29.00 per month"
        assert billing.plan_price("plus") == "USD 29.00 per month"
        # A price Stripe does not know falls back to the settings (none here).
        assert billing.plan_price("growth") is None
    assert len(stripe_api.calls("/v1/prices/price_plus")) == 1


def test_a_refused_single_upload_names_the_field_as_the_form_labels_it(client, auth, user):
    auth.login(user.email)
    page = client.get("/documents/new").data.decode()
    resp = client.post(
        "/documents/new",
        data={
            "csrf_token": csrf_from(page),
            "prompt_strategy": "global",
            "global_prompt": "",
            "files": (io.BytesIO(invoice_pdf(1)), "invoice.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    html = resp.data.decode()
    assert "global_prompt" not in html.split('name="global_prompt"')[0].split("upload-error")[-1]
    assert "“What to extract”" in html
    assert "choose the file again" in html
    assert re.search(r'id="document-prompt"[^>]*aria-invalid="true"', html)


def test_the_periodic_job_keeps_its_result_for_a_while_not_forever(redis_conn):
    job = schedule.register(redis_conn, interval=10)
    assert job.result_ttl == schedule.result_ttl(10) >= 3600


def test_routine_lines_of_the_periodic_job_are_debug_lines(caplog):
    import jobs.worker  # noqa: F401 - a worker process marks the periodic job quiet

    assert schedule.PERIODIC_JOB_ID in QUIET_JOB_IDS
    quiet = QuietJobs()
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.INFO)
    try:
        routine = logging.makeLogRecord(
            {
                "name": "rq.worker",
                "levelno": logging.INFO,
                "msg": f"Worker w: default: Job OK ({schedule.PERIODIC_JOB_ID})",
            }
        )
        other = logging.makeLogRecord(
            {"name": "rq.worker", "levelno": logging.INFO, "msg": "Worker w: Job OK (abc)"}
        )
        assert quiet.filter(routine) is False and routine.levelno == logging.DEBUG
        done = logging.makeLogRecord(
            {
                "name": "rq.worker",
                "levelno": logging.INFO,
                "msg": f"Successfully completed {schedule.PERIODIC_DESCRIPTION} job in 0:00:00.05s",
            }
        )
        assert quiet.filter(done) is False
        assert quiet.filter(other) is True
        root.setLevel(logging.DEBUG)
        again = logging.makeLogRecord(dict(routine.__dict__, levelno=logging.INFO))
        assert quiet.filter(again) is True
    finally:
        root.setLevel(old)


@pytest.mark.parametrize(
    "figures, level",
    [
        ({"requeued": 0, "duration_ms": 44, "questions": {"requeued": 0}}, "DEBUG"),
        ({"requeued": 2, "duration_ms": 44}, "INFO"),
        ({"requeued": 0, "questions": {"failed": 1}}, "INFO"),
    ],
)
def test_the_sweeper_writes_one_line_at_info_only_when_it_changed_something(
    app, db, caplog, monkeypatch, figures, level
):
    from app.services import sweeper
    from jobs import batches

    monkeypatch.setattr(
        sweeper, "record_last_run", lambda report, questions: {"at": "x", **figures}
    )
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        batches.run_periodic()
    lines = [r for r in caplog.records if r.getMessage().startswith("sweeper.ran")]
    assert len(lines) == 1 and lines[0].levelname == level
