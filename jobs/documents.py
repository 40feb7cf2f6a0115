"""The document job: one RQ job per document, an ordered list of steps.

    claim → check batch → reserve quota │ open file → resolve prompt → earlier result? → extract │
    store

Each step reads or changes the database with conditional statements, so the job is safe to run
twice, to be retried, and to run after the document was cancelled or deleted:

- claim: `UPDATE documents SET status='processing', attempts=attempts+1 WHERE status='uploaded'`.
  Nothing claimed (already running, finished, cancelled, deleted) ends the job quietly. The claim's
  attempt number fences every later write (`WHERE status='processing' AND attempts=<n>`): if the
  sweeper took the document back meanwhile, this run's writes match nothing and it stops.
- check batch: a cancelled batch cancels the document instead; the first claim of a batch moves
  it `queued → processing`.
- quota: one conditional UPDATE on the usage row (`pages_used + n <= limit`); the reservation is
  written on the document (reserved_pages, usage_id). Claim, batch check and reservation are one
  transaction, committed before the extraction starts. The reservation is released in the
  transaction that fails the document or puts it back for a retry; completing keeps the charge.
- earlier result: the same user's completed document of the same file and the same extraction
  (resolved prompt, provider, model; see app/services/reuse.py) lends its result; extraction is
  skipped and store gives the reservation back, so a reused result costs no pages.
- store: the result, `processing → completed`, this attempt's ExtractionJob row and the batch
  counter (`completed_count = completed_count + 1`) in one transaction; the job that ends a
  batch's last document finalizes the batch right away.

Outcomes: `Stop` ends the job normally without a change; `DocumentFailed` fails the document with a
stable error code and a message the user can act on; a transient error (provider unavailable,
database connection lost, Redis hiccup) puts the document back to `uploaded`, releases its pages
and re-raises so that RQ retries it with backoff; once the retries are used up the document fails
with `provider_error`. Any other exception is handled the same way but fails with
`extraction_failed`, and the job stays in RQ's failed registry for the operators.

Locks are taken in one order everywhere (document, then batch, then usage row), as the batch
actions do, so a job racing a cancel, a retry or the sweeper waits instead of deadlocking.

On PostgreSQL the two hot groups run as single statements (`jobs.document_sql`): claim, batch
check and reservation with the attempt row in one, and the whole of store in another, each its
own transaction. The rarer outcomes (failing, requeueing, cancelling, finalizing) and SQLite run
the statements one by one through the session.
"""

import contextlib
import logging
import time
import uuid
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from rq import get_current_job
from rq.timeouts import JobTimeoutException

from app.extensions import db
from app.logging import log_context
from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    ErrorCode,
    ExtractionResult,
    JobStatus,
    Subscription,
    states,
)
from app.models.types import utcnow
from app.services import finalize, prompts, quota, reuse, review
from app.services.finalize import log_event
from app.storage import get_storage
from jobs import document_sql, in_app_context, limits
from jobs.document_sql import Jsonb
from jobs.endings import Endings
from jobs.outcomes import (  # noqa: F401 - part of this module's interface
    MESSAGES,
    DocumentFailed,
    Stop,
    error_code,
    is_transient,
    provider_for,
)

log = logging.getLogger(__name__)

B, D = BatchStatus, DocumentStatus

# What a run needs of its document, read back by the claim itself (no ORM object to expire).
CLAIMED_COLUMNS = (
    Document.attempts,
    Document.batch_id,
    Document.user_id,
    Document.page_count,
    Document.storage_key,
    Document.mime_type,
    Document.original_filename,
    Document.extraction_prompt,
    Document.document_type,
    Document.reserved_pages,
    Document.usage_id,
    Document.sha256,
    Document.reuse,
)


class BatchRow(NamedTuple):
    """What a run needs of its document's batch."""

    status: str
    prompt_strategy: str
    extraction_prompt: str | None


