"""`flask batches finalize|sweep` and `flask schedule register`."""

from flask.cli import AppGroup

batches_cli = AppGroup("batches", help="Finalize and sweep batches.")
schedule_cli = AppGroup("schedule", help="Periodic jobs run by rq-scheduler.")
