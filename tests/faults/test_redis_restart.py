"""Redis stops in the middle of a batch and starts again, with its data or empty.

The private redis-server runs without persistence. `SHUTDOWN SAVE` (a planned restart) writes its
data to its folder first, so it comes back with the queues and the schedule; SIGKILL (a crash, a
restarted instance without persistence) brings it back empty. While it is down, a worker finishes
the document it holds and a user creates another batch through the API. RQ's worker and
rqscheduler exit when Redis stays away; the test restarts whatever exited, as the platform's
process manager restarts a crashed process of the Procfile.
"""

import io

import pytest

from app.models import Batch, BatchStatus, Document, DocumentStatus
from tests.faults.conftest import (
    assert_consistent,
    blocking,
    register_schedule,
    settled,
)
from tests.processes import wait_for, wait_until
from tests.support.pipeline import enqueue, fresh, invoice_pdf, pdf_batch, statuses

pytestmark = pytest.mark.faults

RECOVERY_SECONDS = 20


def restart_exited(procs, env, block_dir) -> list[str]:
    """Start again every process of the test that has exited (a process manager's job)."""
    restarted = []
    for name, proc in list(procs.running.items()):
        if proc.poll() is None:
            continue
        procs.running.pop(name)
        if name.startswith("worker"):
            procs.worker(name, blocking(env, block_dir))
        else:
            procs.scheduler(name, env)
        restarted.append(name)
    return restarted


def eventually(predicate, timeout: float) -> bool:
    """True if predicate() holds within timeout seconds, False otherwise."""
    try:
        wait_for(predicate, timeout=timeout)
    except AssertionError:
        return False
    return True


def create_through_the_api(api) -> str:
    """A batch of two PDFs created with the API while Redis is down; its id."""
    resp = api.post(
        "/api/v1/batches",
        data={
            "files": [(io.BytesIO(invoice_pdf()), f"late-{n}.pdf") for n in (1, 2)],
            "prompt_strategy": "global",
            "global_prompt": "Extract the invoice number and total",
            "name": "Created while Redis was down",
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_data(as_text=True)
    assert [d["status"] for d in resp.json["documents"]] == ["uploaded", "uploaded"]
    return resp.json["id"]


@pytest.mark.parametrize("restart", ["with its data", "empty"])
def test_redis_stopped_mid_batch_and_started_again(
    restart, fault_app, env, procs, block_dir, user, api, private_redis
):
    batch, docs = pdf_batch(user, count=6, pages=1)
    enqueue(docs)
    register_schedule(env)
    procs.scheduler("scheduler", env)
    procs.worker("worker-1", blocking(env, block_dir))
    marker = wait_until(
        lambda: next(block_dir.glob("started-*"), None),
        timeout=60,
        what="a job in the middle of a document",
        procs=procs,
    )
    middle = next(d for d in docs if marker.name.endswith(d.original_filename))

    if restart == "with its data":
        private_redis.shutdown_saving()
    else:
        private_redis.stop()
    (block_dir / "release").touch()
    wait_until(
        lambda: fresh(Document, middle.id).status == DocumentStatus.COMPLETED,
        timeout=60,
        what="the document in progress to complete while Redis is down",
        procs=procs,
    )
    late_id = create_through_the_api(api)
    private_redis.start()

    batch_ids = [batch.id, fresh(Batch, late_id).id]

    def recovered() -> bool:
        restart_exited(procs, env, block_dir)
        return settled(batch_ids)

    if not eventually(recovered, RECOVERY_SECONDS):
        left = {**statuses(batch.id), **statuses(late_id)}
        stuck = sorted(n for n, s in left.items() if s != "completed")
        # Is the periodic sweeper all that is missing? An operator registers it again...
        register_schedule(env)
        wait_until(recovered, timeout=60, what="recovery", procs=procs)
        pytest.fail(
            f"Redis came back {restart} and {len(stuck)} document(s) ({', '.join(stuck)}) stayed "
            f"uploaded for {RECOVERY_SECONDS} s, until `flask schedule register` was run by hand: "
            "nothing registers the periodic finalizer and sweeper again once Redis has lost it "
            "(invariant 2)."
        )

    for batch_id in batch_ids:
        b = fresh(Batch, batch_id)
        assert (b.status, b.failed_count) == (BatchStatus.COMPLETED, 0)
    assert fresh(Document, middle.id).attempts == 1
    assert_consistent(fault_app)
