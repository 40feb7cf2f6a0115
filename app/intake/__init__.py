"""Intake: validating, storing and recording new batches and single documents.

One service behind the wizard's upload, the single-document form and both create endpoints.
`create_batch` and `create_document` run the same steps in a fixed order:

1. plan (batch upload needs a paid plan: 403 upgrade_required)
2. file count (400 no_files / too_many_files)
3. name, description, prompt strategy and prompts (400 bad_request / invalid_prompt)
4. file types by magic bytes and extension, empty files (400 unsupported_file)
5. file sizes (413 file_too_large)
6. pages left this period >= number of files (402 quota_exceeded)
7. one unit of work: store every file, count its pages, write the batch (created in
   pending_upload, queued or failed once its documents are known), the document rows and the
   audit event, commit. Any exception inside it rolls back and deletes every stored file.
   Counting is bounded (400 too_many_pages): MAX_PAGES_PER_FILE pages per file (naming it),
   MAX_PAGES_PER_REQUEST pages and PAGE_COUNT_SECONDS_PER_REQUEST seconds for all files together.
   A file whose pages cannot be counted (damaged, encrypted) keeps its failed document row but not
   its bytes: it is never processed, so nothing needs them, and storage is not spent on files
   nobody is charged for.
8. after the commit, one RQ job per readable document.

The plan's creations per hour (429 rate_limited) are enforced by Flask-Limiter on the create
endpoints (`app.rate_limits.limit_creations`), which counts only accepted requests.

Everything before step 7 only reads, so a rejected request leaves no rows, files or usage behind.
The service owns its commit because the cleanup of stored files must cover the commit itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import BinaryIO

from app.errors import IntakeError
from app.extensions import db
from app.intake.pages import CountBudget, budget_from
from app.intake.prompts import (  # noqa: F401 - part of this module's interface
    STRATEGY_SENTENCES,
    Prompts,
    check_prompt_text,
    invalid_prompt,
    resolve_prompts,
)
from app.models import Batch, Document, User, states
from app.models.audit import record
from app.models.enums import AuditAction, BatchStatus, DocumentStatus, ErrorCode
from app.models.types import new_id, utcnow
from app.notifications import outbox
from app.services import plans, queueing, reuse
from app.services.cleantext import clean_filename
from app.services.intake_checks import (  # noqa: F401 - part of this module's interface
    MAX_NAME,
    check_plan,
    check_quota,
    default_name,
)
from app.storage import get_storage
from engine.pdf import SNIFF_BYTES, PageCountError, count_pages, detect_file_type

log = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = {".pdf": "PDF", ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
MAX_DESCRIPTION = 2000
FILE_WORKERS = 2


@dataclass
class Upload:
    """One uploaded file: its cleaned original name, a seekable stream and what checks found."""

    filename: str
    stream: BinaryIO
    size: int
    mime_type: str | None = None


@dataclass
class Intake:
    """What a create request produced."""

    batch: Batch | None
    documents: list[Document]
    enqueued: int
    timings: dict[str, float] = field(default_factory=dict)


# --- Reading the request ---------------------------------------------------------------------


def stream_size(stream: BinaryIO) -> int:
    """The size of a seekable stream, which is left at its start."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def uploads_from(parts: Iterable) -> list[Upload]:
    """Uploads from multipart file parts (.filename, .stream); a file input left empty is skipped."""
    uploads = []
    for part in parts:
        size = stream_size(part.stream)
        if not part.filename and size == 0:
            continue
        uploads.append(
            Upload(filename=clean_filename(part.filename), stream=part.stream, size=size)
        )
    return uploads


# --- Checks (read only) ----------------------------------------------------------------------


def check_count(uploads: Sequence[Upload], limits: plans.PlanLimits, batch: bool) -> None:
    """At least one file, and no more than the plan allows (one for a single document)."""
    if not uploads:
        raise IntakeError(ErrorCode.NO_FILES, "Choose at least one file to upload (field 'files').")
    allowed = limits.files_per_batch if batch else 1
    if len(uploads) > allowed:
        if batch:
            message = (
                f"The {limits.plan.value} plan allows {allowed} files per batch; "
                f"this request has {len(uploads)}."
            )
        else:
            message = (
                f"A single-document upload takes one file; this request has {len(uploads)}. "
                "Upload several files as a batch."
            )
        raise IntakeError(
            ErrorCode.TOO_MANY_FILES, message, {"allowed": allowed, "received": len(uploads)}
        )


