"""The state machines of Batch and Document: the one place that owns their transitions.

Batch::

    pending_upload ──► queued ──► processing ──► completed
          │              │  │          │    ├──► partially_completed
          │              │  │          │    └──► failed
          │              │  └──────────┼──► (final directly when every document is terminal)
          └──► failed    └──► cancelled ◄┘
                                  │
                                  └──► queued   (resume only: its cancelled documents go again)

Document::

    uploaded ──► processing ──► completed
       │  ▲          │
       │  │          └──► failed ──┐
       │  └──── retry / sweeper ◄──┘ (processing → uploaded when its worker was lost)
       ├──► failed (rejected before a job could start, e.g. quota or unreadable file)
       └──► cancelled ──► uploaded (resume only)

Resume is the one way out of `cancelled`. Its moves live in maps of their own
(RESUME_BATCH_TRANSITIONS, RESUME_DOCUMENT_TRANSITIONS) that only `resume=True` consults, and
only `batch_actions.resume_batch` passes it: a model's `transition()`, a job, the sweeper, the
finalizer and question batches (which share these maps and have no resume) still find
`cancelled` final.
"""

from collections.abc import Iterable

from app.models.enums import BatchStatus as B
from app.models.enums import DocumentStatus as D


class IllegalTransition(Exception):
    """A status change that the state machine does not allow."""


BATCH_TRANSITIONS: dict[B, frozenset[B]] = {
    B.PENDING_UPLOAD: frozenset({B.QUEUED, B.FAILED}),
    B.QUEUED: frozenset({B.PROCESSING, B.CANCELLED, B.COMPLETED, B.PARTIALLY_COMPLETED, B.FAILED}),
    B.PROCESSING: frozenset({B.COMPLETED, B.PARTIALLY_COMPLETED, B.FAILED, B.CANCELLED}),
    # A retry of failed documents reopens a finished batch; completed is final, and so is
    # cancelled for everything but a resume (RESUME_BATCH_TRANSITIONS below).
    B.COMPLETED: frozenset(),
    B.PARTIALLY_COMPLETED: frozenset({B.QUEUED}),
    B.FAILED: frozenset({B.QUEUED}),
    B.CANCELLED: frozenset(),
}

DOCUMENT_TRANSITIONS: dict[D, frozenset[D]] = {
    D.UPLOADED: frozenset({D.PROCESSING, D.CANCELLED, D.FAILED}),
    D.PROCESSING: frozenset({D.COMPLETED, D.FAILED, D.UPLOADED}),
    D.COMPLETED: frozenset(),
    D.FAILED: frozenset({D.UPLOADED}),
    D.CANCELLED: frozenset(),
}

# Resume (document batches only, through batch_actions.resume_batch): a cancelled batch goes back
# to queued, as a retry reopens a finished batch, and its cancelled documents back to uploaded.
RESUME_BATCH_TRANSITIONS: dict[B, frozenset[B]] = {B.CANCELLED: frozenset({B.QUEUED})}
RESUME_DOCUMENT_TRANSITIONS: dict[D, frozenset[D]] = {D.CANCELLED: frozenset({D.UPLOADED})}

BATCH_FINAL = frozenset({B.COMPLETED, B.PARTIALLY_COMPLETED, B.FAILED, B.CANCELLED})
BATCH_ACTIVE = frozenset({B.QUEUED, B.PROCESSING})
DOCUMENT_TERMINAL = frozenset({D.COMPLETED, D.FAILED, D.CANCELLED})


def _batch_moves(old: B, resume: bool) -> frozenset[B]:
    table = RESUME_BATCH_TRANSITIONS if resume else BATCH_TRANSITIONS
    return table.get(old, frozenset())


def _document_moves(old: D, resume: bool) -> frozenset[D]:
    table = RESUME_DOCUMENT_TRANSITIONS if resume else DOCUMENT_TRANSITIONS
    return table.get(old, frozenset())


def check_batch(old: str, new: str, *, resume: bool = False) -> B:
    """Raise IllegalTransition unless the batch may move from old to new (resume: as a resume)."""
    old, new = B(old), B(new)
    if new not in _batch_moves(old, resume):
        raise IllegalTransition(f"batch cannot go from {old} to {new}")
    return new


def check_document(old: str, new: str, *, resume: bool = False) -> D:
    """Raise IllegalTransition unless the document may go from old to new (resume: as a resume)."""
    old, new = D(old), D(new)
    if new not in _document_moves(old, resume):
        raise IllegalTransition(f"document cannot go from {old} to {new}")
    return new


def document_sources(new: str, candidates: Iterable[str], *, resume: bool = False) -> list[D]:
    """The statuses among candidates from which a document may move to new (for bulk UPDATEs)."""
    sources = [D(c) for c in candidates if D(new) in _document_moves(D(c), resume)]
    if not sources:
        raise IllegalTransition(f"no document may move to {new} from {list(candidates)}")
    return sources


def batch_sources(new: str, candidates: Iterable[str], *, resume: bool = False) -> list[B]:
    """The statuses among candidates from which a batch may move to new (for bulk UPDATEs)."""
    sources = [B(c) for c in candidates if B(new) in _batch_moves(B(c), resume)]
    if not sources:
        raise IllegalTransition(f"no batch may move to {new} from {list(candidates)}")
    return sources


def final_batch_status(completed: int, failed: int, cancelled: int, total: int) -> B | None:
    """The final status a batch takes once every document is terminal, or None if not yet."""
    if completed + failed + cancelled < total:
        return None
    if cancelled:
        return B.CANCELLED
    if failed == 0:
        return B.COMPLETED
    if completed == 0:
        return B.FAILED
    return B.PARTIALLY_COMPLETED


# Failures that the same file will meet again: retrying them cannot help (the file has to be
# fixed and uploaded again). Every other failure (the provider, a lost worker, the quota, a
# timeout) may pass on a retry.
NOT_RETRYABLE = frozenset(
    {
        "unreadable_pdf",
        "encrypted_pdf",
        "unreadable_file",
        "unsupported_file",
        "too_complex",
        "file_missing",
    }
)


def retryable(error_code) -> bool:
    """Whether retrying a document that failed with this code may help."""
    return error_code is None or str(error_code) not in NOT_RETRYABLE
