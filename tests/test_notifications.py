"""Webhooks: endpoints through the API and the account page, signed delivery by real workers to a
real HTTP receiver on 127.0.0.1, retries, 410, timeouts, the outbox sweeper and address rules."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from rq.job import Job

from app.extensions import db, get_queue
from app.models import Batch, BatchStatus, NotificationSend, WebhookEndpoint
from app.notifications import addresses, delivery, outbox
from app.services import sweeper
from jobs.batches import run_periodic
from tests.conftest import csrf_from
from tests.factories import make_token, make_user
from tests.support.pipeline import corrupt_pdf, enqueue, invoice_pdf, pdf_batch
from tests.support.receivers import Receiver, verify


@pytest.fixture
def receivers():
    """Start receivers with a script of answers; all are closed at the end of the test."""
    started = []

    def start(script=(200,)) -> Receiver:
        r = Receiver(script)
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()


@pytest.fixture
def quick_retries(app, monkeypatch):
    """Retries without delays, so a burst worker runs every attempt."""
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_DELAYS", [0])


def add_endpoint(api, url, events=("batch.finished",)) -> dict:
    r = api.post("/api/v1/webhooks", json={"url": url, "events": list(events)})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def deliveries(api, webhook_id) -> list[dict]:
    r = api.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    assert r.status_code == 200
    return r.get_json()["deliveries"]


def finished_batch(user, worker, contents=None):
    batch, docs = pdf_batch(user, contents=contents or [invoice_pdf()])
    enqueue(docs)
    worker()
    return batch


# -- the endpoints ---------------------------------------------------------------------------------


def test_create_shows_the_secret_once_and_the_list_never(api):
    created = add_endpoint(api, "http://127.0.0.1:9/hook", ["batch.finished", "document.failed"])
    assert created["secret"].startswith("whsec_")
    assert created["enabled"] is True and created["events"] == ["batch.finished", "document.failed"]
    listed = api.get("/api/v1/webhooks").get_json()["webhooks"]
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    row = db.session.get(WebhookEndpoint, created["id"])
    assert created["secret"] not in row.secret_encrypted  # encrypted at rest


@pytest.mark.parametrize(
    "body",
    [
        {"url": "nope", "events": ["batch.finished"]},
        {"url": "ftp://example.com/x", "events": ["batch.finished"]},
        {"url": "http://user:pw@example.com/x", "events": ["batch.finished"]},
        {"url": "https://example.com/x", "events": ["batch.exploded"]},
        {"url": "https://example.com/x", "events": []},
        {"url": "https://example.com/x", "events": "batch.finished"},
        {"events": ["batch.finished"]},
    ],
)
def test_a_bad_url_or_an_unknown_event_is_refused_and_leaves_nothing(api, body):
    r = api.post("/api/v1/webhooks", json=body)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_webhook"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_another_users_endpoint_answers_404(api, client):
    created = add_endpoint(api, "http://127.0.0.1:9/hook")
    other = make_token(make_user("other@example.com"))
    headers = {"Authorization": f"Bearer {other}"}
    wid = created["id"]
    assert client.delete(f"/api/v1/webhooks/{wid}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/webhooks/{wid}/test", headers=headers).status_code == 404
    assert client.get(f"/api/v1/webhooks/{wid}/deliveries", headers=headers).status_code == 404
    assert client.get("/api/v1/webhooks", headers=headers).get_json() == {"webhooks": []}
    assert api.delete(f"/api/v1/webhooks/{wid}").status_code == 204
    assert api.get("/api/v1/webhooks").get_json() == {"webhooks": []}


# -- delivery ------------------------------------------------------------------------------------


def test_a_finished_batch_sends_a_signed_batch_finished_with_the_final_status(
    api, user, worker, receivers
):
    rx = receivers()
    created = add_endpoint(api, rx.url)
    batch = finished_batch(user, worker)

    assert len(rx.requests) == 1
    req = rx.requests[0]
    event = verify(created["secret"], req["headers"], req["body"])
    assert req["headers"]["Content-Type"] == "application/json"
    assert event["type"] == "batch.finished"
    status = api.get(f"/api/v1/batches/{batch.id}").get_json()
    status.pop("documents")
    data = dict(event["data"])
    assert data.pop("url") == f"http://localhost/api/v1/batches/{batch.id}"
    assert data == status
    assert status["status"] == BatchStatus.COMPLETED
    log = deliveries(api, created["id"])
    assert [(d["event_id"], d["attempt"], d["status_code"]) for d in log] == [(event["id"], 1, 200)]
    assert log[0]["delivered_at"] is not None and log[0]["error"] is None


def test_each_event_goes_only_to_the_endpoints_that_asked_for_it(api, user, worker, receivers):
    batches_rx, failures_rx = receivers(), receivers()
    add_endpoint(api, batches_rx.url, ["batch.finished"])
    failures = add_endpoint(api, failures_rx.url, ["document.failed"])
    finished_batch(user, worker, [invoice_pdf(), corrupt_pdf()])

    assert [e["type"] for e in batches_rx.events()] == ["batch.finished"]
    assert batches_rx.events()[0]["data"]["status"] == "partially_completed"
    (failed,) = failures_rx.events()
    verify(failures["secret"], failures_rx.requests[0]["headers"], failures_rx.requests[0]["body"])
    assert failed["type"] == "document.failed"
    assert failed["data"]["filename"] == "file2.pdf"
    assert failed["data"]["error"]["code"] == "unreadable_pdf"


def test_a_receiver_failing_twice_gets_the_event_on_attempt_3(
    api, user, worker, receivers, quick_retries
):
    rx = receivers([500, 500, 200])
    created = add_endpoint(api, rx.url)
    finished_batch(user, worker)

    ids = {e["id"] for e in rx.events()}
    assert len(rx.requests) == 3 and len(ids) == 1  # the same event, three times
    log = deliveries(api, created["id"])
    assert [(d["attempt"], d["status_code"]) for d in log] == [(3, 200), (2, 500), (1, 500)]
    assert log[0]["delivered_at"] and log[1]["delivered_at"] is None
    assert "500" in log[1]["error"]


def test_retries_wait_their_delay_and_stop_after_the_last_attempt(
    app, api, user, worker, receivers, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_DELAYS", [60, 3600])
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    rx = receivers([503])
    created = add_endpoint(api, rx.url)
    finished_batch(user, worker)
    assert len(rx.requests) == 1  # the retry waits in RQ's schedule
    for expected in (2, 3):
        scheduled = get_queue(outbox.QUEUE).scheduled_job_registry
        (job_id,) = scheduled.get_job_ids()
        scheduled.schedule(Job.fetch(job_id, connection=scheduled.connection), datetime.now(UTC))
        assert sweeper.move_due_retries() == 1
        worker()
        assert len(rx.requests) == expected
    assert get_queue(outbox.QUEUE).scheduled_job_registry.get_job_ids() == []
    send = db.session.scalar(sa.select(NotificationSend))
    assert (send.status, send.attempts) == ("failed", 3)
    assert [d["attempt"] for d in deliveries(api, created["id"])] == [3, 2, 1]


def test_410_disables_the_endpoint_and_says_why(api, auth, user, worker, receivers, quick_retries):
    rx = receivers([410])
    created = add_endpoint(api, rx.url)
    finished_batch(user, worker)
    assert len(rx.requests) == 1  # no retry after 410

    (listed,) = api.get("/api/v1/webhooks").get_json()["webhooks"]
    assert listed["enabled"] is False
    assert "410" in listed["disabled_reason"]
    finished_batch(user, worker)
    assert len(rx.requests) == 1  # nothing more is sent to it
    refused = api.post(f"/api/v1/webhooks/{created['id']}/test")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_state"
    auth.login(user.email)
    page = auth.client.get("/account").get_data(as_text=True)
    assert "disabled" in page and "410 Gone" in page


def test_a_receiver_slower_than_the_timeout_is_retried(
    app, api, user, worker, receivers, quick_retries, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    rx = receivers(["hang", 200])
    created = add_endpoint(api, rx.url)
    finished_batch(user, worker)

    assert len(rx.requests) == 2
    log = deliveries(api, created["id"])
    assert [(d["attempt"], d["status_code"]) for d in log] == [(2, 200), (1, None)]
    assert "timed out" in log[1]["error"]


def test_an_event_whose_enqueue_was_lost_after_the_commit_is_sent_by_the_sweeper(
    app, api, user, worker, receivers, monkeypatch
):
    monkeypatch.setitem(app.config, "SWEEP_GRACE_SECONDS", 60)
    rx = receivers()
    created = add_endpoint(api, rx.url)
    with monkeypatch.context() as m:
        # The process stops right after the commit: the delivery job is never enqueued.
        m.setattr(outbox, "enqueue", lambda send_ids: 0)
        batch = finished_batch(user, worker)
    assert rx.requests == []
    send = db.session.scalar(sa.select(NotificationSend))
    assert send.status == "pending"

    run_periodic()  # within the grace period: left alone
    worker()
    assert rx.requests == []
    db.session.execute(
        sa.update(NotificationSend).values(
            next_attempt_at=send.next_attempt_at - timedelta(hours=1)
        )
    )
    db.session.commit()
    assert run_periodic()["notifications_requeued"] == 1
    worker()
    (event,) = [verify(created["secret"], r["headers"], r["body"]) for r in rx.requests]
    assert event["type"] == "batch.finished" and event["data"]["id"] == str(batch.id)
    assert run_periodic()["notifications_requeued"] == 0  # delivered: never again


def test_the_sweeper_leaves_a_send_whose_retry_is_scheduled(
    app, api, user, worker, receivers, monkeypatch
):
    monkeypatch.setitem(app.config, "SWEEP_GRACE_SECONDS", 60)
    rx = receivers([500, 200])
    add_endpoint(api, rx.url)
    finished_batch(user, worker)  # the retry now waits 60 s in RQ's schedule
    db.session.execute(
        sa.update(NotificationSend).values(next_attempt_at=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()
    assert run_periodic()["notifications_requeued"] == 0
    worker()
    assert len(rx.requests) == 1


def test_send_test_event_delivers_a_ping(api, worker, receivers):
    rx = receivers()
    created = add_endpoint(api, rx.url, ["document.failed"])
    r = api.post(f"/api/v1/webhooks/{created['id']}/test")
    assert r.status_code == 202
    worker()
    (event,) = [verify(created["secret"], q["headers"], q["body"]) for q in rx.requests]
    assert event["type"] == "ping" and event["id"] == r.get_json()["event_id"]
    assert deliveries(api, created["id"])[0]["type"] == "ping"


def test_a_deleted_endpoint_gets_nothing_more(api, user, worker, receivers):
    rx = receivers()
    created = add_endpoint(api, rx.url)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(outbox, "enqueue", lambda send_ids: 0)
        finished_batch(user, worker)
    assert api.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationSend)) == 0
    worker()
    assert rx.requests == []


# -- the account page ------------------------------------------------------------------------------


def test_the_account_page_manages_endpoints(auth, user, worker, receivers):
    rx = receivers()
    auth.login(user.email)
    client = auth.client
    token = csrf_from(client.get("/account").get_data(as_text=True))
    page = client.post(
        "/account/webhooks",
        data={"url": rx.url, "events": ["batch.finished"], "csrf_token": token},
    ).get_data(as_text=True)
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert endpoint.events == ["batch.finished"]
    secret = page.split('id="new-webhook-secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("whsec_")
    again = client.get("/account").get_data(as_text=True)
    assert secret not in again and rx.url in again

    client.post(f"/account/webhooks/{endpoint.id}/test", data={"csrf_token": token})
    worker()
    verify(secret, rx.requests[0]["headers"], rx.requests[0]["body"])
    page = client.get("/account").get_data(as_text=True)
    assert "Recent deliveries (1" in page and "ping" in page

    bad = client.post(
        "/account/webhooks", data={"url": "not a url", "events": ["x"], "csrf_token": token}
    )
    assert bad.status_code == 400
    client.post(f"/account/webhooks/{endpoint.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_account_page_actions_on_another_users_endpoint_answer_404(api, auth):
    created = add_endpoint(api, "http://127.0.0.1:9/hook")
    make_user("other@example.com")
    auth.login("other@example.com")
    token = csrf_from(auth.client.get("/account").get_data(as_text=True))
    for action in ("test", "delete"):
        r = auth.client.post(
            f"/account/webhooks/{created['id']}/{action}", data={"csrf_token": token}
        )
        assert r.status_code == 404
    assert db.session.get(WebhookEndpoint, created["id"]) is not None


# -- addresses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "224.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "64:ff9b::a00:1",
    ],
)
def test_non_public_addresses_are_not_public(address):
    import ipaddress

    assert not addresses.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address):
    import ipaddress

    assert addresses.is_public(ipaddress.ip_address(address))


@pytest.fixture
def production(app, monkeypatch):
    """The production rule: https only, public addresses only."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://100.64.1.1/hook",
    ],
)
def test_production_refuses_private_and_plain_http_urls_at_creation(api, production, url):
    r = api.post("/api/v1/webhooks", json={"url": url, "events": ["batch.finished"]})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_webhook"