def check_text(fields: Mapping[str, str], key: str, limit: int, label: str) -> str | None:
    """An optional text field, stripped; 400 bad_request when longer than the limit."""
    value = (fields.get(key) or "").strip()
    if len(value) > limit:
        raise IntakeError(
            ErrorCode.BAD_REQUEST,
            f"The {label} may be at most {limit} characters; it has {len(value)}.",
            {"field": key},
        )
    return value or None


def check_reuse(fields: Mapping[str, str]) -> bool:
    """The `reuse` field: may earlier results of the same files be reused (default true)."""
    try:
        return reuse.parse_choice(fields)
    except reuse.ReuseChoiceError:
        raise IntakeError(
            ErrorCode.BAD_REQUEST,
            "reuse must be true or false (false extracts every file again, even if seen before).",
            {"field": "reuse"},
        ) from None


def type_problem(upload: Upload) -> str | None:
    """Why a file is not an accepted PDF, JPEG or PNG (sets its mime type when it is)."""
    ext = os.path.splitext(upload.filename)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        shown = f" (this one is {ext})" if ext else " (this one has no extension)"
        return f"Only PDF, JPEG and PNG files (.pdf, .jpg, .jpeg, .png) are accepted{shown}."
    if upload.size == 0:
        return "The file is empty."
    upload.stream.seek(0)
    head = upload.stream.read(SNIFF_BYTES)
    upload.stream.seek(0)
    mime = detect_file_type(head, upload.filename)
    if mime is None:
        label = ALLOWED_EXTENSIONS[ext]
        return f"The file's content is not a {label}, although its name ends in {ext}."
    upload.mime_type = mime
    return None


def check_types(uploads: Sequence[Upload]) -> None:
    """Every file is a PDF, JPEG or PNG by content and extension, and not empty."""
    problems = []
    for upload in uploads:
        reason = type_problem(upload)
        if reason:
            problems.append({"filename": upload.filename, "reason": reason})
    if problems:
        names = ", ".join(p["filename"] for p in problems[:5]) + (
            "..." if len(problems) > 5 else ""
        )
        raise IntakeError(
            ErrorCode.UNSUPPORTED_FILE,
            f"Only PDF, JPEG and PNG files can be uploaded; not accepted: {names}.",
            {"files": problems},
        )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_sizes(uploads: Sequence[Upload], max_bytes: int) -> None:
    """No file over the per-file limit."""
    problems = [
        {
            "filename": u.filename,
            "reason": f"The file is {megabytes(u.size)}; the limit is "
            f"{max_bytes // (1024 * 1024)} MB per file.",
        }
        for u in uploads
        if u.size > max_bytes
    ]
    if problems:
        raise IntakeError(
            ErrorCode.FILE_TOO_LARGE,
            f"Each file may be at most {max_bytes // (1024 * 1024)} MB.",
            {"files": problems},
        )


# --- The unit of work ------------------------------------------------------------------------


@dataclass
class StoredUpload:
    """One file after storing and counting: its key, size, hash, pages or why it is unreadable."""

    key: str
    size: int
    sha256: str
    pages: int
    error: PageCountError | None
    store_s: float
    count_s: float


