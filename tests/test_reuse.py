"""Reuse of results: the same file with the same prompt is not extracted or charged twice."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import Worker

from app.extensions import db, get_redis
from app.models import Batch, Document, DocumentStatus, ExtractionJob, ExtractionResult
from app.models.types import utcnow
from tests.conftest import csrf_from, worker_env
from tests.factories import make_token, make_user
from tests.support.pipeline import (
    enqueue,
    fresh,
    invoice_pdf,
    pages_used,
    pdf_batch,
    start_worker,
    statuses,
    wait_for,
)

PROMPT = "Extract the invoice number, date and total"
D = DocumentStatus


@pytest.fixture
def reuse_on(app):
    """Reuse as deployed (30 days); the test configuration keeps it off for other tests."""
    old = app.config["REUSE_DAYS"]
    app.config["REUSE_DAYS"] = 30
    yield
    app.config["REUSE_DAYS"] = old


def create(client, token, files, **fields):
    """POST /api/v1/batches with (content, filename) files; the response."""
    data = {"files": [(io.BytesIO(c), n) for c, n in files], "global_prompt": PROMPT, **fields}
    return client.post(
        "/api/v1/batches",
        data=data,
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )


def run_batch(client, token, worker, files, **fields) -> dict:
    """Create a batch through the API, drain the queue, and return its final status JSON."""
    resp = create(client, token, files, **fields)
    assert resp.status_code == 202, resp.get_json()
    worker()
    status = client.get(
        f"/api/v1/batches/{resp.get_json()['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    return status.get_json()


def document(client, token, doc_id) -> dict:
    return client.get(
        f"/api/v1/documents/{doc_id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()


def test_the_same_file_and_prompt_again_is_reused_and_not_charged(
    client, auth, user, token, worker, reuse_on
):
    pdf = invoice_pdf(3)
    first = run_batch(client, token, worker, [(pdf, "march.pdf")])
    assert first["status"] == "completed"
    used = pages_used(user)
    assert used == 3

    second = run_batch(client, token, worker, [(pdf, "march-again.pdf")])
    assert second["status"] == "completed"
    assert second["reused_count"] == 1
    assert pages_used(user) == used, "a reused result costs no pages"

    source_id = first["documents"][0]["id"]
    copy = document(client, token, second["documents"][0]["id"])
    source = document(client, token, source_id)
    assert copy["result"]["meta"]["reused_from"] == source_id
    assert copy["result"]["data"] == source["result"]["data"]
    assert "reused_from" not in source["result"]["meta"]
    # No extraction ran for the copy, and nothing stays reserved.
    row = fresh(Document, copy["id"])
    assert (row.reserved_pages, row.usage_id, str(row.reused_from_id)) == (0, None, source_id)
    attempts = db.session.scalars(
        sa.select(ExtractionJob.status).where(ExtractionJob.document_id == row.id)
    ).all()
    assert [str(s) for s in attempts] == ["succeeded"]

    auth.login(user.email)
    page = client.get(f"/documents/{copy['id']}").data.decode()
    assert "Reused from" in page and f"/documents/{source_id}" in page
    assert "results reused (3 pages not charged)" in client.get("/analytics").data.decode()


def test_a_different_prompt_or_reuse_false_extracts_and_charges_again(
    client, user, token, worker, reuse_on
):
    pdf = invoice_pdf(2)
    run_batch(client, token, worker, [(pdf, "a.pdf")])
    assert pages_used(user) == 2

    other = run_batch(
        client, token, worker, [(pdf, "a.pdf")], global_prompt="Extract the total only"
    )
    assert pages_used(user) == 4
    assert (
        "reused_from" not in document(client, token, other["documents"][0]["id"])["result"]["meta"]
    )

    again = run_batch(client, token, worker, [(pdf, "a.pdf")], reuse="false")
    assert pages_used(user) == 6
    assert again["reused_count"] == 0
    assert fresh(Document, again["documents"][0]["id"]).reuse is False
    assert (
        "reused_from" not in document(client, token, again["documents"][0]["id"])["result"]["meta"]
    )


def test_another_user_never_reuses_a_result(client, user, token, worker, reuse_on):
    pdf = invoice_pdf(2)
    run_batch(client, token, worker, [(pdf, "mine.pdf")])
    other = make_user(plan="growth")
    other_token = make_token(other)
    theirs = run_batch(client, other_token, worker, [(pdf, "theirs.pdf")])
    assert theirs["reused_count"] == 0
    assert pages_used(other) == 2
    result = document(client, other_token, theirs["documents"][0]["id"])["result"]
    assert "reused_from" not in result["meta"]


def test_deleting_the_source_leaves_the_copy(client, auth, user, token, worker, reuse_on):
    pdf = invoice_pdf(1)
    first = run_batch(client, token, worker, [(pdf, "a.pdf")])
    second = run_batch(client, token, worker, [(pdf, "b.pdf")])
    copy_id = second["documents"][0]["id"]
    before = document(client, token, copy_id)["result"]

    resp = client.delete(
        f"/api/v1/batches/{first['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 204
    after = document(client, token, copy_id)
    assert after["status"] == "completed"
    assert after["result"] == before
    auth.login(user.email)
    page = client.get(f"/documents/{copy_id}")
    assert page.status_code == 200
    assert "Reused from" in page.data.decode(), "the link stays; it answers 404 now"


def test_a_corrected_result_is_reused_with_its_corrections(client, user, token, worker, reuse_on):
    pdf = invoice_pdf(1)
    first = run_batch(client, token, worker, [(pdf, "a.pdf")])
    source = db.session.scalar(
        sa.select(ExtractionResult).where(
            ExtractionResult.document_id == first["documents"][0]["id"]
        )
    )
    data = dict(source.data)
    data["data"] = {**data.get("data", {}), "total": 1234.5}
    source.data = data
    db.session.commit()

    second = run_batch(client, token, worker, [(pdf, "b.pdf")])
    copy = document(client, token, second["documents"][0]["id"])
    assert copy["result"]["data"]["total"] == 1234.5


def test_a_result_older_than_the_reuse_window_is_not_reused(
    client, user, token, worker, reuse_on, app
):
    pdf = invoice_pdf(1)
    first = run_batch(client, token, worker, [(pdf, "a.pdf")])
    db.session.execute(
        sa.update(Document)
        .where(Document.id == first["documents"][0]["id"])
        .values(completed_at=utcnow() - timedelta(days=app.config["REUSE_DAYS"] + 1))
    )
    db.session.commit()
    second = run_batch(client, token, worker, [(pdf, "b.pdf")])
    assert second["reused_count"] == 0
    assert pages_used(user) == 2


def test_a_bad_reuse_value_is_refused_and_leaves_nothing(client, user, token, reuse_on):
    resp = create(client, token, [(invoice_pdf(1), "a.pdf")], reuse="maybe")
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert (error["code"], error["details"]["field"]) == ("bad_request", "reuse")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Batch)) == 0


def test_the_single_upload_form_can_extract_again(client, auth, user, worker, reuse_on):
    pdf = invoice_pdf(1)
    auth.login(user.email)
    page = client.get("/documents/new").data.decode()
    assert 'name="reuse" value="false"' in page
    for reuse in (None, "false"):
        fields = {
            "csrf_token": csrf_from(page),
            "global_prompt": PROMPT,
            "prompt_strategy": "global",
        }
        if reuse:
            fields["reuse"] = reuse
        fields["files"] = (io.BytesIO(pdf), "single.pdf")
        resp = client.post("/documents/new", data=fields, content_type="multipart/form-data")
        assert resp.status_code == 302
        worker()
    docs = db.session.scalars(sa.select(Document).order_by(Document.created_at)).all()
    assert [d.reuse for d in docs] == [True, False]
    assert all(d.reused_from_id is None for d in docs), "the first is new, the second opted out"
    assert pages_used(user) == 2


def test_identical_files_in_one_batch_on_two_workers_are_charged_once(
    app, db, procs, tmp_path, reuse_on
):
    """Two workers take the two twins at the same time: one extracts, the other copies."""
    env = worker_env(app) | {"REUSE_DAYS": "30"}
    for i in range(2):
        procs.append(start_worker(env, queues=("documents",), log_path=tmp_path / f"w{i}.log"))
    connection = get_redis()
    wait_for(lambda: len(Worker.all(connection=connection)) == 2, what="two workers ready")

    for _round in range(4):
        user = make_user(plan="growth")
        pdf = invoice_pdf(20)  # long enough that both workers are busy with it at once
        batch, docs = pdf_batch(user, pages=20, contents=[pdf, pdf])
        enqueue(docs)
        wait_for(
            lambda b=batch.id: set(statuses(b).values()) == {"completed"},
            what="both twins completed",
        )
        rows = [fresh(Document, d.id) for d in docs]
        reused = [d for d in rows if d.reused_from_id is not None]
        assert len(reused) == 1, "exactly one twin copies the other's result"
        assert reused[0].reused_from_id in {d.id for d in rows} - {reused[0].id}
        assert pages_used(user) == 20, "the file is charged once"
        assert fresh(Batch, batch.id).reused_count == 1