def test_production_checks_the_address_again_when_sending(
    app, api, user, worker, receivers, monkeypatch
):
    """An endpoint whose name now resolves to 127.0.0.1 (`localhost`) is refused at send time."""
    rx = receivers()
    created = add_endpoint(api, f"https://localhost:{rx.port}/hook")
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 1)
    assert api.post(f"/api/v1/webhooks/{created['id']}/test").status_code == 202
    worker()
    assert rx.requests == []  # nothing reached the receiver
    (log,) = deliveries(api, created["id"])
    assert log["status_code"] is None
    assert log["error"].startswith("refused: localhost resolves to a non-public address")


def test_the_request_goes_to_the_address_that_was_checked(api, worker, receivers, monkeypatch):
    """The name is resolved once per attempt; the connection uses that answer, the Host header
    the name, so a second, different DNS answer (rebinding) is never used."""
    rx = receivers()
    answers = [["127.0.0.1"], ["203.0.113.9"]]
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host != "hooks.example.test":
            return real(host, port, *args, **kwargs)
        (ip,) = answers.pop(0)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolver)
    created = add_endpoint(api, f"http://hooks.example.test:{rx.port}/hook", ["batch.finished"])
    api.post(f"/api/v1/webhooks/{created['id']}/test")
    worker()
    (req,) = rx.requests
    assert req["headers"]["Host"] == f"hooks.example.test:{rx.port}"
    assert answers == [["203.0.113.9"]]  # resolved exactly once


