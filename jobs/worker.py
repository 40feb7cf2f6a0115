"""The RQ worker class of the Procfile: everything heavy is loaded once per worker process.

`rq worker --worker-class jobs.worker.DocumentWorker documents default` builds the app, imports
the job modules and the extraction provider's modules, and calls the provider's `warm_up()` (OCR
models) before the first job. RQ's forking worker then forks a work horse per job, which inherits
all of it: a job pays for neither imports nor model loading.

Database connections are never shared across processes: the engine is disposed before the first
fork and again (without closing the parent's connections) in every forked child. The one exception
is handed over, not shared: before forking a document job, the worker opens the connection that
the job's first checkout takes and lets go of it at the fork (jobs/connection.py).

Every work horse runs under the memory and CPU limits of `jobs.limits` (JOB_MEMORY_MB,
JOB_CPU_SECONDS), set right after the fork; when one ends a horse, the worker fails its document
with `too_complex` and goes on with the next job.

The worker also runs RQ's scheduler (as `--with-scheduler` would), which moves retries whose
backoff has passed back to their queue; the periodic sweeper does the same if no worker does.
"""

import gc
import logging
import os
import tempfile
import time
import uuid

from rq.worker import SimpleWorker, Worker

from app.logging import QUIET_JOB_IDS
from jobs import limits
from jobs.schedule import PERIODIC_DESCRIPTION, PERIODIC_JOB_ID

log = logging.getLogger(__name__)
# The finalize/sweep job runs every few seconds: its routine lines are debug-level.
QUIET_JOB_IDS.update((PERIODIC_JOB_ID, PERIODIC_DESCRIPTION))

_preloaded = False


def _dispose_engines_in_child() -> None:
    """In a forked child, drop the pooled connections inherited from the parent."""
    from jobs import _app

    if _app is None:
        return
    from app.extensions import db

    with _app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def _close_engines() -> None:
    """Close this process's pooled connections (a work horse whose job has ended)."""
    from jobs import _app

    if _app is None:
        return
    from app.extensions import db

    with _app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def plain_pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 0 obj is the catalog), with its xref table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def sample_pdf() -> bytes:
    """A one-page text PDF, built here, that the local provider reads during warm-up."""
    text = b"BT /F1 12 Tf 72 720 Td (INVOICE  Invoice number: INV-1  Date: 2024-01-31) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return plain_pdf(objects)


def warm_up_provider(name: str) -> None:
    """Load the provider's models, and let the offline one read a sample page.

    Reading one page builds what the local provider only builds on first use (its label
    patterns, the PDF renderer), so that a forked job never pays for it. Providers that call a
    remote service are not sent the sample.
    """
    from engine import DEFAULT_PROMPTS, SourceDocument
    from jobs import documents

    provider = documents.provider_for(name)
    warm_up = getattr(provider, "warm_up", None)
    if warm_up is not None:
        warm_up()
    if name != "local":
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(sample_pdf())
        fh.flush()
        sample = SourceDocument(fh.name, "application/pdf", "warm-up.pdf", 1)
        document_type, _confidence = provider.classify(sample)
        provider.extract(sample, DEFAULT_PROMPTS["invoice"], document_type=document_type)


