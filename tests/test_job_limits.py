"""Memory and CPU limits of forked document jobs, under a real `rq worker` (DocumentWorker)."""

import os
import signal
from types import SimpleNamespace

from rq import Worker

from app.extensions import get_queue, get_redis
from app.models import Batch, BatchStatus, Document, DocumentStatus
from app.services import queueing, sweeper
from jobs import limits
from tests.conftest import worker_env
from tests.factories import make_batch, make_document
from tests.support.hostile import flate_bomb_pdf, huge_mediabox_pdf, huge_png
from tests.support.pipeline import (
    counters,
    enqueue,
    fresh,
    invoice_pdf,
    pages_used,
    start_worker,
    wait_for,
)

B, D = BatchStatus, DocumentStatus

#: The test worker's limits: well above what a normal document needs (the worker itself holds
#: about 0.45 GB), well below what the hostile files ask for.
MEMORY_MB = 1024


def one_worker(app, procs, tmp_path, **env):
    """A real forking worker on the documents queue, ready; returns its process and RQ name."""
    proc = start_worker(
        worker_env(app) | {key: str(value) for key, value in env.items()},
        queues=("documents",),
        log_path=tmp_path / "worker.log",
    )
    procs.append(proc)
    connection = get_redis()
    workers = wait_for(lambda: Worker.all(connection=connection), what="the worker ready")
    return proc, workers[0].name


def finished(doc_id) -> bool:
    return fresh(Document, doc_id).status in (D.COMPLETED, D.FAILED)


def test_hostile_files_end_without_killing_the_worker_which_goes_on(app, user, procs, tmp_path):
    proc, name = one_worker(app, procs, tmp_path, JOB_MEMORY_MB=MEMORY_MB, JOB_CPU_SECONDS=120)
    batch = make_batch(user)
    hostile = [
        make_document(user, batch, huge_mediabox_pdf(), "mediabox.pdf"),
        make_document(user, batch, huge_png(), "huge.png", mime_type="image/png"),
        make_document(user, batch, flate_bomb_pdf(2 * MEMORY_MB), "bomb.pdf"),
    ]
    normal = make_document(user, batch, invoice_pdf(), "invoice.pdf")
    enqueue([*hostile, normal])  # in this order, on one worker

    wait_for(lambda: finished(normal.id), timeout=300, what="the normal document")
    assert proc.poll() is None, "the worker survived"
    assert [w.name for w in Worker.all(connection=get_redis())] == [name]

    docs = {d.original_filename: fresh(Document, d.id) for d in hostile}
    bomb = docs.pop("bomb.pdf")
    # Inflating the stream needs twice the limit, whatever renders or decodes: too_complex.
    assert (bomb.status, bomb.error_code) == (D.FAILED, "too_complex")
    assert "1024 MB of memory" in bomb.error_message
    for doc in docs.values():
        # Rendered or decoded whole, these hit the limit; read at a capped size they may end
        # another way, but never by taking the worker down.
        assert doc.status == D.COMPLETED or doc.error_code in ("too_complex", "no_text")
    for doc in (bomb, *docs.values()):
        assert doc.attempts == 1, "not retried"
        assert (doc.reserved_pages, doc.usage_id) == (0, None)
    assert fresh(Document, normal.id).status == D.COMPLETED
    completed = sum(d.status == D.COMPLETED for d in docs.values())
    assert pages_used(user) == 1 + completed, "pages of the failed documents were released"

    b = wait_for(lambda: (row := fresh(Batch, batch.id)).completed_at and row, what="finalized")
    assert b.status == B.PARTIALLY_COMPLETED
    assert counters(batch.id) == (1 + completed, 3 - completed, 0)
    queue = get_queue(queueing.DOCUMENT_QUEUE)
    assert queue.scheduled_job_registry.get_job_ids() == [], "no retry was scheduled"
    assert len(queue) == 0
    report = sweeper.sweep()
    assert (report.requeued, report.reset, report.failed) == ([], [], []), "nor by the sweeper"


def scanned_png() -> bytes:
    """A page of text as a 300 dpi image: read by OCR, several seconds of CPU."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for i in range(60):
        draw.text((100, 100 + i * 55), f"Invoice line {i} paper A4 amount {i * 3}.00", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_job_over_its_cpu_time_fails_too_complex_and_the_next_one_runs(
    app, user, procs, tmp_path
):
    proc, _name = one_worker(app, procs, tmp_path, JOB_CPU_SECONDS=1)
    batch = make_batch(user)
    scan = make_document(user, batch, scanned_png(), "scan.png", mime_type="image/png")
    normal = make_document(user, batch, invoice_pdf(), "invoice.pdf")
    enqueue([scan, normal])

    wait_for(lambda: finished(normal.id), timeout=300, what="the normal document")
    assert proc.poll() is None
    doc = fresh(Document, scan.id)
    assert (doc.status, doc.error_code, doc.attempts) == (D.FAILED, "too_complex", 1)
    assert "1 seconds of processing time" in doc.error_message
    assert fresh(Document, normal.id).status == D.COMPLETED
    assert pages_used(user) == 1


def test_a_horse_killed_by_a_limit_is_told_from_one_stopped_on_purpose():
    caps = limits.Limits(memory_mb=1024, cpu_seconds=60)

    def usage(cpu=0.0, peak_mb=100):
        return SimpleNamespace(ru_utime=cpu, ru_stime=0.0, ru_maxrss=peak_mb * 1024)

    def killed(sig):
        return sig  # os.wait4's status of a process killed by `sig`

    assert limits.death_cause(killed(signal.SIGXCPU), usage(), caps) == "cpu"
    assert limits.death_cause(killed(signal.SIGKILL), usage(cpu=61), caps) == "cpu"
    assert limits.death_cause(killed(signal.SIGKILL), usage(peak_mb=1000), caps) == "memory"
    assert limits.death_cause(killed(signal.SIGABRT), usage(), caps) == "memory"
    assert limits.death_cause(killed(signal.SIGSEGV), usage(), caps) == "memory"
    # A horse the worker or an operator stopped, or one that exited, is not a limit.
    assert limits.death_cause(killed(signal.SIGKILL), usage(cpu=5), caps) is None
    assert limits.death_cause(killed(signal.SIGTERM), usage(), caps) is None
    assert limits.death_cause(1 << 8, usage(), caps) is None
    assert limits.death_cause(killed(signal.SIGABRT), usage(), limits.Limits(0, 0)) is None
    assert os.WIFSIGNALED(killed(signal.SIGABRT))


def test_a_failure_is_put_down_to_a_limit_only_when_one_caused_it():
    from engine import ExtractionError

    def wrapped(inner: BaseException) -> ExtractionError:
        try:
            try:
                raise inner
            except BaseException as exc:
                raise ExtractionError("extraction_failed", f"Reading failed: {exc}") from exc
        except ExtractionError as outer:
            return outer

    assert limits.cause_of(wrapped(MemoryError())) == "memory"
    onnx = RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : ... std::bad_alloc")
    assert limits.cause_of(wrapped(onnx)) == "memory"
    assert limits.cause_of(limits.CpuLimitExceeded("cpu")) == "cpu"
    assert limits.cause_of(wrapped(ValueError("bad xref"))) is None
    assert limits.cause_of(None) is None
