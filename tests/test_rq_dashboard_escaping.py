"""Operators never see user text unescaped: the app's jobs carry ids and fixed descriptions only,
and rq-dashboard's pages and JSON escape whatever a job holds (exceptions, results, descriptions)."""

import io
import json
import os
import pathlib
import re
import shutil
import subprocess
from urllib.parse import quote

import pytest
import rq_dashboard
from rq import Queue

from app.extensions import get_queue
from app.services import queueing
from app.services.questions import actions
from tests.factories import make_token, make_user
from tests.pdfgen import make_pdf
from tests.question_corpus import build_corpus

HOSTILE = "<img src=x onerror=alert(1)>"
ADMIN_EMAIL = "ops@example.com"
ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def admin(db):
    return make_user(ADMIN_EMAIL, plan="growth", admin=True)


def questions_csv(rows) -> bytes:
    lines = ["question,chat_id"] + [f'"{q}","{c}"' for q, c in rows]
    return ("\n".join(lines) + "\n").encode()


def post_questions(client, user, data: bytes, name=HOSTILE):
    return client.post(
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(data), f"{HOSTILE}.csv"), "name": name},
        headers={"Authorization": f"Bearer {make_token(user)}"},
        content_type="multipart/form-data",
    )


def job_text(job) -> str:
    """Everything of a job that rq-dashboard shows: id, description, call string, arguments."""
    return " ".join(
        [
            job.id,
            job.description or "",
            job.get_call_string() or "",
            repr(job.args),
            repr(job.kwargs),
        ]
    )


def dashboard_texts(client, job_ids) -> list[str]:
    """The rq-dashboard pages and JSON an admin opens for these jobs, as served."""
    texts = []
    for path in (
        "/admin/rq/0/data/queues.json",
        "/admin/rq/0/data/workers.json",
        "/admin/rq/0/data/jobs/default/queued/100/asc/1.json",
        "/admin/rq/0/data/jobs/default/deferred/100/asc/1.json",
        "/admin/rq/0/data/jobs/default/failed/100/asc/1.json",
        "/admin/rq/0/data/jobs/documents/queued/100/asc/1.json",
        "/admin/rq/0/data/jobs/documents/failed/100/asc/1.json",
        "/admin/rq/0/view/jobs/default/failed/8/asc/1",
    ):
        resp = client.get(path)
        assert resp.status_code == 200, path
        texts.append(resp.get_data(as_text=True))
    for job_id in job_ids:
        for path in (f"/admin/rq/0/view/job/{job_id}", f"/admin/rq/0/data/job/{job_id}.json"):
            resp = client.get(path)
            assert resp.status_code == 200, path
            texts.append(resp.get_data(as_text=True))
    return texts


def test_a_question_batch_with_markup_in_its_chat_id_puts_none_in_its_jobs(
    client, auth, admin, user, db, redis_conn
):
    build_corpus(user)
    data = questions_csv(
        [("What is the total of invoice 42?", HOSTILE), ("and its date?", HOSTILE), ("Who?", "")]
    )
    resp = post_questions(client, user, data)
    assert resp.status_code == 202, resp.get_json()
    batch_id = resp.get_json()["id"]
    queue = get_queue(actions.QUEUE)
    jobs = [queue.fetch_job(job_id) for job_id in queue.get_job_ids()]
    jobs += [queue.fetch_job(job_id) for job_id in queue.deferred_job_registry.get_job_ids()]
    threads = [job for job in jobs if job.func_name == actions.THREAD_JOB]
    assert len(threads) == 2  # the chat and the row without one
    for job in jobs:
        assert "<" not in job_text(job) and "onerror" not in job_text(job)
        assert job.description in (actions.THREAD_JOB_DESCRIPTION, actions.INDEX_JOB_DESCRIPTION)
    for job in threads:
        assert job.args[0] == batch_id and len(job.args) == 2

    auth.login(ADMIN_EMAIL)
    for text in dashboard_texts(client, [job.id for job in jobs]):
        assert HOSTILE not in text and "<img" not in text
    # A thread waiting for the indexing job shows it (rq-dashboard's own view answered 500).
    detail = client.get(f"/admin/rq/0/data/job/{threads[0].id}.json").get_json()
    assert detail["depends_on"] == [actions.index_job_id(batch_id)]
    assert detail["description"] == actions.THREAD_JOB_DESCRIPTION


