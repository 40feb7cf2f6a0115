"""E-mail when a batch finishes, through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from rq.job import Job

from app.extensions import db, get_queue
from app.models import Batch, BatchStatus, NotificationSend
from app.notifications import outbox
from app.services import sweeper
from jobs.batches import run_periodic
from tests.conftest import csrf_from
from tests.support.pipeline import corrupt_pdf, enqueue, invoice_pdf, pdf_batch
from tests.support.receivers import MailBox, free_port

BASE = "https://ingestio.example"


@pytest.fixture
def mailbox(app, monkeypatch):
    box = MailBox()
    monkeypatch.setitem(app.config, "MAIL_URL", box.url)
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    yield box
    box.close()


def ask_for_mail(auth, user, on=True):
    auth.login(user.email)
    token = csrf_from(auth.client.get("/account").get_data(as_text=True))
    data = {"csrf_token": token}
    if on:
        data["batch_email"] = "y"
    r = auth.client.post("/account/notifications/email", data=data)
    assert r.status_code == 302


def run_batch(user, worker, contents):
    batch, docs = pdf_batch(user, contents=contents)
    enqueue(docs)
    worker()
    return batch


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def test_one_mail_per_finished_batch_with_its_counts_failures_and_link(auth, user, worker, mailbox):
    ask_for_mail(auth, user)
    batch = run_batch(user, worker, [invoice_pdf(), corrupt_pdf()])

    (message,) = mailbox.messages
    assert message["To"] == user.email
    assert message["Subject"] == 'Batch "Batch" finished: partially completed'
    text = body_of(message)
    for line in ("Documents: 2", "Completed: 1", "Failed: 1", "Cancelled: 0"):
        assert line in text
    assert "- file2.pdf:" in text
    assert f"{BASE}/batches/{batch.id}" in text
    run_periodic()  # the finalizer finds nothing more to do: no second mail
    worker()
    assert len(mailbox.messages) == 1
    run_batch(user, worker, [invoice_pdf()])
    assert len(mailbox.messages) == 2
    assert "Completed: 1" in body_of(mailbox.messages[1])


def test_no_mail_unless_asked_for(auth, user, worker, mailbox):
    ask_for_mail(auth, user, on=False)
    run_batch(user, worker, [invoice_pdf()])
    assert mailbox.messages == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationSend)) == 0


def test_an_smtp_server_that_is_down_delays_the_mail_but_not_the_batch(
    app, auth, user, worker, monkeypatch
):
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_DELAYS", [600])
    ask_for_mail(auth, user)
    batch = run_batch(user, worker, [invoice_pdf()])

    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.COMPLETED
    send = db.session.scalar(sa.select(NotificationSend))
    assert (send.channel, send.status, send.attempts) == ("email", "pending", 1)
    assert "ConnectionRefused" in send.last_error

    box = MailBox(port)  # the server is back
    try:
        scheduled = get_queue(outbox.QUEUE).scheduled_job_registry
        (job_id,) = scheduled.get_job_ids()
        scheduled.schedule(Job.fetch(job_id, connection=scheduled.connection), datetime.now(UTC))
        assert sweeper.move_due_retries() == 1
        worker()
        (message,) = box.messages
        assert f"{BASE}/batches/{batch.id}" in body_of(message)
    finally:
        box.close()
    db.session.expire_all()
    assert db.session.scalar(sa.select(NotificationSend.status)) == "delivered"


def test_the_setting_says_when_mail_is_not_configured(app, auth, user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_URL", "")
    auth.login(user.email)
    page = auth.client.get("/account").get_data(as_text=True)
    assert "E-mail is not configured on this server" in page
    assert 'name="batch_email"' not in page