def test_redirects_are_not_followed(api, worker, receivers, quick_retries, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 1)
    target = receivers()
    rx = receivers([302])
    created = add_endpoint(api, rx.url)
    api.post(f"/api/v1/webhooks/{created['id']}/test")
    worker()
    assert len(rx.requests) == 1 and target.requests == []
    assert deliveries(api, created["id"])[0]["status_code"] == 302


def test_the_signature_is_hmac_sha256_of_timestamp_and_body():
    sig = delivery.signature("whsec_abc", b'{"a":1}', timestamp=1700000000)
    assert sig == "t=1700000000,v1=" + (
        __import__("hmac").new(b"whsec_abc", b'1700000000.{"a":1}', "sha256").hexdigest()
    )


# -- the other events ----------------------------------------------------------------------------


def test_a_finished_question_batch_sends_question_batch_finished(api, user, worker, receivers):
    from tests.question_corpus import build_corpus
    from tests.test_questions_api import csv_bytes, post_file

    build_corpus(user)
    rx = receivers()
    created = add_endpoint(api, rx.url, ["question_batch.finished"])
    resp = post_file(api, csv_bytes([["What is the total of invoice 42?", "a"]]), name="March")
    batch_id = resp.get_json()["id"]
    worker()
    (req,) = rx.requests
    event = verify(created["secret"], req["headers"], req["body"])
    status = api.get(f"/api/v1/question-batches/{batch_id}").get_json()
    status.pop("items")
    data = dict(event["data"])
    assert data.pop("url").endswith(f"/api/v1/question-batches/{batch_id}")
    assert event["type"] == "question_batch.finished" and data == status
    assert status["status"] == "completed"