def warm_statements() -> None:
    """Run a made-up document through the pipeline's database steps, then roll everything back.

    SQLAlchemy compiles a statement the first time a process runs it and keeps the result in the
    engine. A forked job starts from what its worker had compiled before the fork and loses what it
    compiles itself, so without this every job would compile all of its statements again (about a
    third of a job's own time, measured with bench/pipeline.py). Here the worker runs them once:
    a user, batch and document made up for it, claimed, charged, completed and finalized by the
    real steps (opening the file and extracting replaced by a fixed result), all inside one outer
    transaction on one connection that is rolled back at the end. The session commits only
    savepoints meanwhile, so nothing is ever visible to other connections.
    """
    import uuid

    from app.extensions import db
    from app.models import (
        Batch,
        BatchStatus,
        Document,
        DocumentStatus,
        PromptStrategy,
        Subscription,
        User,
    )
    from jobs.documents import DocumentPipeline, provider_for

    engines = db.engines
    engine = engines[None]
    if engine.dialect.name != "postgresql":
        return  # SQLite (development): savepoints need driver workarounds; nothing to gain
    conn = engine.connect()
    outer = conn.begin()
    db.session.remove()
    engines[None] = conn  # every session and `db.engine` use of this thread: this connection
    factory_kw = db.session.session_factory.kw
    saved_mode = factory_kw.get("join_transaction_mode")
    factory_kw["join_transaction_mode"] = "create_savepoint"
    logging.disable(logging.WARNING)  # the made-up document's events are not real events
    try:
        user = User(email=f"warm-up-{uuid.uuid4().hex}@invalid", password_hash="-")
        user.subscription = Subscription(plan="growth", status="active")
        batch = Batch(
            user=user,
            name="warm-up",
            status=BatchStatus.QUEUED,
            prompt_strategy=PromptStrategy.GLOBAL,
            extraction_prompt="warm-up",
            document_count=1,
            total_pages=1,
        )
        doc = Document(
            user=user,
            batch=batch,
            original_filename="warm-up.pdf",
            storage_key=f"warm-up-{uuid.uuid4().hex}.pdf",
            mime_type="application/pdf",
            size_bytes=1,
            sha256="0" * 64,
            page_count=1,
            status=DocumentStatus.UPLOADED,
        )
        db.session.add_all([user, batch, doc])
        db.session.commit()
        pipeline = DocumentPipeline(doc.id)
        pipeline.provider = provider_for(pipeline.provider_name)
        meta = {
            "provider": pipeline.provider_name,
            "model": getattr(pipeline.provider, "model", None),
        }

        def fixed_result():
            pipeline.result = {"document_type": "invoice", "fields": {}, "meta": meta}

        pipeline.steps = (
            pipeline.claim,
            pipeline.resolve_prompt,  # the batch's global prompt: no provider call
            fixed_result,
            pipeline.store,
        )
        outcome = pipeline.run()
        if outcome != "completed":
            log.warning("statement warm-up ended %s", outcome)
    finally:
        logging.disable(logging.NOTSET)
        db.session.remove()
        if saved_mode is None:
            factory_kw.pop("join_transaction_mode", None)
        else:
            factory_kw["join_transaction_mode"] = saved_mode
        engines[None] = engine
        outer.rollback()
        conn.close()


def preload() -> None:
    """Build the app, import the job modules and warm the extraction provider up, once."""
    global _preloaded
    if _preloaded:
        return
    _preloaded = True
    from jobs import worker_app

    app = worker_app()
    with app.app_context():
        import jobs.batches  # noqa: F401 - imported here so that forks inherit it
        import jobs.documents  # noqa: F401
        from app.extensions import db

        name = app.config["EXTRACTION_PROVIDER"]
        started = time.perf_counter()
        try:
            warm_up_provider(name)
        except Exception:  # noqa: BLE001 - a job will report the same problem on its document
            log.exception("extraction provider %r could not be warmed up", name)
        log.info(
            "worker preloaded provider=%s ms=%d",
            name,
            (time.perf_counter() - started) * 1000,
        )
        try:
            warm_statements()
        except Exception:  # noqa: BLE001 - only a speed-up: jobs compile what is missing
            log.exception("could not warm the pipeline's statements up")
        # Connections opened so far belong to this process only.
        for engine in db.engines.values():
            engine.dispose()
    os.register_at_fork(after_in_child=_dispose_engines_in_child)
    gc.collect()


def ensure_periodic_job(connection) -> None:
    """Put the finalize/sweep job back on the schedule when Redis came back without it."""
    from jobs import schedule, worker_app

    interval = worker_app().config["FINALIZE_INTERVAL_SECONDS"]
    try:
        if schedule.ensure_registered(connection, interval):
            log.warning("periodic job was missing from Redis; registered it again")
    except Exception:  # noqa: BLE001 - never keep a worker from starting over this
        log.exception("could not check the periodic job")


def hand_over_connection(job) -> None:
    """Connect here, for a document job's work horse to use (see jobs.connection)."""
    from app.services.queueing import DOCUMENT_JOB
    from jobs import connection, worker_app

    if job.func_name != DOCUMENT_JOB:
        return
    app = worker_app()
    with app.app_context():
        from app.extensions import db

        if db.engine.dialect.name != "postgresql":
            return
        try:
            connection.hand_over(db.engine)
        except Exception:  # noqa: BLE001 - the work horse connects itself then
            log.warning("could not connect ahead of a document job", exc_info=True)


