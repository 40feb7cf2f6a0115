"""The state machines of Batch, Document and QuestionItem: the one place that owns their
transitions.

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

QuestionItem (a row of a question batch)::

    queued ──► answering ──► completed
      │  ▲         │
      │  │         └──► failed ──┐
      │  └──── retry / sweeper ◄─┘ (answering → queued when its worker was lost)
      └──► cancelled

Question batches follow the batch machine; their rows have names of their own (a row waits in
`queued` and is `answering` while its thread's job asks about it) and the same terminal values as
documents (`completed`, `failed`, `cancelled`), which clients poll for and exports print.

Resume is the one way out of `cancelled`. Its moves live in maps of their own
(RESUME_BATCH_TRANSITIONS, RESUME_DOCUMENT_TRANSITIONS) that only `resume=True` consults, and
only `batch_actions.resume_batch` passes it: a model's `transition()`, a job, the sweeper, the
finalizer and question batches (which have no resume) still find `cancelled` final.
"""

from collections.abc import Iterable

from app.models.enums import BatchStatus as B
from app.models.enums import DocumentStatus as D
from app.models.enums import QuestionStatus as Q


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

QUESTION_TRANSITIONS: dict[Q, frozenset[Q]] = {
    Q.QUEUED: frozenset({Q.ANSWERING, Q.CANCELLED}),
    Q.ANSWERING: frozenset({Q.COMPLETED, Q.FAILED, Q.QUEUED}),
    Q.COMPLETED: frozenset(),
    Q.FAILED: frozenset({Q.QUEUED}),
    Q.CANCELLED: frozenset(),
}

# Resume (document batches only, through batch_actions.resume_batch): a cancelled batch goes back
# to queued, as a retry reopens a finished batch, and its cancelled documents back to uploaded.
RESUME_BATCH_TRANSITIONS: dict[B, frozenset[B]] = {B.CANCELLED: frozenset({B.QUEUED})}
RESUME_DOCUMENT_TRANSITIONS: dict[D, frozenset[D]] = {D.CANCELLED: frozenset({D.UPLOADED})}

BATCH_FINAL = frozenset({B.COMPLETED, B.PARTIALLY_COMPLETED, B.FAILED, B.CANCELLED})
BATCH_ACTIVE = frozenset({B.QUEUED, B.PROCESSING})
DOCUMENT_TERMINAL = frozenset({D.COMPLETED, D.FAILED, D.CANCELLED})
QUESTION_TERMINAL = frozenset({Q.COMPLETED, Q.FAILED, Q.CANCELLED})


def _table(kind: str, resume: bool) -> tuple[type, dict]:
    """The status enum of a kind of row and the map of its moves (resume: the resume map)."""
    if kind == "batch":
        return B, RESUME_BATCH_TRANSITIONS if resume else BATCH_TRANSITIONS
    if kind == "document":
        return D, RESUME_DOCUMENT_TRANSITIONS if resume else DOCUMENT_TRANSITIONS
    return Q, {} if resume else QUESTION_TRANSITIONS


def _check(kind: str, old: str, new: str, resume: bool):
    status, table = _table(kind, resume)
    old, new = status(old), status(new)
    if new not in table.get(old, frozenset()):
        raise IllegalTransition(f"{kind} cannot go from {old} to {new}")
    return new


def _sources(kind: str, new: str, candidates: Iterable[str], resume: bool) -> list:
    status, table = _table(kind, resume)
    sources = [status(c) for c in candidates if status(new) in table.get(status(c), frozenset())]
    if not sources:
        raise IllegalTransition(f"no {kind} may move to {new} from {list(candidates)}")
    return sources


def check_batch(old: str, new: str, *, resume: bool = False) -> B:
    """Raise IllegalTransition unless the batch may move from old to new (resume: as a resume)."""
    return _check("batch", old, new, resume)


def check_document(old: str, new: str, *, resume: bool = False) -> D:
    """Raise IllegalTransition unless the document may go from old to new (resume: as a resume)."""
    return _check("document", old, new, resume)


def check_question(old: str, new: str) -> Q:
    """Raise IllegalTransition unless a question row may go from old to new."""
    return _check("question", old, new, False)


def document_sources(new: str, candidates: Iterable[str], *, resume: bool = False) -> list[D]:
    """The statuses among candidates from which a document may move to new (for bulk UPDATEs)."""
    return _sources("document", new, candidates, resume)


def question_sources(new: str, candidates: Iterable[str]) -> list[Q]:
    """The statuses among candidates from which a question row may move to new (bulk UPDATEs)."""
    return _sources("question", new, candidates, False)


def batch_sources(new: str, candidates: Iterable[str], *, resume: bool = False) -> list[B]:
    """The statuses among candidates from which a batch may move to new (for bulk UPDATEs)."""
    return _sources("batch", new, candidates, resume)


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