def test_cancelling_a_waiting_batch_sends_batch_finished_once(api, user, worker, receivers):
    rx = receivers()
    add_endpoint(api, rx.url)
    batch, docs = pdf_batch(user, count=2)
    assert api.post(f"/api/v1/batches/{batch.id}/cancel").status_code == 200
    enqueue(docs)
    worker()
    run_periodic()
    worker()
    (event,) = rx.events()
    assert event["data"]["status"] == "cancelled" and event["data"]["cancelled_count"] == 2


def test_a_document_failed_by_the_sweeper_sends_document_failed(
    app, api, user, worker, receivers, monkeypatch
):
    from app.models import Document, DocumentStatus

    monkeypatch.setitem(app.config, "MAX_ATTEMPTS", 1)
    rx = receivers()
    add_endpoint(api, rx.url, ["document.failed", "batch.finished"])
    _batch, (doc,) = pdf_batch(user, count=1)
    db.session.execute(
        sa.update(Document).values(status=DocumentStatus.PROCESSING, attempts=1)
    )  # its worker was killed: no job is left
    db.session.commit()
    run_periodic()
    worker()
    types = sorted(e["type"] for e in rx.events())
    assert types == ["batch.finished", "document.failed"]
    failed = next(e for e in rx.events() if e["type"] == "document.failed")
    assert failed["data"]["id"] == str(doc.id)
    assert failed["data"]["error"]["code"] == "worker_lost"


