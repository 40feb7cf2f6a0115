"""`flask batches finalize|sweep` and `flask schedule register|show`."""

import click
from flask import current_app
from flask.cli import AppGroup
from redis.exceptions import RedisError

from app.extensions import get_redis
from app.services import finalize, sweeper

batches_cli = AppGroup("batches", help="Finalize and sweep batches.")
schedule_cli = AppGroup("schedule", help="Periodic jobs run by rq-scheduler.")


@batches_cli.command("finalize")
def batches_finalize():
    """Finalize every batch whose documents are all terminal."""
    done = finalize.finalize_pending()
    for batch_id, status in done.items():
        click.echo(f"batch {batch_id}: {status}")
    click.echo(f"Finalized {len(done)} batch{'' if len(done) == 1 else 'es'}.")


@batches_cli.command("sweep")
def batches_sweep():
    """Re-enqueue lost documents and recover those whose worker is gone."""
    try:
        report = sweeper.sweep()
        sweeper.record_last_run(report)
    except RedisError as exc:
        raise click.ClickException(f"Redis is not reachable, nothing was swept: {exc}") from exc
    for doc_id in report.reset:
        click.echo(f"document {doc_id}: back to uploaded (its worker was lost)")
    for doc_id in report.failed:
        click.echo(f"document {doc_id}: failed (worker_lost, no attempts left)")
    for doc_id in report.requeued:
        click.echo(f"document {doc_id}: enqueued")
    click.echo(
        f"Swept in {report.duration_ms} ms: {len(report.requeued)} enqueued, "
        f"{len(report.reset)} reset, {len(report.failed)} failed, "
        f"{report.retries_moved} retries moved to their queue, "
        f"{report.notifications_requeued} notifications enqueued again."
    )


@schedule_cli.command("register")
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds between runs [FINALIZE_INTERVAL_SECONDS].",
)
def schedule_register(interval):
    """Register the periodic finalizer and sweeper with rq-scheduler (idempotent, fixed id)."""
    from jobs import schedule

    interval = interval or current_app.config["FINALIZE_INTERVAL_SECONDS"]
    try:
        job = schedule.register(get_redis(), interval)
    except RedisError as exc:
        raise click.ClickException(
            f"Redis is not reachable, nothing was registered: {exc}"
        ) from exc
    click.echo(
        f"Registered {job.func_name} every {interval} s on the '{schedule.PERIODIC_QUEUE}' queue "
        f"(id {job.id}); run `rqscheduler --url $REDIS_URL` to trigger it."
    )


@schedule_cli.command("show")
def schedule_show():
    """The periodic job, its next run and the sweeper's last run."""
    from jobs import schedule

    entry = schedule.registered(get_redis())
    if entry is None:
        click.echo("No periodic job registered; run `flask schedule register`.")
    else:
        job, next_run = entry
        click.echo(
            f"{job.id}: {job.func_name} every {job.meta.get('interval')} s, "
            f"next run {next_run.isoformat()}"
        )
    last = sweeper.last_run()
    click.echo(f"last sweep: {last}" if last else "last sweep: never")