def test_a_document_job_holds_the_document_id_only(client, user, db):
    resp = client.post(
        "/api/v1/documents",
        data={
            "files": [(io.BytesIO(make_pdf(1)), f"{HOSTILE}.pdf")],
            "global_prompt": f"Extract {HOSTILE}",
        },
        headers={"Authorization": f"Bearer {make_token(user)}"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_json()
    (job,) = get_queue(queueing.DOCUMENT_QUEUE).get_jobs()
    assert job.description == queueing.DOCUMENT_JOB_DESCRIPTION
    assert len(job.args) == 1 and job.kwargs == {}
    assert "<" not in job_text(job)


def test_a_failed_job_with_markup_is_shown_escaped(client, auth, admin, redis_conn, worker):
    # A job of rq's own making: its description and exception both hold the markup.
    queue = Queue("default", connection=redis_conn)
    job = queue.enqueue("builtins.int", HOSTILE, job_id="hostile-job")
    assert worker(["default"])
    job.refresh()
    assert job.is_failed and HOSTILE in job.latest_result().exc_string
    auth.login(ADMIN_EMAIL)
    detail = client.get("/admin/rq/0/data/job/hostile-job.json")
    assert detail.status_code == 200
    raw = detail.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw
    # The same text reaches the page's script, to be escaped by its template.
    assert HOSTILE in detail.get_json()["exc_info"] and HOSTILE in detail.get_json()["description"]
    for text in dashboard_texts(client, ["hostile-job"]):
        assert HOSTILE not in text and "<img" not in text


def test_every_dashboard_template_escapes_what_it_prints():
    compiled = (ROOT / "app/static/js/rq_templates.js").read_text()
    names = re.findall(r'^    "([\w-]+)": function', compiled, re.M)
    assert {"job-info", "job-row", "queue-row", "worker-row"} <= set(names)
    # underscore compiles <%= %> to `==null?'':__t)` and <%- %> to `==null?'':_.escape(__t))`
    assert compiled.count("_.escape(__t)") > 20
    assert "?'':__t)" not in compiled
    for page in ("job.html", "jobs.html", "queues.html", "workers.html"):
        assert "<%=" not in (ROOT / "templates/rq_dashboard" / page).read_text()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_precompiled_templates_match_the_pages(tmp_path):
    out = tmp_path / "rq_templates.js"
    package = os.path.dirname(rq_dashboard.__file__)
    subprocess.run(
        ["node", str(ROOT / "scripts/build_rq_templates.js"), package, str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert out.read_text() == (ROOT / "app/static/js/rq_templates.js").read_text()


def test_dashboard_pages_use_the_escaping_templates(client, auth, admin, redis_conn):
    Queue("default", connection=redis_conn).enqueue("math.sqrt", 4, job_id="plain-job")
    auth.login(ADMIN_EMAIL)
    for path, name in (
        ("/admin/rq/0/view/job/plain-job", "job-info"),
        ("/admin/rq/0/view/jobs/default/queued/8/asc/1", "job-row"),
        ("/admin/rq/", "queue-row"),
        ("/admin/rq/0/view/workers", "worker-row"),
    ):
        html = client.get(path).get_data(as_text=True)
        assert f"rqTemplate('{name}')" in html and "_.template(" not in html
    assert client.get("/static/js/rq_templates.js").status_code == 200
    json.loads(client.get("/admin/rq/0/data/job/plain-job.json").get_data(as_text=True))


def test_a_job_that_is_gone_answers_404(client, auth, admin):
    auth.login(ADMIN_EMAIL)
    for path in ("/admin/rq/0/view/job/gone-job", "/admin/rq/0/data/job/gone-job.json"):
        assert client.get(path).status_code == 404


def test_a_queue_name_in_the_address_stays_a_string_in_the_page_script(client, auth, admin):
    auth.login(ADMIN_EMAIL)
    name = "x');window.__injected=1;('"
    resp = client.get(f"/admin/rq/0/view/jobs/{quote(name, safe='')}/queued/8/asc/1")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert name not in html  # escaped wherever it is printed: &#39; in markup, \u0027 in scripts
    assert "x\\u0027);window.__injected=1;(\\u0027" in html
