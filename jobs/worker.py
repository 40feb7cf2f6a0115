"""The RQ worker class of the Procfile: loads the app and heavy modules once per worker process."""

from rq.worker import Worker


def preload() -> None:
    """Build the app and import the job modules before any job runs (forks inherit them)."""
    from jobs import worker_app

    app = worker_app()
    with app.app_context():
        from app.extensions import db

        # Connections must not be shared with forked job processes.
        db.engine.dispose()


class DocumentWorker(Worker):
    """RQ's forking worker with the app preloaded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        preload()
