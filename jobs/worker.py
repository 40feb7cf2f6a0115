"""The RQ worker class of the Procfile: everything heavy is loaded once per worker process.

`rq worker --worker-class jobs.worker.DocumentWorker documents default` builds the app, imports
the job modules and the extraction provider's modules, and calls the provider's `warm_up()` (OCR
models) before the first job. RQ's forking worker then forks a work horse per job, which inherits
all of it: a job pays for neither imports nor model loading.

Database connections are never shared across processes: the engine is disposed before the first
fork and again (without closing the parent's connections) in every forked child.

The worker also runs RQ's scheduler (as `--with-scheduler` would), which moves retries whose
backoff has passed back to their queue; the periodic sweeper does the same if no worker does.
"""

import gc
import logging
import os
import tempfile
import time

from rq.worker import SimpleWorker, Worker

log = logging.getLogger(__name__)

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


def warm_up_provider(name: str) -> None:
    """Load the provider's models, and let the offline one read a sample page.

    Reading one page builds what the local provider only builds on first use (its label
    patterns, the PDF renderer), so that a forked job never pays for it. Providers that call a
    remote service are not sent the sample.
    """
    from app.services.extraction import DEFAULT_PROMPTS, SourceDocument
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


class DocumentWorker(Worker):
    """RQ's forking worker with the app, job modules and provider loaded before the first fork."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preload()

    def fork_work_horse(self, job, queue):
        """Fork with every object of the worker frozen out of the garbage collector.

        A collection in the child would otherwise walk (and so copy) the whole preloaded heap:
        measured at 0.5-1 s per job with the OCR models loaded, against under 0.1 s frozen.
        """
        gc.collect()  # what the worker itself left behind since the last fork
        gc.freeze()
        return super().fork_work_horse(job, queue)

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
    """The same preloading, running jobs in the worker process itself (no fork per job)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preload()

    def work(self, *args, **kwargs):
        """Work with RQ's scheduler on, as DocumentWorker does."""
        kwargs["with_scheduler"] = True
        ensure_periodic_job(self.connection)
        return super().work(*args, **kwargs)
