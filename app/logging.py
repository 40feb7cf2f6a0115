"""One log line per event: JSON in production, key=value in development.

Every line carries the ids known where it was written: the request id and user id of a web
request, the batch and document ids a job binds with `log_context(...)`, the RQ job id. Web
requests get a request id from `X-Request-ID` (or a new one), echoed in the response, and one
access line each (method, path, status, ms, user).
"""

import contextlib
import contextvars
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request, session

CONTEXT_FIELDS = ("request_id", "user_id", "batch_id", "document_id", "job_id")
REQUEST_ID_HEADER = "X-Request-ID"
# A client's request id is kept only when it is short and plain (it ends up in every log line).
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged too.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_HANDLER_FLAG = "_ingestio_handler"
ADOPTED_LOGGERS = (
    "rq",
    "rq.worker",
    "rq.job",
    "rq.scheduler",
    "rq_scheduler.scheduler",
    "app",
    "jobs",
    "ingestio",
)

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "ingestio_log_context", default=None
)

access_log = logging.getLogger("ingestio.access")


@contextlib.contextmanager
def log_context(**ids) -> Iterator[dict]:
    """Add ids (batch_id=..., document_id=...) to every log line written inside the block."""
    merged = {**(_context.get() or {}), **{k: str(v) for k, v in ids.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield merged
    finally:
        _context.reset(token)


def current_context() -> dict:
    """The ids bound to log lines at this point (request, user, batch, document, job)."""
    ids = dict(_context.get() or {})
    if has_request_context():
        ids.setdefault("request_id", g.get("request_id"))
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            ids.setdefault("user_id", str(user.id))
    if "job_id" not in ids:
        job = _current_rq_job()
        if job is not None:
            ids["job_id"] = job.id
    return {k: v for k, v in ids.items() if v is not None}


def _current_rq_job():
    try:
        from rq import get_current_job

        return get_current_job()
    except Exception:  # noqa: BLE001 - outside a job, or no Redis: no job id
        return None


class ContextFilter(logging.Filter):
    """Copy the bound ids onto each record (fields given with `extra=` win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current_context().items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        return True


def _extras(record: logging.LogRecord) -> dict:
    return {
        k: v
        for k, v in vars(record).items()
        if k not in _RECORD_ATTRS and not k.startswith("_") and v is not None
    }


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, the ids and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


def _kv_value(value) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "=\n'):
        return json.dumps(text, ensure_ascii=False)
    return text


class KeyValueFormatter(logging.Formatter):
    """`ts LEVEL logger message key=value ...` for reading in a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [_timestamp(record), record.levelname, record.name, record.getMessage()]
        extras = _extras(record)
        ordered = [k for k in CONTEXT_FIELDS if k in extras] + sorted(
            k for k in extras if k not in CONTEXT_FIELDS
        )
        parts += [f"{k}={_kv_value(extras[k])}" for k in ordered]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _DropWerkzeugAccess(logging.Filter):
    """The development server's own access line would repeat ours."""

    pattern = re.compile(r'^\S+ - - \[[^\]]*\] "')

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and self.pattern.match(str(record.msg)))


# Jobs whose routine lines (started, OK, result kept) are debug-level: a job that runs every few
# seconds would otherwise fill the log. Workers add their periodic job's id and description here
# (RQ names a job by one or the other).
QUIET_JOB_IDS: set[str] = set()


class QuietJobs(logging.Filter):
    """RQ's info lines about a job in QUIET_JOB_IDS become debug lines (shown at LOG_LEVEL=DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not record.name.startswith("rq"):
            return True
        message = record.getMessage()
        if not any(job_id in message for job_id in QUIET_JOB_IDS):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure_logging(
    json_lines: bool | None = None, level: str | int | None = None, stream=None
) -> None:
    """Send every logger (the project's, RQ's, rq-scheduler's) through one handler on stderr.

    Without arguments the format comes from LOG_JSON (default: JSON when APP_ENV=production) and
    the level from LOG_LEVEL, so a worker process can call this before any app exists. Calling
    it again replaces the handler it installed before.
    """
    if json_lines is None:
        raw = os.environ.get("LOG_JSON")
        if raw in (None, ""):
            json_lines = os.environ.get("APP_ENV") == "production"
        else:
            json_lines = raw.strip().lower() in ("1", "true", "yes", "on")
    level = level or os.environ.get("LOG_LEVEL") or "INFO"
    if isinstance(level, str):
        level = level.upper()

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_FLAG, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_FLAG, True)
    handler.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(_DropWerkzeugAccess())
    handler.addFilter(QuietJobs())
    root.addHandler(handler)
    root.setLevel(level)

    # RQ gives its loggers their own handlers and stops propagation; a handler set up earlier on
    # one of the project's own loggers would print its lines twice. All go through the root's.
    for name in ADOPTED_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True


def _request_id() -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "").strip()
    return given if REQUEST_ID_PATTERN.match(given) else uuid.uuid4().hex


def _user_id() -> str | None:
    if g.get("log_user_id"):
        return g.log_user_id
    user = g.get("_login_user")
    if user is not None:
        return str(user.id) if getattr(user, "is_authenticated", False) else None
    return session.get("_user_id") if session else None


def register_logging(app: Flask) -> None:
    """Configure logging from the app's config; request ids and one access line per request."""
    configure_logging(app.config.get("LOG_JSON", False), app.config.get("LOG_LEVEL"))

    @app.before_request
    def start_request():
        g.request_id = _request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response):
        request_id = g.get("request_id") or _request_id()
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "user_id": _user_id(),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": ms,
                "remote_addr": request.remote_addr,
            },
        )
        return response
