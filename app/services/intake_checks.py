"""What every create request decides before anything is stored, for document batches, single
documents and question batches alike: does the plan include it, are enough pages left, and what
is a batch called when nobody named it.

Kept apart from `intake` so that question batches use the same checks without importing the
document pipeline.
"""

from __future__ import annotations

import os

from app.errors import IntakeError
from app.models import ErrorCode, User
from app.models.types import utcnow
from app.services import plans, quota

MAX_NAME = 200

# What a plan must include for each kind of upload (a field of plans.PlanLimits that is true or
# above zero), and the sentence that says so when it does not.
UPGRADE_SENTENCES = {
    "batch_upload": "Batch upload is not part of the {plan} plan. Upgrade to Plus or Growth, or "
    "upload documents one at a time.",
    "question_rows": "Question batches come with the Plus and Growth plans. Upgrade to upload a "
    "file of questions.",
}


def check_plan(limits: plans.PlanLimits, feature: str | None = "batch_upload") -> None:
    """403 upgrade_required unless the plan includes the feature (None: open to every plan).

    "batch_upload" for a batch of documents, "question_rows" for a file of questions.
    """
    if feature is None or getattr(limits, feature) > 0:
        return
    plan = limits.plan.value
    raise IntakeError(
        ErrorCode.UPGRADE_REQUIRED, UPGRADE_SENTENCES[feature].format(plan=plan), {"plan": plan}
    )


def pages_left(user: User, limits: plans.PlanLimits) -> int:
    """Pages the user may still use this period."""
    return max(limits.pages_per_month - quota.pages_used(user), 0)


def quota_sentence(left: int, count: int, unit: str = "files") -> str:
    """Why `count` files (one page each at least) or questions (one page each) do not fit."""
    if unit == "questions":
        return (
            f"Each question uses one page: this file has {count} questions and {left} pages are "
            "left this period."
        )
    return (
        f"You have {left} page{'s' if left != 1 else ''} left this period and this upload "
        f"has {count} file{'s' if count != 1 else ''}. Upgrade your plan or wait for the "
        "next period."
    )


def check_quota(user: User, limits: plans.PlanLimits, count: int, unit: str = "files") -> None:
    """402 quota_exceeded unless a page is left this period for each file (or question)."""
    left = pages_left(user, limits)
    if left < count:
        raise IntakeError(
            ErrorCode.QUOTA_EXCEEDED,
            quota_sentence(left, count, unit),
            {"pages_left": left, unit: count},
        )


def default_name(count: int, now=None, *, filename: str | None = None, noun: str = "file") -> str:
    """A batch name for a user who gave none.

    A batch read from one uploaded file (a file of questions) is named after it without its
    extension ('march-questions.csv' → 'march-questions'; 'Questions' when the file has no name);
    a batch of files is "Batch of 3 files, 23 Nov 2026 14:05" (UTC).
    """
    if filename is not None:
        base = os.path.basename(filename).rsplit(".", 1)[0].strip()
        return (base or f"{noun.capitalize()}s")[:MAX_NAME]
    now = now or utcnow()
    nouns = noun if count == 1 else f"{noun}s"
    return f"Batch of {count} {nouns}, {now.day} {now:%b %Y %H:%M}"