def _insert_for_dialect():
    """The INSERT construct with ON CONFLICT support of the app's database."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class DocumentPipeline(Endings):
    """Processes one document; `run()` executes the steps in order."""

    def __init__(self, document_id: uuid.UUID, rq_job=None):
        self.document_id = document_id
        self.rq_job = rq_job
        self.provider_name = current_app.config["EXTRACTION_PROVIDER"]
        self.provider = None
        self.doc = None  # the claimed row: CLAIMED_COLUMNS
        self.batch = None  # status, prompt_strategy, extraction_prompt of its batch
        self.attempt: int | None = None
        self.batch_id: uuid.UUID | None = None
        self.held: tuple[uuid.UUID | None, int] = (None, 0)
        self.claim_committed = False
        self.job_row_id = uuid.uuid4()
        self.source = None
        self.resolved: prompts.ResolvedPrompt | None = None
        self.result: dict | None = None
        # Reuse: the key of this extraction, and the document whose result was copied.
        self.reuse_key: str | None = None
        self.reused_from: uuid.UUID | None = None
        self.started = time.perf_counter()
        self.extract_ms = 0
        # PostgreSQL: the hot steps as single statements, on `sql_conn` when one is set (the
        # worker's warm-up) or else on an autocommit connection of their own.
        self.single_statements = db.engine.dialect.name == "postgresql"
        self.sql_conn = None
        # Files opened for the provider and the log context, closed when the run ends.
        self.scope = contextlib.ExitStack()
        self.steps = (
            self.claim,
            self.check_batch,
            self.reserve_quota,
            self.open_file,
            self.resolve_prompt,
            self.find_earlier_result,
            self.extract,
            self.store,
        )

    # -- running -------------------------------------------------------------------------------

    def run(self) -> str:
        """Run every step; the outcome as a word (completed, failed, stopped)."""
        try:
            for step in self.steps:
                step()
            return "completed"
        except Stop as stop:
            db.session.rollback()
            log_event(
                "document.skipped",
                batch=self.batch_id,
                document=self.document_id,
                reason=stop.reason,
            )
            return "stopped"
        except DocumentFailed as failure:
            # No rollback: a refused reservation fails the claim's own transaction.
            self.fail(failure.code, failure.message)
            return "failed"
        except (Exception, limits.CpuLimitExceeded) as exc:
            db.session.rollback()
            if not self.claim_committed:
                raise  # nothing of this run is stored: RQ retries, or the sweeper enqueues again
            return self.handle_error(exc)
        finally:
            self.scope.close()

    def handle_error(self, exc: Exception) -> str:
        """Put the document back for RQ's retry, or fail it once the retries are used up.

        A job that ran out of memory or CPU time fails with too_complex at once: a retry would
        run into the same limit.
        """
        if not is_transient(exc) and (cause := limits.cause_of(exc)):
            self.fail(ErrorCode.TOO_COMPLEX, limits.message(cause), detail=repr(exc)[:2000])
            return "failed"
        retries_left = getattr(self.rq_job, "retries_left", None) or 0
        if retries_left > 0:
            with contextlib.suppress(Exception):
                self.requeue(exc)
            raise exc
        if isinstance(exc, JobTimeoutException):
            timeout = current_app.config["JOB_TIMEOUT_SECONDS"]
            message = MESSAGES["timeout"].format(attempts=self.attempt, timeout=timeout)
            self.fail(ErrorCode.EXTRACTION_FAILED, message, detail=repr(exc))
            return "failed"
        if is_transient(exc):
            detail = getattr(exc, "message", None) or type(exc).__name__
            message = MESSAGES[ErrorCode.PROVIDER_ERROR].format(
                attempts=self.attempt, detail=str(detail)[:200]
            )
            self.fail(ErrorCode.PROVIDER_ERROR, message, detail=repr(exc))
            return "failed"
        log.exception("document %s: unexpected error", self.document_id)
        self.fail(ErrorCode.EXTRACTION_FAILED, MESSAGES[ErrorCode.EXTRACTION_FAILED], repr(exc))
        raise exc

    # -- steps ---------------------------------------------------------------------------------

    def claim(self) -> None:
        """uploaded → processing, counting the attempt (committed with the reservation)."""
        if self.single_statements:
            self.claim_in_one_statement()
            return
        now = utcnow()
        self.doc = db.session.execute(
            sa.update(Document)
            .where(
                Document.id == self.document_id,
                Document.status.in_(states.document_sources(D.PROCESSING, [D.UPLOADED])),
            )
            .values(
                status=D.PROCESSING,
                attempts=Document.attempts + 1,
                started_at=now,
                updated_at=now,
                completed_at=None,
                error_code=None,
                error_message=None,
            )
            .returning(*CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        ).first()
        if self.doc is None:
            raise Stop("not_claimable")
        self.attempt, self.batch_id = self.doc.attempts, self.doc.batch_id
        self.scope.enter_context(log_context(batch_id=self.batch_id))

    def claim_in_one_statement(self) -> None:
        """claim, check batch and reserve quota in one statement, committed (PostgreSQL)."""
        found = document_sql.first_row(
            document_sql.LOOKUP, {"document_id": self.document_id}, self.sql_conn
        )
        if found is None or found.status not in document_sql.CLAIMABLE:
            raise Stop("not_claimable")
        sub = None
        if found.subscribed:
            sub = Subscription(
                plan=found.plan,
                status=found.subscription_status,
                current_period_start=found.current_period_start,
                current_period_end=found.current_period_end,
            )
        allowed = quota.allowance_for(sub)
        now = utcnow()
        row = document_sql.first_row(
            document_sql.CLAIM,
            {
                "document_id": self.document_id,
                "claimable": document_sql.CLAIMABLE,
                "movable": document_sql.MOVABLE,
                "now": now,
                "usage_id": uuid.uuid4(),
                "period_start": allowed.period.start,
                "period_end": allowed.period.end,
                "page_limit": allowed.limit,
                "job_row_id": self.job_row_id,
                "rq_job_id": getattr(self.rq_job, "id", None),
                "provider": self.provider_name,
            },
            self.sql_conn,
        )
        if row.attempts is None:  # nothing was claimed (and nothing changed)
            if not row.found:
                raise Stop("not_claimable")
            if row.batch_status is None:
                raise Stop("batch_deleted")
            self.batch_id = row.target_batch_id  # cancelled: only that stops a found document
            self.cancel()
            raise Stop("batch_cancelled")
        self.doc = row
        self.attempt, self.batch_id = row.attempts, row.batch_id
        if row.batch_id is not None:
            self.batch = BatchRow(
                row.batch_status, row.batch_prompt_strategy, row.batch_extraction_prompt
            )
        if row.usage_id is not None and row.reserved_pages:
            self.held = (row.usage_id, row.reserved_pages)
        self.claim_committed = True
        self.scope.enter_context(log_context(batch_id=self.batch_id))

    def check_batch(self) -> None:
        """A cancelled batch cancels the document; the first claim moves its batch along."""
        if self.batch_id is None or self.single_statements:
            return  # no batch, or checked (and moved) by the claim's statement
        self.batch = db.session.execute(
            sa.select(Batch.status, Batch.prompt_strategy, Batch.extraction_prompt).where(
                Batch.id == self.batch_id
            )
        ).first()
        if self.batch is None:
            raise Stop("batch_deleted")
        if self.batch.status == B.CANCELLED:
            db.session.rollback()
            self.cancel()
            raise Stop("batch_cancelled")
        if self.batch.status == B.QUEUED:
            db.session.execute(
                sa.update(Batch)
                .where(
                    Batch.id == self.batch_id,
                    Batch.status.in_(states.batch_sources(B.PROCESSING, [B.QUEUED])),
                )
                .values(status=B.PROCESSING, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    def reserve_quota(self) -> None:
        """Reserve the document's pages, then commit the claim; over the limit it fails."""
        pages = self.doc.page_count
        if self.single_statements:
            pass  # reserved (or an earlier reservation reused) and committed by the claim
        elif self.doc.reserved_pages and self.doc.usage_id:
            # A reservation an earlier attempt left behind is reused, never charged twice.
            self.held = (self.doc.usage_id, self.doc.reserved_pages)
        else:
            usage_id = quota.reserve_pages(self.doc.user_id, pages)
            if usage_id is not None:
                db.session.execute(
                    self.guarded(sa.update(Document))
                    .values(reserved_pages=pages, usage_id=usage_id)
                    .execution_options(synchronize_session=False)
                )
                self.held = (usage_id, pages)
        if not self.single_statements:
            self.open_attempt()
            db.session.commit()
            self.claim_committed = True
        log_event(
            "document.claimed", batch=self.batch_id, document=self.document_id, attempt=self.attempt
        )
        if self.held[0] is None:
            raise DocumentFailed(ErrorCode.QUOTA_EXCEEDED, self.quota_message(pages))

    def open_file(self) -> None:
        """A local path of the stored file for the provider."""
        from engine import SourceDocument

        doc = self.doc
        try:
            path = self.scope.enter_context(get_storage().local_path(doc.storage_key))
        except FileNotFoundError:
            raise DocumentFailed(ErrorCode.FILE_MISSING, MESSAGES[ErrorCode.FILE_MISSING]) from None
        self.source = SourceDocument(
            path=str(path),
            mime_type=doc.mime_type,
            filename=doc.original_filename,
            page_count=doc.page_count,
        )
        self.provider = provider_for(self.provider_name)

    def resolve_prompt(self) -> None:
        """The prompt for this document; auto classifies it and stores type and prompt."""
        self.resolved = self.call_provider(
            lambda: prompts.resolve(
                self.doc, self.batch, lambda: self.provider.classify(self.source)
            )
        )
        if self.resolved.classified:
            stored = db.session.execute(
                self.guarded(sa.update(Document))
                .values(
                    document_type=self.resolved.document_type,
                    type_confidence=self.resolved.type_confidence,
                    extraction_prompt=self.resolved.prompt,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if stored != 1:
                raise Stop("claim_lost")
            db.session.commit()

    def find_earlier_result(self) -> None:
        """The same file extracted the same way before: take its result instead (no pages).

        Holds the lock of this user, file and extraction until the run ends, so that a twin
        running at the same time waits for this one's result instead of extracting it again.
        """
        model = getattr(self.provider, "model", None)
        self.reuse_key = reuse.extraction_key(self.resolved.prompt, self.provider_name, model)
        config = current_app.config
        if not self.doc.reuse or config["REUSE_DAYS"] <= 0:
            return
        user_id, sha256 = self.doc.user_id, self.doc.sha256
        self.scope.enter_context(
            reuse.exclusive(user_id, sha256, self.reuse_key, config["REUSE_WAIT_SECONDS"])
        )
        found = reuse.find_source(
            user_id, sha256, self.reuse_key, self.document_id, config["REUSE_DAYS"]
        )
        db.session.rollback()  # end the read: nothing else is pending here
        if found is not None:
            self.reused_from, data = found
            self.result = reuse.copied_result(data, self.reused_from)

    def extract(self) -> None:
        """Run the provider on the file with the resolved prompt (unless a result was reused)."""
        if self.reused_from is not None:
            return
        started = time.perf_counter()
        self.result = self.call_provider(
            lambda: self.provider.extract(
                self.source, self.resolved.prompt, document_type=self.resolved.document_type
            )
        )
        self.extract_ms = int((time.perf_counter() - started) * 1000)

    def store(self) -> None:
        """Store the result, complete the document and count it, in one transaction."""
        if self.single_statements and self.reused_from is None:
            may_finalize = self.store_in_one_statement()
        else:
            may_finalize = self.store_in_session()
        log_event(
            "document.completed",
            batch=self.batch_id,
            document=self.document_id,
            pages=self.doc.page_count,
            ms=self.elapsed_ms(),
            extract_ms=self.extract_ms,
            **({"reused_from": self.reused_from} if self.reused_from else {}),
        )
        if may_finalize:
            finalize.finalize_batch(self.batch_id)

    def needs_review(self) -> bool:
        """Whether the result has a requested field missing or below REVIEW_CONFIDENCE."""
        return review.needs_review(self.result, current_app.config["REVIEW_CONFIDENCE"])

    def found_type(self) -> str | None:
        """The type the provider found, when the document has none yet to keep."""
        found = self.result.get("document_type")
        if found and not self.resolved.classified and not self.doc.document_type:
            return found
        return None

    def store_in_session(self) -> bool:
        """store, statement by statement; True when the batch may now be final."""
        now = utcnow()
        values = {
            "status": D.COMPLETED,
            "completed_at": now,
            "updated_at": now,
            "reserved_pages": 0,  # the pages stay charged: the reservation became use
            "usage_id": None,
            "reuse_key": self.reuse_key,
            "reused_from_id": self.reused_from,
            "needs_review": self.needs_review(),
        }
        if found_type := self.found_type():
            values["document_type"] = found_type
        done = db.session.execute(
            self.guarded(sa.update(Document), D.COMPLETED)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise Stop("claim_lost")
        meta = self.result.get("meta") or {}
        provider = meta.get("provider") or self.provider_name
        insert = _insert_for_dialect()
        db.session.execute(
            insert(ExtractionResult)
            .values(
                id=uuid.uuid4(),
                document_id=self.document_id,
                data=self.result,
                provider=provider,
                model=meta.get("model"),
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=["document_id"],
                set_={
                    "data": self.result,
                    "provider": provider,
                    "model": meta.get("model"),
                    "updated_at": now,
                },
            )
        )
        self.close_attempt(JobStatus.SUCCEEDED, model=meta.get("model"))
        may_finalize = self.batch_id is not None and finalize.bump(self.batch_id, D.COMPLETED)
        counts = {}
        if values["needs_review"]:
            counts[Batch.needs_review_count] = Batch.needs_review_count + 1
        if self.reused_from is not None:
            counts[Batch.reused_count] = Batch.reused_count + 1
        if counts and self.batch_id is not None:
            db.session.execute(
                sa.update(Batch)
                .where(Batch.id == self.batch_id)
                .values(counts)
                .execution_options(synchronize_session=False)
            )
        if self.reused_from is not None:
            # A reused result costs no pages: the claim's reservation is given back (locks:
            # document, batch, then usage row).
            self.release()
        db.session.commit()
        return may_finalize

    def store_in_one_statement(self) -> bool:
        """store as one statement (PostgreSQL): the same writes, the same conditions."""
        meta = self.result.get("meta") or {}
        row = document_sql.first_row(
            document_sql.STORE,
            {
                "document_id": self.document_id,
                "completable": document_sql.COMPLETABLE,
                "attempt": self.attempt,
                "now": utcnow(),
                "document_type": self.found_type(),
                "result_id": uuid.uuid4(),
                "data": Jsonb(self.result),
                "provider": meta.get("provider") or self.provider_name,
                "result_model": meta.get("model"),
                "attempt_model": meta.get("model") or getattr(self.provider, "model", None),
                "job_row_id": self.job_row_id,
                "prompt": self.resolved.prompt,
                "duration_ms": self.elapsed_ms(),
                "reuse_key": self.reuse_key,
                "needs_review": self.needs_review(),
            },
            self.sql_conn,
        )
        if not row.done:
            raise Stop("claim_lost")
        return row.document_count is not None and row.terminal >= row.document_count

    # -- outcomes ------------------------------------------------------------------------------

    def call_provider(self, fn):
        """Call the provider; its permanent errors become DocumentFailed."""
        from engine import ExtractionError, TransientProviderError

        try:
            return fn()
        except TransientProviderError:
            raise
        except ExtractionError as exc:
            if cause := limits.cause_of(exc):
                raise DocumentFailed(ErrorCode.TOO_COMPLEX, limits.message(cause)) from exc
            raise DocumentFailed(error_code(exc.code), exc.message) from exc

    def elapsed_ms(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)


@in_app_context
def process_document(document_id: str) -> str:
    """Process one document (the RQ job); returns the outcome."""
    try:
        doc_id = uuid.UUID(str(document_id))
    except ValueError:
        log.warning("document job with an invalid id %r", document_id)
        return "stopped"
    with log_context(document_id=doc_id):
        return DocumentPipeline(doc_id, get_current_job()).run()
