"""Building batches of real PDFs and reading back what the pipeline did."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Batch,
    BatchStatus,
    Document,
    ExtractionJob,
    ExtractionResult,
    PromptStrategy,
    Usage,
)
from app.services import queueing
from tests.factories import make_batch, make_document
from tests.pdfgen import make_pdf

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

INVOICE_LINES = (
    "ACME Supplies Ltd",
    "INVOICE",
    "Invoice number: INV-2024-0042",
    "Invoice date: 2024-03-15",
    "Bill to: Example Corp",
    "Description Qty Unit price Amount",
    "Paper A4 2 5.00 10.00",
    "Subtotal: 10.00",
    "Total: EUR 12.00",
    "Page {page}",
)
RESUME_LINES = (
    "Jane Doe",
    "Curriculum Vitae",
    "Email: jane@example.com",
    "Work experience",
    "2019-2024 Senior engineer, Example Corp",
    "Education",
    "MSc Computer Science, 2018",
    "Skills: Python, SQL",
)


def invoice_pdf(pages: int = 1) -> bytes:
    """A text PDF that reads like an invoice."""
    return make_pdf(pages, lines=INVOICE_LINES)


def corrupt_pdf() -> bytes:
    """The first bytes of a PDF, cut off: no page tree, no trailer."""
    return make_pdf(2)[:150]


def pdf_batch(
    user,
    count: int = 2,
    pages: int = 1,
    strategy: PromptStrategy = PromptStrategy.GLOBAL,
    prompt: str | None = "Extract the invoice number, date and total",
    contents: list[bytes] | None = None,
    doc_prompts: list[str | None] | None = None,
    status: BatchStatus = BatchStatus.QUEUED,
) -> tuple[Batch, list[Document]]:
    """A committed batch of real PDFs, nothing enqueued."""
    batch = make_batch(user, strategy=strategy, prompt=prompt, status=status)
    contents = contents or [invoice_pdf(pages) for _ in range(count)]
    docs = []
    for i, content in enumerate(contents):
        docs.append(
            make_document(
                user,
                batch,
                content=content,
                filename=f"file{i + 1}.pdf",
                page_count=pages,
                prompt=doc_prompts[i] if doc_prompts else None,
            )
        )
    return batch, docs


def enqueue(docs) -> int:
    """Enqueue the documents' jobs the way the create view does after its commit."""
    return queueing.enqueue_documents([d.id for d in docs])


def fresh(model, obj_id):
    """A row read again from the database."""
    db.session.expire_all()
    return db.session.get(model, obj_id)


def statuses(batch_id) -> dict[str, str]:
    """Document status by filename."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Document.original_filename, Document.status).where(Document.batch_id == batch_id)
    )
    return {name: str(status) for name, status in rows}


def pages_used(user) -> int:
    """The user's pages_used summed over usage rows (one per period)."""
    db.session.expire_all()
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Usage.pages_used), 0)).where(
                Usage.user_id == user.id
            )
        )
    )


def attempts_of(doc_id) -> list[tuple[int, str]]:
    """(attempt, status) of every ExtractionJob row of a document."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(ExtractionJob.attempt, ExtractionJob.status)
        .where(ExtractionJob.document_id == doc_id)
        .order_by(ExtractionJob.attempt, ExtractionJob.started_at)
    )
    return [(a, str(s)) for a, s in rows]


def result_of(doc_id) -> dict | None:
    """The stored extraction result of a document."""
    db.session.expire_all()
    row = db.session.scalar(
        sa.select(ExtractionResult).where(ExtractionResult.document_id == doc_id)
    )
    return row.data if row else None


def counters(batch_id) -> tuple[int, int, int]:
    """(completed, failed, cancelled) counters of a batch."""
    b = fresh(Batch, batch_id)
    return b.completed_count, b.failed_count, b.cancelled_count


def wait_for(predicate, timeout: float = 60, what: str = "condition"):
    """Poll until predicate() is truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def backend_pid() -> int:
    """The server process behind this process's pooled connection."""
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.commit()
    return pid


def server_has(pid: int) -> bool:
    """True while the server still has a connection served by backend `pid`."""
    from tests.conftest import PG_URL

    with sa.create_engine(PG_URL, poolclass=sa.pool.NullPool).connect() as other:
        found = other.scalar(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
        return found == 1


def drop_connection(pid: int) -> None:
    """Have the server end the connection of backend `pid`, as a restart would."""
    from tests.conftest import PG_URL

    with sa.create_engine(PG_URL, poolclass=sa.pool.NullPool).connect() as other:
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    wait_for(lambda: not server_has(pid), what="the connection to be dropped")


def start_worker(env: dict, queues=("documents", "default"), burst=False, log_path=None):
    """A real `rq worker` process with the Procfile's worker class, in its own process group."""
    cmd = [
        str(VENV_BIN / "rq"),
        "worker",
        "--url",
        env["TEST_REDIS_URL"],
        "--worker-class",
        "jobs.worker.DocumentWorker",
        *queues,
    ]
    if burst:
        cmd.append("--burst")
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_process(proc, sig=signal.SIGTERM, timeout: float = 30) -> None:
    """Stop a process group started by start_worker and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
