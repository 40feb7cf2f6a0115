"""gunicorn settings from the environment (PaaS friendly)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Threaded workers: a slow upload holds one thread, and the worker keeps sending its heartbeat,
# so a long request is not killed as a hung worker.
worker_class = "gthread" if threads > 1 else "sync"
# Large uploads (50 MB files, whole batches) need time on slow links.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# The heartbeat file in memory: a slow disk must not make gunicorn restart healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# The app writes one access line per request itself, with the request id and user id.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
