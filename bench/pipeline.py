"""Pipeline benchmark: documents per second, the pipeline's own cost per document, time to final.

Runs real `rq worker` processes (the Procfile's worker class, and its non-forking sibling) against
PostgreSQL and Redis, and prints:

1. throughput: 1-page text PDFs through one and two forking workers with the local provider
   (documents per second, from the first claim to the batch being final);
2. overhead: per job, the document pipeline with a provider that returns at once (claim, batch
   check, quota, prompt, store, counters, finalize: everything but extraction) next to a bare RQ
   job that does nothing, same worker class, same run. Target: at most 3x the bare job;
3. heavy modules: a job's first extraction of a sample page, forked from a DocumentWorker (the app,
   PDF libraries, OCR models and the provider's caches loaded once in the worker process) and from
   a plain `rq worker` (everything loaded inside each job); time and heavy modules imported;
4. time from the last document finishing to its batch being final (target: under 1 s).

Needs PostgreSQL and Redis (a scratch database: its tables are created and emptied; a Redis
database of its own: it is flushed):

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/pipeline.py [--docs 200]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "test")

FORKING = "jobs.worker.DocumentWorker"
SIMPLE = "jobs.worker.SimpleDocumentWorker"
NULL_PROVIDER = "bench.pipeline:NullProvider"
NOOP = "bench.pipeline.noop"
PROBE = "bench.pipeline.probe_extraction"
PLAIN = "rq.worker.Worker"
TARGET_OVERHEAD = 3.0
TARGET_FINAL_MS = 1000
HEAVY = ("pypdf", "pypdfium2", "PIL", "onnxruntime", "rapidocr", "numpy", "cv2")


# -- jobs and a provider used by the workers ---------------------------------------------------


def noop() -> None:
    """The bare RQ job: does nothing."""


def probe_extraction() -> dict:
    """A job that extracts a sample page and reports its time and the modules it imported."""
    before = set(sys.modules)
    started = time.perf_counter()
    from engine import DEFAULT_PROMPTS, SourceDocument
    from jobs import documents
    from jobs.worker import sample_pdf

    provider = documents.provider_for("local")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(sample_pdf())
        fh.flush()
        doc = SourceDocument(fh.name, "application/pdf", "probe.pdf", 1)
        provider.extract(doc, DEFAULT_PROMPTS["invoice"], document_type="invoice")
    return {
        "ms": (time.perf_counter() - started) * 1000,
        "modules": sorted(set(sys.modules) - before),
    }


class NullProvider:
    """Answers at once with a fixed result: what remains of a job is the pipeline's own cost."""

    name = "null"
    model = "null-0"

    def warm_up(self) -> None:
        """Nothing to load."""

    def classify(self, doc):
        return "invoice", 1.0

    def extract(self, doc, prompt, document_type=None):
        return {
            "document_type": document_type or "invoice",
            "data": {"total": "12.00"},
            "fields": {},
            "line_items": [],
            "meta": {"provider": self.name, "model": self.model, "pages": 1, "duration_ms": 0},
        }


# -- set-up ------------------------------------------------------------------------------------


def build_env(db_url: str, redis_url: str, storage: str) -> dict:
    """Environment of the app built here and of every worker process."""
    os.environ.update(
        APP_ENV="test",
        TEST_DATABASE_URL=db_url,
        TEST_REDIS_URL=redis_url,
        TEST_STORAGE_URL=f"file://{storage}",
        LOG_LEVEL="WARNING",
    )
    return dict(os.environ, PYTHONPATH=str(ROOT))


def build_app():
    """The app on the bench database, with its tables created and emptied."""
    from app import create_app
    from app.extensions import db
    from config import TestConfig

    app = create_app(TestConfig)
    with app.app_context():
        db.create_all()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return app


