"""Question threads on real RQ workers: order and history, parallel threads, failing rows, quota,
idempotency, the sweeper and the finalizer."""

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.models import BatchStatus, QuestionBatch, QuestionItem, QuestionStatus, Usage
from app.models.types import utcnow
from app.services import quota
from app.services.questions import NOT_FOUND_ANSWER, actions, upkeep
from app.services.questions import llm as llm_mod
from jobs.questions import answer_thread
from tests.question_corpus import build_corpus


def csv_file(rows: list[list[str]], header=("question", "chat_id")) -> bytes:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(api, data: bytes, filename="questions.csv", **form):
    return api.post(
        "/api/v1/question-batches",
        data={"file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


def items_by_row(db, batch_id) -> dict[int, QuestionItem]:
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(QuestionItem).where(QuestionItem.question_batch_id == batch_id)
    ).all()
    return {i.row_number: i for i in rows}


def pages_used(db, user) -> int:
    db.session.expire_all()
    return quota.pages_used(user)


@pytest.fixture
def corpus(db, user):
    return build_corpus(user)


def test_threads_are_answered_in_order_with_their_history(api, corpus, worker, db, user):
    data = csv_file(
        [
            ["What is the total of invoice 42?", "inv"],
            ["Which law governs the service agreement?", "contract"],
            ["and its date?", "inv"],
            ["Who signed it?", "contract"],
            ["When does the Rotterdam warehouse open?", ""],
            ["What is the penalty for late delivery?", ""],
        ]
    )
    resp = upload(api, data)
    assert resp.status_code == 202, resp.get_json()
    body = resp.get_json()
    assert body["item_count"] == 6 and body["thread_count"] == 4
    assert body["status"] == "queued"
    assert resp.headers["Location"].endswith(f"/api/v1/question-batches/{body['id']}")
    assert worker()

    status = api.get(f"/api/v1/question-batches/{body['id']}").get_json()
    assert status["status"] == "completed"
    assert status["completed_count"] == 6 and status["progress"] == 100
    items = {i["row"]: i for i in status["items"]}
    assert items[2]["answer"] == "1250.00 EUR"
    assert items[4]["answer"] == "2024-03-15"  # "and its date?" → the date of invoice 42
    assert items[4]["sources"][0]["document_id"] == str(corpus["invoice42"].id)
    assert items[4]["sources"][0]["page"] == 1
    assert "Ireland" in items[3]["answer"]
    assert "Jane Doe" in items[5]["answer"]  # "Who signed it?" → the agreement
    assert "7:00" in items[6]["answer"]
    assert items[7]["answer"] == NOT_FOUND_ANSWER and items[7]["sources"] == []
    assert items[4]["chat_id"] == "inv" and items[6]["chat_id"] is None
    # One page per question, charged once each.
    assert pages_used(db, user) == 6


def test_a_row_waits_queued_is_answering_while_asked_then_completed(
    api, corpus, worker, db, monkeypatch
):
    import jobs.questions as thread_jobs
    from app.services.questions.providers import get_answerer

    seen: dict[str, str] = {}

    class Watching:
        """The configured answerer, noting each row's stored status when it is asked."""

        def __init__(self, inner):
            self.inner = inner
            self.name = inner.name

        def answer(self, ask, history):
            seen[ask.question] = db.session.scalar(
                sa.select(QuestionItem.status).where(QuestionItem.question == ask.question)
            )
            return self.inner.answer(ask, history)

    monkeypatch.setattr(thread_jobs, "get_answerer", lambda: Watching(get_answerer()))
    body = upload(
        api, csv_file([["What is the total of invoice 42?", "w"], ["and its date?", "w"]])
    )
    batch_id = body.get_json()["id"]
    before = api.get(f"/api/v1/question-batches/{batch_id}").get_json()
    assert [i["status"] for i in before["items"]] == ["queued", "queued"]

    assert worker()

    assert seen == {
        "What is the total of invoice 42?": QuestionStatus.ANSWERING,
        "and its date?": QuestionStatus.ANSWERING,
    }
    after = api.get(f"/api/v1/question-batches/{batch_id}").get_json()
    assert [i["status"] for i in after["items"]] == ["completed", "completed"]
    assert after["status"] == "completed"


def test_each_thread_is_one_job_so_threads_run_in_parallel(api, corpus, redis_conn, db, worker):
    from rq.job import Job

    from app.extensions import get_queue

    data = csv_file(
        [
            ["What is the total of invoice 42?", "a"],
            ["and its date?", "a"],
            ["What is the total of invoice 77?", "b"],
            ["Who is the vendor?", "b"],
        ]
    )
    queue = get_queue(actions.QUEUE)
    # The documents were never read: one indexing job runs first, the two threads wait for it.
    first = upload(api, data).get_json()
    threads = [actions.thread_job_id(first["id"], key) for key in ("chat:a", "chat:b")]
    assert queue.job_ids == [actions.index_job_id(first["id"])]
    assert {Job.fetch(j, connection=redis_conn).get_status().value for j in threads} == {"deferred"}
    assert worker()
    assert api.get(f"/api/v1/question-batches/{first['id']}").get_json()["status"] == "completed"

    # Now every page is stored: the threads are queued at once, one job each, in parallel.
    second = upload(api, data).get_json()
    jobs = queue.get_jobs()
    assert len(jobs) == 2
    assert {j.id for j in jobs} == {
        actions.thread_job_id(second["id"], "chat:a"),
        actions.thread_job_id(second["id"], "chat:b"),
    }
    # Each job is handed its thread's first row, by id: the chat_id is no argument of it.
    rows = items_by_row(db, second["id"])
    assert sorted(j.args[1] for j in jobs) == sorted([str(rows[2].id), str(rows[4].id)])
    assert {j.description for j in jobs} == {actions.THREAD_JOB_DESCRIPTION}
    # Enqueueing the same threads again while they wait adds nothing.
    assert actions.enqueue_threads(second["id"], {"chat:a": 2, "chat:b": 2}) == 0
    assert queue.count == 2


def sdk(name: str):
    """The LLM SDK and its HTTP client (both come with the extraction engine's requirements)."""
    return pytest.importorskip(name), pytest.importorskip("httpx2")


class FakeOpenAI:
    """Stands in for OpenAI's servers: records each request, answers or refuses by question."""

    def __init__(self, httpx, answers: dict[str, str], refuse: set[str]):
        self.httpx = httpx
        self.answers = answers
        self.refuse = refuse
        self.requests: list[dict] = []

    def handler(self, request):
        httpx = self.httpx
        body = json.loads(request.content)
        self.requests.append(body)
        question = body["messages"][-1]["content"].split("Question: ", 1)[1].split("\n")[0]
        if question in self.refuse:
            return httpx.Response(
                400, json={"error": {"message": "content refused", "type": "invalid_request"}}
            )
        text = self.answers.get(question, NOT_FOUND_ANSWER)
        return httpx.Response(
            200,
            json={
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
            },
        )


@pytest.fixture
def fake_openai(app, monkeypatch):
    openai, httpx = sdk("openai")
    fake = FakeOpenAI(httpx, {}, set())

    def client(api_key):
        transport = httpx.MockTransport(fake.handler)
        return openai.OpenAI(
            api_key=api_key, max_retries=0, http_client=httpx.Client(transport=transport)
        )

    monkeypatch.setattr(llm_mod, "openai_client", client)
    monkeypatch.setitem(app.config, "QUESTION_PROVIDER", "openai")
    monkeypatch.setitem(app.config, "OPENAI_API_KEY", "sk-test")
    return fake


def test_a_failing_row_is_recorded_and_its_thread_goes_on(
    api, corpus, worker, db, user, fake_openai
):
    fake_openai.answers = {
        "What is the total of invoice 42?": "The total is 1250.00 EUR [1].",
        "And its due date?": "It is due on 2024-04-14 [1].",
    }
    fake_openai.refuse = {"What about the tax?"}
    data = csv_file(
        [
            ["What is the total of invoice 42?", "t"],
            ["What about the tax?", "t"],
            ["And its due date?", "t"],
        ]
    )
    body = upload(api, data).get_json()
    assert worker()
    status = api.get(f"/api/v1/question-batches/{body['id']}").get_json()
    items = {i["row"]: i for i in status["items"]}
    assert items[2]["status"] == "completed" and items[2]["answer"] == "The total is 1250.00 EUR."
    assert items[2]["sources"][0]["document_id"] == str(corpus["invoice42"].id)
    assert items[3]["status"] == "failed"
    assert items[3]["error"]["code"] == "provider_error"
    assert items[4]["status"] == "completed" and "2024-04-14" in items[4]["answer"]
    assert status["status"] == "partially_completed"
    assert status["completed_count"] == 2 and status["failed_count"] == 1
    # The third row was asked with the thread's history: the first question and its answer
    # (the failed row has no answer to show).
    last = fake_openai.requests[-1]["messages"]
    assert last[1] == {"role": "user", "content": "What is the total of invoice 42?"}
    assert last[2] == {"role": "assistant", "content": "The total is 1250.00 EUR."}
    assert "invoice-42.pdf" in last[-1]["content"]  # the follow-up searched invoice 42
    # The failed row gave its page back.
    assert pages_used(db, user) == 2

    # Retry the failed row: this time the provider answers.
    fake_openai.refuse = set()
    fake_openai.answers["What about the tax?"] = "The VAT is 250.00 EUR [1]."
    resp = api.post(f"/api/v1/question-batches/{body['id']}/retry")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "queued"
    assert worker()
    status = api.get(f"/api/v1/question-batches/{body['id']}").get_json()
    assert status["status"] == "completed"
    assert {i["row"]: i["answer"] for i in status["items"]}[3] == "The VAT is 250.00 EUR."
    assert pages_used(db, user) == 3
    assert api.post(f"/api/v1/question-batches/{body['id']}/retry").status_code == 409


def test_anthropic_answers_from_the_passages(app, api, corpus, worker, monkeypatch):
    anthropic, httpx = sdk("anthropic")
    seen = []

    def handler(request):
        body = json.loads(request.content)
        seen.append(body)
        return httpx.Response(
            200,
            json={
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": "Ireland [1]"}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1},
            },
        )

    monkeypatch.setattr(
        llm_mod,
        "anthropic_client",
        lambda key: anthropic.Anthropic(
            api_key=key,
            max_retries=0,
            http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        ),
    )
    monkeypatch.setitem(app.config, "QUESTION_PROVIDER", "anthropic")
    monkeypatch.setitem(app.config, "ANTHROPIC_API_KEY", "test-key")
    body = upload(api, csv_file([["Which law governs the service agreement?", ""]])).get_json()
    assert worker()
    item = api.get(f"/api/v1/question-batches/{body['id']}").get_json()["items"][0]
    assert item["answer"] == "Ireland"
    assert item["sources"][0]["filename"] == "service-agreement.pdf"
    assert "governed by the laws of Ireland" in seen[0]["messages"][-1]["content"]
    assert "Not found in the documents." in seen[0]["system"]


def test_a_thread_run_twice_changes_nothing_twice(api, corpus, worker, db, user):
    body = upload(
        api, csv_file([["What is the total of invoice 42?", "x"], ["and its date?", "x"]])
    )
    batch_id = body.get_json()["id"]
    assert worker()
    before = items_by_row(db, batch_id)
    answers = {r: (i.answer, i.attempts, i.completed_at) for r, i in before.items()}
    used = pages_used(db, user)
    result = answer_thread(batch_id, str(before[2].id))
    assert result["answered"] == 0
    after = items_by_row(db, batch_id)
    assert {r: (i.answer, i.attempts, i.completed_at) for r, i in after.items()} == answers
    assert pages_used(db, user) == used == 2
    batch = db.session.get(QuestionBatch, batch_id)
    assert batch.completed_count == 2 and batch.status == BatchStatus.COMPLETED


def test_a_thread_whose_worker_died_is_queued_again(api, corpus, worker, db, redis_conn):
    from rq.job import Job, JobStatus

    body = upload(api, csv_file([["What is the total of invoice 42?", "d"]])).get_json()
    job = Job.fetch(actions.thread_job_id(body["id"], "chat:d"), connection=redis_conn)
    # A worker took the job and was killed: the job still says started, its worker is gone.
    job.set_status(JobStatus.STARTED)
    redis_conn.hset(job.key, "worker_name", "lost-worker")

    assert actions.enqueue_threads(body["id"], {"chat:d": 1}) == 1
    assert actions.enqueue_threads(body["id"], {"chat:d": 1}) == 0  # the new job waits
    assert worker()
    status = api.get(f"/api/v1/question-batches/{body['id']}").get_json()
    assert status["status"] == "completed" and status["items"][0]["answer"] == "1250.00 EUR"


def test_rows_fail_with_quota_exceeded_when_pages_run_out(api, corpus, worker, db, user):
    body = upload(
        api, csv_file([["What is the total of invoice 42?", "q"], ["and its date?", "q"]])
    )
    batch_id = body.get_json()["id"]
    limit = quota.summary(user)["pages_limit"]
    usage_id = quota.usage_row(user.id, quota.period_for_user(user)).id
    db.session.execute(sa.update(Usage).where(Usage.id == usage_id).values(pages_used=limit - 1))
    db.session.commit()
    assert worker()
    items = items_by_row(db, batch_id)
    assert items[2].status == QuestionStatus.COMPLETED
    assert items[3].status == QuestionStatus.FAILED
    assert items[3].error_code == "quota_exceeded"
    assert pages_used(db, user) == limit


def test_cancel_stops_rows_not_started(api, corpus, worker, db):
    body = upload(
        api, csv_file([["What is the total of invoice 42?", "c"], ["and its date?", "c"]])
    )
    batch_id = body.get_json()["id"]
    resp = api.post(f"/api/v1/question-batches/{batch_id}/cancel")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["status"] == "cancelled" and data["cancelled_count"] == 2
    assert worker()
    items = items_by_row(db, batch_id)
    assert {i.status for i in items.values()} == {QuestionStatus.CANCELLED}
    assert all(i.answer is None for i in items.values())
    assert api.post(f"/api/v1/question-batches/{batch_id}/cancel").status_code == 409


def test_a_deleted_batch_leaves_its_jobs_nothing_to_do(api, corpus, worker, db, user):
    body = upload(api, csv_file([["What is the total of invoice 42?", ""]]))
    batch_id = body.get_json()["id"]
    assert api.delete(f"/api/v1/question-batches/{batch_id}").status_code == 204
    assert worker()
    assert db.session.scalar(sa.select(sa.func.count(QuestionItem.id))) == 0
    assert pages_used(db, user) == 0
    assert api.get(f"/api/v1/question-batches/{batch_id}").status_code == 404


def test_the_sweeper_frees_rows_of_a_lost_worker_and_requeues_their_thread(
    app, api, corpus, worker, db, redis_conn
):
    body = upload(
        api, csv_file([["What is the total of invoice 42?", "s"], ["and its date?", "s"]])
    )
    batch_id = body.get_json()["id"]
    redis_conn.flushdb()  # the jobs are lost (Redis emptied)
    long_ago = utcnow() - timedelta(seconds=app.config["JOB_TIMEOUT_SECONDS"] + 5)
    row2 = items_by_row(db, batch_id)[2]
    db.session.execute(
        sa.update(QuestionItem)
        .where(QuestionItem.id == row2.id)
        .values(status=QuestionStatus.ANSWERING, started_at=long_ago, attempts=1)
    )
    db.session.commit()
    outcome = upkeep.sweep_question_items()
    assert outcome["requeued"] == 1 and outcome["enqueued"] == 1
    assert worker()
    status = api.get(f"/api/v1/question-batches/{batch_id}").get_json()
    assert status["status"] == "completed"
    assert [i["answer"] for i in status["items"]] == ["1250.00 EUR", "2024-03-15"]


def test_the_sweeper_gives_up_after_the_last_attempt(app, api, corpus, db, redis_conn):
    body = upload(api, csv_file([["What is the total of invoice 42?", ""]]))
    batch_id = body.get_json()["id"]
    long_ago = utcnow() - timedelta(seconds=app.config["JOB_TIMEOUT_SECONDS"] + 5)
    db.session.execute(
        sa.update(QuestionItem)
        .where(QuestionItem.question_batch_id == batch_id)
        .values(
            status=QuestionStatus.ANSWERING,
            started_at=long_ago,
            attempts=app.config["MAX_ATTEMPTS"],
        )
    )
    db.session.commit()
    outcome = upkeep.sweep_question_items()
    assert outcome["failed"] == 1 and outcome["finalized"] == 1
    status = api.get(f"/api/v1/question-batches/{batch_id}").get_json()
    assert status["status"] == "failed"
    assert status["items"][0]["error"]["code"] == "worker_lost"


def test_the_finalizer_heals_counters_and_finishes_batches(api, corpus, db):
    body = upload(api, csv_file([["What is the total of invoice 42?", ""]]))
    batch_id = body.get_json()["id"]
    db.session.execute(
        sa.update(QuestionItem)
        .where(QuestionItem.question_batch_id == batch_id)
        .values(status=QuestionStatus.COMPLETED, answer="x")
    )
    db.session.commit()
    assert upkeep.finalize_question_batches() == 1
    batch = db.session.get(QuestionBatch, batch_id)
    db.session.refresh(batch)
    assert batch.status == BatchStatus.COMPLETED and batch.completed_count == 1
    assert batch.completed_at is not None
    assert upkeep.finalize_question_batches() == 0


def test_flask_commands_index_documents_and_sweep(runner, corpus, db):
    result = runner.invoke(args=["questions", "index"])
    assert result.exit_code == 0, result.output
    assert "Indexed 4 document(s)." in result.output
    assert "invoice-42.pdf: 2 page(s)" in result.output
    again = runner.invoke(args=["questions", "index"])
    assert "Indexed 0 document(s)." in again.output
    sweep = runner.invoke(args=["questions", "sweep"])
    assert sweep.exit_code == 0 and "requeued: 0" in sweep.output


class Interrupted:
    """The configured answerer; on its first question, `meanwhile()` runs first (what another
    process does while the row is being answered), then the answer fails for good if `fail`."""

    def __init__(self, meanwhile, fail: bool):
        from app.services.questions.providers import get_answerer

        self.inner = get_answerer()
        self.name = self.inner.name
        self.meanwhile, self.fail, self.calls = meanwhile, fail, 0

    def answer(self, ask, history):
        from app.services.questions.answer import AnswerError

        self.calls += 1
        if self.calls == 1:
            self.meanwhile()
            if self.fail:
                raise AnswerError("extraction_failed", "The provider could not answer.")
        return self.inner.answer(ask, history)


def test_a_late_run_whose_row_the_sweeper_took_back_gives_back_nothing(
    app, api, corpus, worker, db, user, monkeypatch
):
    """The sweeper requeues the row (its page given back) while the first run still asks; that
    run's failure then changes nothing, and the next run answers the row, charged once."""
    import jobs.questions as thread_jobs
    from app.extensions import db as _db

    def swept():
        long_ago = utcnow() - timedelta(seconds=app.config["JOB_TIMEOUT_SECONDS"] + 5)
        _db.session.execute(
            sa.update(QuestionItem)
            .where(QuestionItem.question_batch_id == batch_id)
            .values(started_at=long_ago)
        )
        _db.session.commit()
        assert upkeep.sweep_question_items()["requeued"] == 1

    answerer = Interrupted(swept, fail=True)
    monkeypatch.setattr(thread_jobs, "get_answerer", lambda: answerer)
    assert quota.reserve(user, 5) is not None  # pages used this period before the batch
    db.session.commit()
    batch_id = upload(api, csv_file([["What is the total of invoice 42?", ""]])).get_json()["id"]

    assert worker()

    status = api.get(f"/api/v1/question-batches/{batch_id}").get_json()
    assert (status["status"], status["items"][0]["answer"]) == ("completed", "1250.00 EUR")
    assert (status["completed_count"], status["failed_count"]) == (1, 0)
    assert items_by_row(db, batch_id)[2].attempts == 2
    assert pages_used(db, user) == 5 + 1, "the answered question is charged once"


def test_deleting_a_batch_while_a_row_is_answered_gives_its_page_back(
    api, corpus, worker, db, user, monkeypatch
):
    import jobs.questions as thread_jobs

    def deleted():
        assert api.delete(f"/api/v1/question-batches/{batch_id}").status_code == 204
        assert pages_used(db, user) == 0

    answerer = Interrupted(deleted, fail=False)
    monkeypatch.setattr(thread_jobs, "get_answerer", lambda: answerer)
    batch_id = upload(api, csv_file([["What is the total of invoice 42?", ""]])).get_json()["id"]

    assert worker()

    assert answerer.calls == 1
    assert db.session.scalar(sa.select(sa.func.count(QuestionItem.id))) == 0
    assert pages_used(db, user) == 0
