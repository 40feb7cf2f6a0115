"""The state machines allow exactly the transitions of docs/states.md."""

import pytest

from app.models import (
    Batch,
    BatchStatus,
    Document,
    DocumentStatus,
    IllegalTransition,
    QuestionBatch,
    QuestionItem,
    QuestionStatus,
    states,
)


@pytest.mark.parametrize(
    "old,new",
    [
        ("completed", "processing"),
        ("cancelled", "queued"),
        ("pending_upload", "completed"),
        ("processing", "pending_upload"),
        ("completed", "queued"),
    ],
)
def test_illegal_batch_transitions_raise(old, new):
    batch = Batch(status=BatchStatus(old))
    with pytest.raises(IllegalTransition):
        batch.transition(BatchStatus(new))
    assert batch.status == old


@pytest.mark.parametrize(
    "old,new",
    [
        ("completed", "uploaded"),
        ("cancelled", "uploaded"),
        ("cancelled", "processing"),
        ("completed", "failed"),
        ("failed", "completed"),
        ("processing", "cancelled"),
    ],
)
def test_illegal_document_transitions_raise(old, new):
    doc = Document(status=DocumentStatus(old))
    with pytest.raises(IllegalTransition):
        doc.transition(DocumentStatus(new))


def test_legal_paths():
    batch = Batch(status=BatchStatus.PENDING_UPLOAD)
    for step in (
        "queued",
        "processing",
        "partially_completed",
        "queued",
        "processing",
        "completed",
    ):
        batch.transition(BatchStatus(step))
    assert batch.status == "completed" and batch.completed_at is not None
    doc = Document(status=DocumentStatus.UPLOADED)
    for step in ("processing", "failed", "uploaded", "processing", "completed"):
        doc.transition(DocumentStatus(step))


@pytest.mark.parametrize(
    "counts,want",
    [
        ((3, 0, 0, 3), "completed"),
        ((0, 3, 0, 3), "failed"),
        ((2, 1, 0, 3), "partially_completed"),
        ((1, 0, 2, 3), "cancelled"),
        ((1, 1, 0, 3), None),
    ],
)
def test_final_status(counts, want):
    assert states.final_batch_status(*counts) == want


def test_only_a_resume_leaves_cancelled():

    # The resume's own moves, asked for by the resume alone.
    assert states.check_batch("cancelled", "queued", resume=True) == BatchStatus.QUEUED
    assert states.check_document("cancelled", "uploaded", resume=True) == DocumentStatus.UPLOADED
    assert states.batch_sources("queued", list(BatchStatus), resume=True) == [BatchStatus.CANCELLED]
    assert states.document_sources("uploaded", list(DocumentStatus), resume=True) == [
        DocumentStatus.CANCELLED
    ]
    # A resume moves nothing else, not even what the ordinary maps allow.
    for old, new in (("cancelled", "processing"), ("failed", "queued"), ("queued", "processing")):
        with pytest.raises(IllegalTransition):
            states.check_batch(old, new, resume=True)
    with pytest.raises(IllegalTransition):
        states.check_document("failed", "uploaded", resume=True)
    # Everything else, question batches included, still finds cancelled final.
    assert BatchStatus.CANCELLED not in states.batch_sources("queued", list(BatchStatus))
    assert DocumentStatus.CANCELLED not in states.document_sources("uploaded", list(DocumentStatus))
    for row, new in (
        (QuestionBatch(status=BatchStatus.CANCELLED), BatchStatus.QUEUED),
        (QuestionItem(status=QuestionStatus.CANCELLED), QuestionStatus.QUEUED),
    ):
        with pytest.raises(IllegalTransition):
            row.transition(new)


def test_question_rows_move_along_their_own_map():
    item = QuestionItem(status=QuestionStatus.QUEUED)
    for step in ("answering", "failed", "queued", "answering", "queued", "answering", "completed"):
        item.transition(QuestionStatus(step))
    assert item.status == QuestionStatus.COMPLETED and item.is_terminal
    assert states.question_sources("queued", list(QuestionStatus)) == [
        QuestionStatus.ANSWERING,
        QuestionStatus.FAILED,
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("queued", "completed"),
        ("queued", "failed"),
        ("answering", "cancelled"),
        ("completed", "queued"),
        ("completed", "answering"),
        ("cancelled", "queued"),
        ("failed", "completed"),
    ],
)
def test_illegal_question_row_moves_are_refused(old, new):
    item = QuestionItem(status=QuestionStatus(old))
    with pytest.raises(IllegalTransition, match=f"question cannot go from {old} to {new}"):
        item.transition(QuestionStatus(new))
    assert item.status == QuestionStatus(old)
    with pytest.raises(IllegalTransition):
        states.question_sources(new, [old])


def test_question_rows_do_not_take_document_names():
    with pytest.raises(ValueError):
        states.check_question("uploaded", "processing")