class DocumentWorker(Worker):
    """RQ's forking worker with the app, job modules and provider loaded before the first fork."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preload()
        from jobs import worker_app

        self.job_limits = limits.Limits.from_config(worker_app().config)
        limits.check_headroom(self.job_limits)

    def setup_work_horse_signals(self):
        """In the work horse: RQ's signal handling, then the job's memory and CPU limits."""
        super().setup_work_horse_signals()
        limits.apply(self.job_limits)

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        """A horse ended by its limits: fail its document as too_complex, with no retry."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        cause = limits.death_cause(ret_val, rusage, self.job_limits)
        if cause is None:
            return
        log.warning("job %s: the work horse was ended by its %s limit", job.id, cause)
        try:
            if fail_after_death(job, cause, self.job_limits):
                job.retries_left = 0  # the same file would hit the same limit
        except Exception:  # noqa: BLE001 - the sweeper recovers the document then
            log.exception("job %s: could not fail the document of a work horse that died", job.id)

    def fork_work_horse(self, job, queue):
        """Fork with a database connection ready for a document job, and every object of the
        worker frozen out of the garbage collector.

        A collection in the child would otherwise walk (and so copy) the whole preloaded heap:
        measured at 0.5-1 s per job with the OCR models loaded, against under 0.1 s frozen.
        """
        hand_over_connection(job)
        gc.collect()  # what the worker itself left behind since the last fork
        gc.freeze()
        return super().fork_work_horse(job, queue)

    def perform_job(self, *args, **kwargs):
        """Run the job in the work horse, then close the connections it used."""
        try:
            return super().perform_job(*args, **kwargs)
        finally:
            _close_engines()

    def work(self, *args, **kwargs):
        """Work with RQ's scheduler on, so retries with a backoff come back to their queue."""
        kwargs["with_scheduler"] = True
        ensure_periodic_job(self.connection)
        return super().work(*args, **kwargs)

    def run_maintenance_tasks(self):
        """RQ's periodic upkeep, plus making sure the periodic job is still scheduled."""
        super().run_maintenance_tasks()
        ensure_periodic_job(self.connection)


class SimpleDocumentWorker(SimpleWorker):
    """The same preloading, running jobs in the worker process itself (no fork per job).

    Nothing is forked, so no job runs under the limits of `jobs.limits`: development and tests.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preload()

    def work(self, *args, **kwargs):
        """Work with RQ's scheduler on, as DocumentWorker does."""
        kwargs["with_scheduler"] = True
        ensure_periodic_job(self.connection)
        return super().work(*args, **kwargs)


def fail_after_death(job, cause: str, job_limits: limits.Limits) -> bool:
    """Fail the document of a document job whose work horse died of its limits; True if done.

    Runs in the worker process. The document is failed as the horse would have failed it: by the
    pipeline's own transition (guarded by the attempt the horse claimed), releasing its pages,
    closing the attempt's row, counting it on the batch and finalizing the batch when it was the
    last document.
    """
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Document as Doc
    from app.models import DocumentStatus, ErrorCode
    from app.services import lifecycle
    from app.services.queueing import DOCUMENT_JOB
    from jobs import worker_app
    from jobs.documents import on_a_live_connection

    if job.func_name != DOCUMENT_JOB or not job.args:
        return False
    try:
        document_id = uuid.UUID(str(job.args[0]))
    except ValueError:
        return False

    def fail() -> bool:
        row = db.session.execute(
            sa.select(Doc.attempts, Doc.batch_id).where(
                Doc.id == document_id, Doc.status == DocumentStatus.PROCESSING
            )
        ).first()
        if row is None:
            db.session.rollback()
            return False  # not claimed yet, or already finished: nothing to fail
        return lifecycle.fail(
            lifecycle.Run(document_id, row.attempts, row.batch_id),
            ErrorCode.TOO_COMPLEX,
            limits.message(cause, job_limits),
            detail=f"the work horse was ended by its {cause} limit",
        )

    with worker_app().app_context():
        try:
            # The worker's pooled connection may be hours old: run again on a new one if the
            # server dropped it.
            return on_a_live_connection(fail)
        finally:
            db.session.remove()
