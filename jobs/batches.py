"""Batch jobs: the periodic finalizer and sweeper run by rq-scheduler."""

import logging

from app.extensions import db
from app.services import finalize, sweeper
from jobs import in_app_context

log = logging.getLogger(__name__)


def sweep_question_batches() -> dict | None:
    """The question batches' own sweeper and finalizer; a failure there never stops ours."""
    try:
        from app.services.questions.upkeep import sweep_question_items

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
    figures = {k: v for k, v in data.items() if k != "at"}
    # One line per run; at info level only when the run changed something.
    busy = any(_changed(v) for k, v in figures.items() if not k.endswith("_ms"))
    finalize.log_event("sweeper.ran", level=logging.INFO if busy else logging.DEBUG, **figures)
    return data


def _changed(value) -> bool:
    """True for a non-zero count, or a table of counts with one."""
    if isinstance(value, dict):
        return any(_changed(v) for v in value.values())
    return isinstance(value, int | float) and not isinstance(value, bool) and value != 0


@in_app_context
def periodic() -> dict:
    """The rq-scheduler job (`flask schedule register`): sweeper and finalizer in one run."""
    return run_periodic()