def store_and_count(storage, upload: Upload, keys: list[str], budget: CountBudget) -> StoredUpload:
    """Store one file and count its pages; its key goes into keys as soon as it is stored.

    A file whose pages cannot be counted is deleted again: its document fails at once.
    """
    started = time.perf_counter()
    max_pages, seconds = budget.take()
    upload.stream.seek(0)
    stored = storage.save(upload.stream, upload.mime_type)
    keys.append(stored.key)
    counted = time.perf_counter()
    pages, error = 0, None
    try:
        with storage.local_path(stored.key) as path:
            pages = count_pages(path, upload.mime_type, max_pages=max_pages, deadline_s=seconds)
    except PageCountError as exc:
        took = time.perf_counter() - counted
        refused = budget.refused(upload.filename, exc, max_pages, seconds, took)
        if refused is not None:
            raise refused from None
        error = exc
        storage.delete(stored.key)
    budget.spend(pages, time.perf_counter() - counted)
    return StoredUpload(
        stored.key, stored.size, stored.sha256, pages, error, counted - started,
        time.perf_counter() - counted,
    )  # fmt: skip


def store_files(
    storage, uploads: Sequence[Upload], keys: list[str], budget: CountBudget
) -> list[StoredUpload]:
    """Store and count every file, two at a time, in upload order; stop at the first error.

    Saving and hashing a file release the GIL while counting pages (pure Python) holds it, so
    with two workers one file is written while another one's pages are counted.
    """
    pool = ThreadPoolExecutor(max_workers=min(FILE_WORKERS, len(uploads)))
    try:
        futures = [pool.submit(store_and_count, storage, u, keys, budget) for u in uploads]
        wait(futures, return_when=FIRST_EXCEPTION)
    finally:
        # every file that was started is finished, so keys names everything stored
        pool.shutdown(wait=True, cancel_futures=True)
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()
    return [future.result() for future in futures]


def new_document(
    user: User, upload: Upload, stored: StoredUpload, prompt: str | None, reuse_results: bool = True
) -> Document:
    """The document row of a stored file (failed when its pages could not be counted)."""
    doc = Document(
        id=new_id(),
        user_id=user.id,
        original_filename=upload.filename,
        storage_key=stored.key,
        mime_type=upload.mime_type,
        size_bytes=stored.size,
        sha256=stored.sha256,
        page_count=stored.pages,
        extraction_prompt=prompt,
        reuse=reuse_results,
        status=DocumentStatus.UPLOADED,
    )
    if stored.error is not None:
        doc.transition(DocumentStatus.FAILED)
        doc.error_code = ErrorCode(stored.error.code)
        doc.error_message = stored.error.message
        doc.completed_at = utcnow()
    return doc


def store_all(
    user: User,
    uploads: Sequence[Upload],
    prompts: Prompts,
    batch: Batch | None,
    budget: CountBudget,
    reuse_results: bool = True,
) -> tuple[list[Document], dict[str, float]]:
    """Store, count and write everything in one transaction; on any error leave nothing behind."""
    storage = get_storage()
    timings = {"files": 0.0, "store": 0.0, "count": 0.0, "database": 0.0}
    keys: list[str] = []
    try:
        started = time.perf_counter()
        files = store_files(storage, uploads, keys, budget)
        timings["files"] = time.perf_counter() - started
        timings["store"] = sum(f.store_s for f in files)
        timings["count"] = sum(f.count_s for f in files)
        documents = [
            new_document(user, upload, stored, prompt, reuse_results)
            for upload, stored, prompt in zip(uploads, files, prompts.per_file, strict=True)
        ]
        started = time.perf_counter()
        if batch is not None:
            db.session.add(batch)
            for doc in documents:
                doc.batch_id = batch.id
        db.session.add_all(documents)
        if batch is not None:
            readable = [d for d in documents if d.status == DocumentStatus.UPLOADED]
            batch.document_count = len(documents)
            batch.failed_count = len(documents) - len(readable)
            batch.total_pages = sum(d.page_count for d in readable)
            batch.transition(BatchStatus.QUEUED if readable else BatchStatus.FAILED)
            record(
                AuditAction.BATCH_CREATED,
                user_id=user.id,
                batch_id=batch.id,
                documents=batch.document_count,
                failed=batch.failed_count,
                pages=batch.total_pages,
                prompt_strategy=prompts.strategy.value,
            )
            outbox_intake(batch, documents)
        else:
            doc = documents[0]
            outbox_intake(None, documents)
            record(
                AuditAction.DOCUMENT_CREATED,
                user_id=user.id,
                document_id=doc.id,
                filename=doc.original_filename,
                pages=doc.page_count,
                prompt_strategy=prompts.strategy.value,
            )
        commit_without_expiring()
        timings["database"] += time.perf_counter() - started
    except BaseException:
        db.session.rollback()
        for key in keys:
            with contextlib.suppress(Exception):
                storage.delete(key)
        raise
    return documents, timings