def test_a_batch_whose_every_file_fails_at_upload_sends_both_events(api, worker, receivers):
    import io

    rx = receivers()
    created = add_endpoint(api, rx.url, ["batch.finished", "document.failed"])
    r = api.post(
        "/api/v1/batches",
        data={
            "files": [(io.BytesIO(corrupt_pdf()), "broken.pdf")],
            "prompt_strategy": "global",
            "global_prompt": "Extract the total",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 202, r.get_json()
    worker()
    events = {e["type"]: e for e in rx.events()}
    assert sorted(events) == ["batch.finished", "document.failed"]
    assert events["batch.finished"]["data"]["status"] == "failed"
    assert (
        events["batch.finished"]["data"]["url"]
        == f"http://localhost/api/v1/batches/{r.get_json()['id']}"
    )
    assert events["document.failed"]["data"]["filename"] == "broken.pdf"
    for req in rx.requests:
        verify(created["secret"], req["headers"], req["body"])


def test_an_event_committed_while_redis_is_unreachable_is_sent_by_the_sweeper(
    app, api, user, worker, receivers, monkeypatch
):
    """The enqueue after the commit really fails (a Redis that refuses connections); the event
    stays in the outbox and the next sweep sends it."""
    from redis import Redis
    from rq import Queue

    from tests.support.receivers import free_port

    rx = receivers()
    created = add_endpoint(api, rx.url)
    dead = Redis(port=free_port(), socket_connect_timeout=1)
    with monkeypatch.context() as m:
        m.setattr(outbox, "get_queue", lambda name: Queue(name, connection=dead))
        batch = finished_batch(user, worker)
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.COMPLETED
    assert rx.requests == []
    assert db.session.scalar(sa.select(NotificationSend.status)) == "pending"
    assert run_periodic()["notifications_requeued"] == 1
    worker()
    (req,) = rx.requests
    assert verify(created["secret"], req["headers"], req["body"])["data"]["id"] == str(batch.id)


def test_a_worker_killed_while_delivering_is_covered_by_the_sweeper(
    app, api, user, worker, receivers
):
    """A real `rq worker` is killed (SIGKILL) in the middle of a delivery; the next sweep finds
    the send still pending with a dead job and a second worker delivers the same event."""
    import signal

    from tests.conftest import worker_env
    from tests.support.pipeline import start_worker, stop_process, wait_for

    rx = receivers(["hang", 200])
    created = add_endpoint(api, rx.url, ["batch.finished"])
    assert api.post(f"/api/v1/webhooks/{created['id']}/test").status_code == 202
    proc = start_worker(worker_env(app), queues=("default",))
    try:
        wait_for(lambda: len(rx.requests) == 1, timeout=120, what="the first delivery attempt")
    finally:
        stop_process(proc, signal.SIGKILL)
    db.session.expire_all()
    send = db.session.scalar(sa.select(NotificationSend))
    assert (send.status, send.attempts) == ("pending", 1)
    db.session.execute(
        sa.update(NotificationSend).values(next_attempt_at=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()
    assert run_periodic()["notifications_requeued"] == 1
    worker()
    first, second = (verify(created["secret"], r["headers"], r["body"]) for r in rx.requests)
    assert first["id"] == second["id"] and second["type"] == "ping"
    assert [(d["attempt"], d["status_code"]) for d in deliveries(api, created["id"])] == [(2, 200)]
