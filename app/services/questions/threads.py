"""How the jobs of a question batch are named and what they are given.

A thread job gets the batch id and the id of the thread's first row, never the thread key: the key
holds the file's chat_id, text a user wrote, and job arguments and descriptions are shown on the
operators' queue pages. The job looks its rows up by that first row. Descriptions are fixed.
"""

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import QuestionItem

THREAD_JOB_DESCRIPTION = "question thread job"
INDEX_JOB_DESCRIPTION = "question indexing job"


def job_timeout(rows: int) -> int:
    """The RQ timeout of a job answering (or indexing for) this many rows."""
    base = int(current_app.config["JOB_TIMEOUT_SECONDS"])
    return min(base + 60 * max(rows, 1), 6 * 3600)


def index_job_id(batch_id) -> str:
    """The deterministic RQ job id of a batch's indexing job."""
    return f"question-index-{batch_id}"


def thread_job_id(batch_id, thread_key: str) -> str:
    """The deterministic RQ job id of a thread, so that one thread never has two queued jobs."""
    digest = hashlib.sha1(thread_key.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"question-{batch_id}-{digest}"


def thread_heads(batch_id, keys: Iterable[str]) -> dict[str, str]:
    """The id of each thread's first row (thread key → item id): the handle its job is given."""
    rows = db.session.execute(
        sa.select(QuestionItem.thread_key, QuestionItem.id)
        .where(QuestionItem.question_batch_id == batch_id)
        .order_by(QuestionItem.row_number.desc())
    )
    heads = {key: str(item_id) for key, item_id in rows}  # the lowest row number is written last
    return {key: heads[key] for key in keys if key in heads}


def thread_key_of(batch_id, head: str) -> str | None:
    """The thread key of the thread whose first row is `head`; None when the row is gone."""
    return db.session.scalar(
        sa.select(QuestionItem.thread_key).where(
            QuestionItem.id == head, QuestionItem.question_batch_id == batch_id
        )
    )
