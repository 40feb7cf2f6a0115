"""The operators' overview and the audit log (admins only; see guard_admin)."""

from datetime import UTC, datetime

from flask import current_app, render_template, request
from redis.exceptions import RedisError

from app.admin import bp, monitor, stats
from app.extensions import get_redis


def parse_time(value) -> datetime | None:
    """An ISO timestamp as an aware datetime, or None."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@bp.route("/")
def overview():
    """Queues, workers, scheduler and sweeper, documents per status, batches in flight."""
    now = datetime.now(UTC)
    redis_error = None
    queues, failed_jobs, workers, scheduler, sweeper, periodic = [], [], [], None, None, None
    try:
        conn = get_redis()
        queues = monitor.queue_stats(conn)
        failed_jobs = monitor.recent_failed_jobs(conn)
        workers = monitor.workers(conn)
        scheduler = monitor.check_scheduler(conn)
        sweeper = monitor.sweeper_last_run(conn)
        periodic = monitor.periodic_job(conn)
    except RedisError as exc:
        redis_error = f"{type(exc).__name__}: {exc}"
    in_flight_total, in_flight = stats.batches_in_flight()
    pages_today, documents_today = stats.pages_processed_today(now)
    sweeper_at = parse_time(sweeper.get("at")) if sweeper else None
    sweeper_counts = sweeper_rows(sweeper or {})
    return render_template(
        "admin/overview.html",
        now=now,
        redis_error=redis_error,
        queues=queues,
        failed_jobs=failed_jobs,
        failed_total=sum(q.failed for q in queues),
        queued_total=sum(q.queued for q in queues),
        workers=workers,
        heartbeat_limit=current_app.config["READY_WORKER_HEARTBEAT_SECONDS"],
        scheduler=scheduler,
        periodic=periodic,
        sweeper=sweeper,
        sweeper_at=sweeper_at,
        sweeper_counts=sweeper_counts,
        documents_per_status=stats.documents_per_status(),
        in_flight_total=in_flight_total,
        in_flight=in_flight,
        oldest_waiting=stats.oldest_waiting_document(),
        pages_today=pages_today,
        documents_today=documents_today,
    )


@bp.route("/audit")
def audit():
    """The audit log, filtered by user (email or id), batch id and action."""
    filters = stats.AuditFilter(
        user=request.args.get("user", ""),
        batch=request.args.get("batch", ""),
        action=request.args.get("action", ""),
    )
    page = request.args.get("page", 1, type=int) or 1
    result = stats.audit_page(filters, page)
    status = 400 if result.problems else 200
    return render_template(
        "admin/audit.html",
        filters=filters,
        result=result,
        actions=stats.known_actions(),
    ), status


def sweeper_rows(sweeper: dict) -> list[tuple[str, str, object]]:
    """The sweeper's last counts as (what, counter, value) rows: documents first, then the
    nested groups (question rows, ...)."""
    rows: list[tuple[str, str, object]] = []
    nested = []
    for key, value in sweeper.items():
        if key == "at":
            continue
        if isinstance(value, dict):
            nested += [(key, str(k), v) for k, v in value.items()]
        else:
            rows.append(("documents", key, value))
    return rows + nested