def outbox_intake(batch: Batch | None, documents: list[Document]) -> None:
    """Announce the documents that failed at intake, and a batch that is final already."""
    failed = [d for d in documents if d.status == DocumentStatus.FAILED]
    if not failed:
        return
    db.session.flush()
    for doc in failed:
        outbox.document_failed(doc.id)
    if batch is not None and batch.status in states.BATCH_FINAL:
        outbox.batch_finished(batch.id)


def commit_without_expiring() -> None:
    """Commit, keeping the just-written rows loaded.

    Every value of the new rows was set here, so expiring them (the session's default) would
    only make each of the batch's documents reload itself with a query of its own.
    """
    session = db.session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        db.session.commit()
    finally:
        session.expire_on_commit = previous


def intake(user: User, uploads: Sequence[Upload], fields: Mapping[str, str], batch: bool) -> Intake:
    """Run every check, then the unit of work, then enqueue (see the module docstring)."""
    from flask import current_app

    config = current_app.config
    limits = plans.user_limits(user)
    check_plan(limits, "batch_upload" if batch else None)
    check_count(uploads, limits, batch)
    name = description = None
    if batch:
        name = check_text(fields, "name", MAX_NAME, "name")
        description = check_text(fields, "description", MAX_DESCRIPTION, "description")
    prompts = resolve_prompts(fields, [u.filename for u in uploads], config["MAX_PROMPT_CHARS"])
    check_types(uploads)
    check_sizes(uploads, config["MAX_FILE_BYTES"])
    reuse_results = check_reuse(fields)
    check_quota(user, limits, len(uploads))

    row = None
    if batch:
        row = Batch(
            id=new_id(),
            user_id=user.id,
            name=name or default_name(len(uploads)),
            description=description,
            prompt_strategy=prompts.strategy,
            extraction_prompt=prompts.batch_prompt,
            status=BatchStatus.PENDING_UPLOAD,
        )
    documents, timings = store_all(
        user, uploads, prompts, row, budget_from(config), reuse_results=reuse_results
    )
    ids = [doc.id for doc in documents if doc.status == DocumentStatus.UPLOADED]
    started = time.perf_counter()
    enqueued = queueing.enqueue_documents(ids)
    timings["enqueue"] = time.perf_counter() - started
    ms = {key: round(value * 1000, 1) for key, value in timings.items()}
    if row is not None:
        log.info(
            "batch created batch_id=%s user_id=%s documents=%d failed=%d pages=%d enqueued=%d "
            "files_ms=%s store_ms=%s count_ms=%s database_ms=%s enqueue_ms=%s",
            row.id, user.id, row.document_count, row.failed_count, row.total_pages, enqueued,
            ms["files"], ms["store"], ms["count"], ms["database"], ms["enqueue"],
            extra={"batch_id": str(row.id), "timings": ms},
        )  # fmt: skip
    else:
        doc = documents[0]
        log.info(
            "document created document_id=%s user_id=%s status=%s pages=%d enqueued=%d",
            doc.id, user.id, doc.status, doc.page_count, enqueued,
            extra={"document_id": str(doc.id), "timings": ms},
        )  # fmt: skip
    return Intake(batch=row, documents=documents, enqueued=enqueued, timings=timings)


def create_batch(user: User, uploads: Sequence[Upload], fields: Mapping[str, str]) -> Intake:
    """Create a batch from uploaded files and form fields (the create fields of the API)."""
    return intake(user, uploads, fields, batch=True)


def create_document(user: User, uploads: Sequence[Upload], fields: Mapping[str, str]) -> Intake:
    """Create a single document without a batch (every plan, one file)."""
    return intake(user, uploads, fields, batch=False)
