"""The document job: one RQ job per document, an ordered list of steps.

    claim │ open file → resolve prompt → earlier result? → extract │ store

Each step reads or changes the database with conditional statements, so the job is safe to run
twice, to be retried, and to run after the document was cancelled or deleted:

- claim: `UPDATE documents SET status='processing', attempts=attempts+1 WHERE status='uploaded'`.
  Nothing claimed (already running, finished, cancelled, deleted) ends the job quietly. The claim's
  attempt number fences every later write (`WHERE status='processing' AND attempts=<n>`): if the
  sweeper took the document back meanwhile, this run's writes match nothing and it stops. A
  cancelled batch cancels the document instead; the first claim of a batch moves it
  `queued → processing`; the pages are reserved with one conditional UPDATE on the usage row
  (`pages_used + n <= limit`). All of it is one transaction, committed before the extraction
  starts. The reservation is released in the transaction that fails the document or puts it
  back for a retry; completing keeps the charge.
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

Every status change is made by `app/services/lifecycle.py` (claim, complete, fail, requeue,
cancel), the same statements on PostgreSQL and SQLite; this module decides which one, and when.
"""

import contextlib
import logging
import time
import uuid

import sqlalchemy as sa
from flask import current_app
from rq import get_current_job
from rq.timeouts import JobTimeoutException

from app.extensions import db
from app.logging import log_context
from app.models import ErrorCode, Usage
from app.services import lifecycle, prompts, quota, reuse, review
from app.services.finalize import log_event
from app.storage import get_storage
from jobs import in_app_context, limits
from jobs.outcomes import (  # noqa: F401 - part of this module's interface
    MESSAGES,
    DocumentFailed,
    Stop,
    error_code,
    is_transient,
    provider_for,
)

log = logging.getLogger(__name__)


class DocumentPipeline:
    """Processes one document; `run()` executes the steps in order."""

    def __init__(self, document_id: uuid.UUID, rq_job=None):
        self.document_id = document_id
        self.rq_job = rq_job
        self.provider_name = current_app.config["EXTRACTION_PROVIDER"]
        self.provider = None
        self.doc = None  # the claimed row (lifecycle.CLAIMED)
        self.batch = None  # status, prompt_strategy, extraction_prompt of its batch
        self.run_of: lifecycle.Run | None = None  # this attempt, once claimed
        self.attempt: int | None = None
        self.batch_id: uuid.UUID | None = None
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
        # Files opened for the provider and the log context, closed when the run ends.
        self.scope = contextlib.ExitStack()
        self.steps = (
            self.claim,
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
        """uploaded → processing with the pages reserved, committed; over the limit it fails."""
        claimed = on_a_live_connection(
            lambda: lifecycle.claim(
                self.document_id,
                job_row_id=self.job_row_id,
                rq_job_id=getattr(self.rq_job, "id", None),
                provider=self.provider_name,
            )
        )
        if claimed.doc is None:
            raise Stop(claimed.why)
        self.doc, self.batch, self.run_of = claimed.doc, claimed.batch, claimed.run
        self.attempt, self.batch_id = self.run_of.attempt, self.run_of.batch_id
        self.claim_committed = True
        self.scope.enter_context(log_context(batch_id=self.batch_id))
        log_event(
            "document.claimed", batch=self.batch_id, document=self.document_id, attempt=self.attempt
        )
        if not claimed.charged:
            raise DocumentFailed(ErrorCode.QUOTA_EXCEEDED, self.quota_message(self.doc.page_count))

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
        if self.resolved.classified and not on_a_live_connection(self.store_type):
            raise Stop("claim_lost")

    def store_type(self) -> bool:
        """Keep the classified type and its prompt on the document; False if the claim is lost."""
        stored = db.session.execute(
            lifecycle.guarded(self.run_of)
            .values(
                document_type=self.resolved.document_type,
                type_confidence=self.resolved.type_confidence,
                extraction_prompt=self.resolved.prompt,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if stored != 1:
            db.session.rollback()
            return False
        db.session.commit()
        return True

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
        """processing → completed with the result, counted on the batch, in one transaction."""
        stored = on_a_live_connection(
            lambda: lifecycle.complete(
                self.run_of,
                self.result,
                provider=self.provider_name,
                model=getattr(self.provider, "model", None),
                prompt=self.resolved.prompt,
                duration_ms=self.elapsed_ms(),
                reuse_key=self.reuse_key,
                reused_from=self.reused_from,
                needs_review=self.needs_review(),
                document_type=self.found_type(),
                pages=self.doc.page_count,
                ms=self.elapsed_ms(),
                extract_ms=self.extract_ms,
            )
        )
        if not stored:
            raise Stop("claim_lost")

    def needs_review(self) -> bool:
        """Whether the result has a requested field missing or below REVIEW_CONFIDENCE."""
        return review.needs_review(self.result, current_app.config["REVIEW_CONFIDENCE"])

    def found_type(self) -> str | None:
        """The type the provider found, when the document has none yet to keep."""
        found = self.result.get("document_type")
        if found and not self.resolved.classified and not self.doc.document_type:
            return found
        return None

    # -- leaving processing otherwise ----------------------------------------------------------

    def attempt_values(self) -> dict:
        """What the attempt's ExtractionJob row records when the attempt ends."""
        return {
            "duration_ms": self.elapsed_ms(),
            "prompt": self.resolved.prompt if self.resolved is not None else None,
            "model": getattr(self.provider, "model", None),
        }

    def fail(self, code: ErrorCode, message: str, detail: str | None = None) -> None:
        """processing → failed with a stable code, the pages given back; commits."""
        db.session.rollback()
        if self.run_of is None or not on_a_live_connection(
            lambda: lifecycle.fail(
                self.run_of,
                code,
                message,
                detail=detail,
                attempt_row=self.attempt_values(),
                ms=self.elapsed_ms(),
            )
        ):
            log_event(
                "document.skipped",
                batch=self.batch_id,
                document=self.document_id,
                reason="claim_lost",
            )

    def requeue(self, exc: Exception) -> None:
        """processing → uploaded with the pages given back, so that RQ's retry claims again."""
        db.session.rollback()
        on_a_live_connection(
            lambda: lifecycle.requeue(
                self.run_of,
                ErrorCode.PROVIDER_ERROR if is_transient(exc) else ErrorCode.EXTRACTION_FAILED,
                f"will retry: {exc!r}",
                attempt_row=self.attempt_values(),
                error=type(exc).__name__,
            )
        )

    def quota_message(self, pages: int) -> str:
        """Why the quota stopped this document, and what the user can do."""
        allowed = quota.allowance(self.doc.user_id)
        used = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Usage.pages_used), 0)).where(
                Usage.user_id == self.doc.user_id,
                Usage.period_start == allowed.period.start,
            )
        )
        return MESSAGES[ErrorCode.QUOTA_EXCEEDED].format(
            pages=pages,
            s="" if pages == 1 else "s",
            left=max(allowed.limit - int(used or 0), 0),
            limit=allowed.limit,
            period_end=allowed.period.end.date().isoformat(),
        )

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


def on_a_live_connection(transaction):
    """Run a transaction; once more on a new connection if the server dropped the one it had.

    Workers do not ping a connection before using it (jobs/__init__.py): a dropped connection (a
    server restart, an idle timeout during a long extraction) is found by the first statement
    that uses it. Every transaction of the job is guarded: if the first run had in fact been
    committed, the second finds nothing to change and the job ends as the sweeper expects.
    """
    try:
        return transaction()
    except sa.exc.DBAPIError as exc:
        db.session.rollback()
        if not exc.connection_invalidated:
            raise
    return transaction()


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