def start_workers(env: dict, worker_class: str, count: int, extra_env: dict | None = None):
    """`count` worker processes on the documents and default queues, ready when this returns."""
    from rq import Worker

    from app.extensions import get_redis

    procs = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "rq"),
                "worker",
                "--url",
                env["TEST_REDIS_URL"],
                "--worker-class",
                worker_class,
                "--logging_level",
                "WARNING",
                "documents",
                "default",
            ],
            cwd=ROOT,
            env=env | (extra_env or {}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    deadline = time.monotonic() + 120
    while len(Worker.all(connection=get_redis())) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            stop(procs)
            raise SystemExit("the workers did not start")
        time.sleep(0.05)
    return procs


def cpu_seconds(procs) -> float:
    """CPU time used so far by the worker processes and their reaped children (work horses)."""
    total = 0
    for p in procs:
        with open(f"/proc/{p.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def stop(procs) -> None:
    """Warm shutdown of the workers, then wait for them; one still running a minute later is
    killed, so that no worker outlives the run and takes the next section's jobs."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(60)
        except subprocess.TimeoutExpired:
            print(f"   (worker {p.pid} did not stop within 60 s: killed)")
            p.kill()
            p.wait()


def make_batch(user, count: int, content: bytes):
    """A committed batch of `count` 1-page documents sharing one stored file's bytes."""
    from tests.factories import make_batch as factory_batch
    from tests.factories import make_document

    batch = factory_batch(user)
    docs = [make_document(user, batch, content=content, page_count=1) for _ in range(count)]
    return batch, docs


def wait_final(batch_id, timeout: float = 600):
    """The batch row once it is final."""
    from app.extensions import db
    from app.models import Batch

    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        batch = db.session.get(Batch, batch_id)
        db.session.commit()
        if batch.completed_at is not None:
            return batch
        if time.monotonic() > deadline:
            raise SystemExit(f"batch {batch_id} did not finish")
        time.sleep(0.01)


def run_batch(user, count: int, content: bytes) -> dict:
    """Enqueue a batch and wait for it; timings from the rows' own timestamps."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Document
    from app.services import queueing

    batch, docs = make_batch(user, count, content)
    t0 = datetime.now(UTC)
    queueing.enqueue_documents([d.id for d in docs])
    final = wait_final(batch.id)
    first_start, last_done = db.session.execute(
        sa.select(sa.func.min(Document.started_at), sa.func.max(Document.completed_at)).where(
            Document.batch_id == batch.id
        )
    ).one()
    db.session.commit()
    return {
        "status": str(final.status),
        "total_s": (final.completed_at - t0).total_seconds(),
        "busy_s": (last_done - first_start).total_seconds(),
        "per_job_ms": (final.completed_at - t0).total_seconds() * 1000 / count,
        "to_final_ms": (final.completed_at - last_done).total_seconds() * 1000,
    }


def run_bare(count: int) -> float:
    """Milliseconds per bare job: enqueue `count` no-op jobs, wait until the last has ended."""
    from rq.job import Job

    from app.extensions import get_queue

    queue = get_queue("documents")
    t0 = datetime.now(UTC)
    ids = [queue.enqueue(NOOP, job_id=f"bare-{uuid.uuid4().hex}").id for _ in range(count)]
    deadline = time.monotonic() + 600
    while True:
        jobs = Job.fetch_many(ids, connection=queue.connection)
        if all(j is not None and j.ended_at is not None for j in jobs):
            break
        if time.monotonic() > deadline:
            raise SystemExit("bare jobs did not finish")
        time.sleep(0.01)
    last = max(j.ended_at for j in jobs).replace(tzinfo=UTC)
    return (last - t0).total_seconds() * 1000 / count


def run_probe() -> dict:
    """Run probe_extraction as a job and return what it reported."""
    from app.extensions import get_queue

    job = get_queue("documents").enqueue(PROBE)
    deadline = time.monotonic() + 120
    while job.get_status() not in ("finished", "failed"):
        if time.monotonic() > deadline:
            raise SystemExit("the probe job did not finish")
        time.sleep(0.02)
    if job.get_status() != "finished":
        raise SystemExit("the probe job failed")
    return job.return_value()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="documents per throughput run")
    parser.add_argument("--jobs", type=int, default=200, help="jobs per overhead run")
    parser.add_argument("--rounds", type=int, default=3, help="overhead runs (median kept)")
    parser.add_argument(
        "--only", type=int, nargs="*", default=[1, 2, 3, 4], help="sections to run (1-4)"
    )
    args = parser.parse_args()

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    storage = tempfile.mkdtemp(prefix="bench-pipeline-")
    env = build_env(db_url, redis_url, storage)
    app = build_app()

    from redis import Redis

    from tests.factories import make_user
    from tests.pdfgen import make_pdf

    Redis.from_url(redis_url).flushdb()
    pdf = make_pdf(
        1, lines=("INVOICE", "Invoice number: INV-1", "Date: 2024-03-15", "Total: EUR 12.00")
    )
    print(f"pipeline benchmark: PostgreSQL {db_url}, Redis {redis_url}")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    with app.app_context():
        user = make_user(f"bench-{uuid.uuid4().hex[:8]}@example.com", plan="growth")

        if 1 in args.only:
            print("\n1. throughput, local provider, 1-page text PDFs")
        for label, worker_class in (
            ("forking DocumentWorker", FORKING),
            ("SimpleDocumentWorker", SIMPLE),
        ):
            for workers in (1, 2) if 1 in args.only else ():
                procs = start_workers(env, worker_class, workers)
                try:
                    run_batch(user, 4, pdf)  # first jobs of each worker process
                    r = run_batch(user, args.docs, pdf)
                finally:
                    stop(procs)
                print(
                    f"   {label}, {workers} worker{'s' if workers > 1 else ' '}: "
                    f"{args.docs / r['busy_s']:6.1f} documents/s "
                    f"({args.docs} in {r['busy_s']:.2f} s, batch {r['status']})"
                )

        if 2 in args.only:
            print("\n2. overhead per job: pipeline without extraction vs a bare RQ job, one worker")
            print("   (wall time per job; in brackets the worker's own CPU time per job)")
        for label, worker_class in (("SimpleWorker", SIMPLE), ("forking", FORKING)):
            if 2 not in args.only:
                break
            procs = start_workers(env, worker_class, 1, {"EXTRACTION_PROVIDER": NULL_PROVIDER})
            try:
                run_bare(20)
                run_batch(user, 20, pdf)
                bare, pipe, bare_cpu, pipe_cpu = [], [], [], []
                for _ in range(args.rounds):
                    cpu = cpu_seconds(procs)
                    bare.append(run_bare(args.jobs))
                    bare_cpu.append((cpu_seconds(procs) - cpu) * 1000 / args.jobs)
                    cpu = cpu_seconds(procs)
                    pipe.append(run_batch(user, args.jobs, pdf)["per_job_ms"])
                    pipe_cpu.append((cpu_seconds(procs) - cpu) * 1000 / args.jobs)
            finally:
                stop(procs)
            b, p = statistics.median(bare), statistics.median(pipe)
            bc, pc = statistics.median(bare_cpu), statistics.median(pipe_cpu)
            verdict = "ok" if p <= TARGET_OVERHEAD * b else "over target"
            print(
                f"   {label:12s} bare job {b:6.2f} ms ({bc:5.2f})   pipeline {p:6.2f} ms "
                f"({pc:5.2f})   ratio {p / b:4.2f}x, CPU {pc / bc:4.2f}x "
                f"(target <= {TARGET_OVERHEAD:.0f}x: {verdict})"
            )

        if 3 in args.only:
            print("\n3. a job's first extraction of a sample page, forked from its worker")
        for label, worker_class in (("DocumentWorker", FORKING), ("plain rq Worker", PLAIN)):
            if 3 not in args.only:
                break
            procs = start_workers(env, worker_class, 1)
            try:
                probes = [run_probe() for _ in range(3)]
            finally:
                stop(procs)
            heavy = sorted({m for p in probes for m in p["modules"] if m.split(".")[0] in HEAVY})
            print(
                f"   {label:16s} {statistics.median(p['ms'] for p in probes):7.1f} ms, "
                f"{len(heavy)} heavy module(s) imported inside the job"
                + (f" ({', '.join(heavy[:4])}...)" if heavy else "")
            )

        if 4 in args.only:
            print("\n4. time from the last document finishing to the batch being final")
            procs = start_workers(env, FORKING, 2)
            try:
                run_batch(user, 4, pdf)
                finals = [run_batch(user, 10, pdf)["to_final_ms"] for _ in range(5)]
            finally:
                stop(procs)
            worst = max(finals)
            verdict = "ok" if worst < TARGET_FINAL_MS else "over"
            print(
                f"   median {statistics.median(finals):.1f} ms, worst {worst:.1f} ms "
                f"over 5 batches (target < {TARGET_FINAL_MS} ms: {verdict})"
            )
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
