"""What the pipeline enqueue relies on in RQ's private API: a job saved by the unique-enqueue
script reads back as `queue.enqueue(..., unique=True)` writes it, and a taken id is left alone."""

from rq import Queue
from rq.job import Job

from app.services.rq_unique import UniqueEnqueuer


def saved_by_script(queue: Queue, job_id: str) -> list:
    job = queue.create_job("os.getcwd", job_id=job_id, description="pinned", result_ttl=60)
    with queue.connection.pipeline(transaction=False) as pipe:
        UniqueEnqueuer(queue).add(pipe, job)
        return pipe.execute()


def test_a_free_id_is_saved_and_queued_as_enqueue_would(redis_conn):
    queue = Queue("rq-unique-test", connection=redis_conn)
    assert saved_by_script(queue, "by-script") == [1]
    queue.enqueue(
        "os.getcwd", job_id="by-enqueue", unique=True, description="pinned", result_ttl=60
    )

    assert queue.job_ids == ["by-script", "by-enqueue"]
    ours, theirs = Job.fetch("by-script", redis_conn), Job.fetch("by-enqueue", redis_conn)
    assert ours.get_status() == theirs.get_status() == "queued"
    assert (ours.func_name, ours.origin, ours.description, ours.result_ttl) == (
        theirs.func_name,
        theirs.origin,
        theirs.description,
        theirs.result_ttl,
    )
    moment = {"enqueued_at", "created_at", "last_heartbeat"}
    assert set(redis_conn.hkeys(ours.key)) - moment == set(redis_conn.hkeys(theirs.key)) - moment


def test_a_taken_id_is_left_alone(redis_conn):
    queue = Queue("rq-unique-test", connection=redis_conn)
    assert saved_by_script(queue, "twice") == [1]
    assert saved_by_script(queue, "twice") == [0]
    assert queue.job_ids == ["twice"]
