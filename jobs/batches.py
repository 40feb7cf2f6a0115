"""Batch jobs: the periodic finalizer and sweeper run by rq-scheduler."""

import logging

from app.extensions import db
from app.services import finalize, sweeper
from jobs import in_app_context

log = logging.getLogger(__name__)


def sweep_question_batches() -> dict | None:
    """The question batches' own sweeper and finalizer; a failure there never stops ours."""
    try:
        from app.services.questions.actions import sweep_question_items

        return sweep_question_items()
    except Exception:  # noqa: BLE001 - logged; the document sweep has already run
        db.session.rollback()
        log.exception("sweeping question batches failed")
        return None


def run_periodic() -> dict:
    """Sweep lost documents, finalize what is left unfinalized; the figures are recorded."""
    report = sweeper.sweep()
    report.finalized = finalize.finalize_pending()
    data = sweeper.record_last_run(report, questions=sweep_question_batches())
    finalize.log_event("sweeper.ran", **{k: v for k, v in data.items() if k != "at"})
    return data


@in_app_context
def periodic() -> dict:
    """The rq-scheduler job (`flask schedule register`): sweeper and finalizer in one run."""
    return run_periodic()
