"""Configuration classes, read from the environment (the table in README.md, "Configuration")."""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

if os.environ.get("APP_ENV", "development") == "development":
    # A .env file is read in development only; production takes its environment from the PaaS.
    load_dotenv(BASE_DIR / ".env")


def normalize_database_url(url: str) -> str:
    """Accept the PaaS style postgres:// URL and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def redis_url(url: str | None = None, verify: bool | None = None) -> str:
    """A Redis URL as every process connects with it (web, worker, scheduler, rate limits).

    `REDIS_TLS_VERIFY=false` lets a `rediss://` URL skip the certificate check: managed Redis
    services such as Heroku Redis present self-signed certificates, which a verifying client
    refuses. The connection stays encrypted; plain `redis://` URLs are left as they are.
    """
    if url is None:
        url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    if verify is None:
        verify = env_bool("REDIS_TLS_VERIFY", True)
    if url.startswith("rediss://") and not verify and "ssl_cert_reqs=" not in url:
        url += ("&" if "?" in url else "?") + "ssl_cert_reqs=none"
    return url


def env_int(name: str, default: int) -> int:
    """An integer from the environment, or the default."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment ('1', 'true', 'yes' are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def dev_secret_key() -> str:
    """A development secret kept under instance/ so that restarts keep sessions."""
    path = INSTANCE_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        return key


def plans_from_env() -> dict:
    """Plan limits (README.md, "Plans and billing"); each number can be overridden by
    PLAN_<PLAN>_<LIMIT>."""
    defaults = {
        "starter": {
            "batch_upload": False,
            "files_per_batch": 1,
            "pages_per_month": 50,
            "creations_per_hour": 10,
            "question_rows": 0,
        },
        "plus": {
            "batch_upload": True,
            "files_per_batch": 50,
            "pages_per_month": 1000,
            "creations_per_hour": 20,
            "question_rows": 500,
        },
        "growth": {
            "batch_upload": True,
            "files_per_batch": 200,
            "pages_per_month": 5000,
            "creations_per_hour": 60,
            "question_rows": 5000,
        },
    }
    for plan, limits in defaults.items():
        for key, value in list(limits.items()):
            if isinstance(value, bool):
                continue
            limits[key] = env_int(f"PLAN_{plan.upper()}_{key.upper()}", value)
    defaults["plus"]["price_id"] = os.environ.get("STRIPE_PRICE_PLUS", "")
    defaults["growth"]["price_id"] = os.environ.get("STRIPE_PRICE_GROWTH", "")
    defaults["starter"]["price_id"] = ""
    # The price shown on the billing page when Stripe cannot tell it, e.g. "29 USD" (optional).
    for plan in defaults:
        defaults[plan]["price"] = os.environ.get(f"PLAN_{plan.upper()}_PRICE", "")
    return defaults


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'ingestio.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    ALLOW_SQLITE = env_bool("ALLOW_SQLITE", True)
    REDIS_URL = redis_url()
    RATELIMIT_STORAGE_URI = redis_url(os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL)
    RATELIMIT_STRATEGY = "fixed-window"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute")
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "600 per minute")
    # Full status answers (GET /api/v1/batches/<id> with a 200); 304 revalidations are free.
    RATELIMIT_STATUS = os.environ.get("RATELIMIT_STATUS", "600 per minute")
    # Question file previews (each reads a whole file in the web process).
    RATELIMIT_PREVIEW = os.environ.get("RATELIMIT_PREVIEW", "10 per minute")
    # Status tags kept per web process and dropped on PostgreSQL's change notices.
    STATUS_CACHE = env_bool("STATUS_CACHE", True)
    STORAGE_URL = os.environ.get("STORAGE_URL", f"file://{INSTANCE_DIR / 'uploads'}")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    EXTRACTION_PROVIDER = os.environ.get("EXTRACTION_PROVIDER", "local")
    # A document of the same file, resolved prompt and provider/model that one user completed
    # within this many days lends its result to a new upload, which is then not charged pages;
    # 0 turns reuse off.
    REUSE_DAYS = env_int("REUSE_DAYS", 30)
    # How long a document job waits for a running job of the same file and extraction to finish
    # (to copy its result) before it extracts on its own.
    REUSE_WAIT_SECONDS = env_int("REUSE_WAIT_SECONDS", 300)
    # A completed document needs review when a requested field is missing or its confidence is
    # below this.
    REVIEW_CONFIDENCE = float(os.environ.get("REVIEW_CONFIDENCE", "0.6"))
    # Pages rendered for OCR stay within this many pixels; images over IMAGE_MAX_PIXELS are
    # refused (too_complex) before they are decoded.
    RENDER_MAX_PIXELS = env_int("RENDER_MAX_PIXELS", 25_000_000)
    IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 100_000_000)
    # OCR reads text boxes in this many threads, and at most this many boxes of a page.
    EXTRACTION_OCR_THREADS = env_int("EXTRACTION_OCR_THREADS", 2)
    EXTRACTION_OCR_MAX_BOXES = env_int("EXTRACTION_OCR_MAX_BOXES", 400)
    OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
    ANTHROPIC_API_KEY = os.environ.get("ANTHROPIC_API_KEY", "")
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    PLANS = plans_from_env()
    MAX_FILE_BYTES = env_int("MAX_FILE_BYTES", 50 * 1024 * 1024)
    MAX_PROMPT_CHARS = env_int("MAX_PROMPT_CHARS", 4000)
    # The whole request may carry a full growth batch; each file is still capped at MAX_FILE_BYTES.
    MAX_CONTENT_LENGTH = env_int("MAX_REQUEST_BYTES", 1024 * 1024 * 1024)
    # Checked before any body is read: requests without a login (login and register forms), and
    # room for the form fields next to a signed-in user's files (files per batch × MAX_FILE_BYTES).
    MAX_ANONYMOUS_REQUEST_BYTES = env_int("MAX_ANONYMOUS_REQUEST_BYTES", 64 * 1024)
    REQUEST_SLACK_BYTES = env_int("REQUEST_SLACK_BYTES", 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    MAX_FORM_PARTS = 2000
    FINALIZE_INTERVAL_SECONDS = env_int("FINALIZE_INTERVAL_SECONDS", 10)
    SWEEP_GRACE_SECONDS = env_int("SWEEP_GRACE_SECONDS", 60)
    JOB_TIMEOUT_SECONDS = env_int("JOB_TIMEOUT_SECONDS", 600)
    # What one forked job may use (jobs/limits.py); 0 turns a limit off.
    JOB_MEMORY_MB = env_int("JOB_MEMORY_MB", 1536)
    JOB_CPU_SECONDS = env_int("JOB_CPU_SECONDS", 600)
    # Page counting at intake: pages of one file, and pages and seconds of one request.
    MAX_PAGES_PER_FILE = env_int("MAX_PAGES_PER_FILE", 2000)
    MAX_PAGES_PER_REQUEST = env_int("MAX_PAGES_PER_REQUEST", 20000)
    PAGE_COUNT_SECONDS_PER_REQUEST = env_int("PAGE_COUNT_SECONDS_PER_REQUEST", 30)
    MAX_ATTEMPTS = env_int("MAX_ATTEMPTS", 3)
    POLL_INTERVAL_MS = env_int("POLL_INTERVAL_MS", 1500)
    # A login lasts at most this long (the server ends it then, whatever the cookie says); the
    # signed cookie and the CSRF tokens issued with it expire with it.
    SESSION_LIFETIME_HOURS = env_int("SESSION_LIFETIME_HOURS", 7 * 24)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_LIFETIME_HOURS)
    WTF_CSRF_TIME_LIMIT = SESSION_LIFETIME_HOURS * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    LOG_JSON = env_bool("LOG_JSON", False)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Security headers (app/security.py). HSTS and the proxy fix only where a router adds HTTPS.
    CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "")
    HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
    PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = env_int("PROXY_FIX_X_PROTO", 0)
    # /readyz wants a worker whose heartbeat is younger than this (RQ's worker TTL + a minute).
    READY_WORKER_HEARTBEAT_SECONDS = env_int("READY_WORKER_HEARTBEAT_SECONDS", 480)
    # /readyz shows its checks to admins and to callers sending this as a Bearer token.
    READYZ_TOKEN = os.environ.get("READYZ_TOKEN", "")
    # Links in notifications (e-mail, the `url` of webhook events); otherwise the address the
    # user last used the account page at.
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
    # Webhooks: local receivers (http, private addresses) are allowed outside production.
    WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", True)
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS") or 10)
    WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
    # Seconds before each retry; the last one repeats. The default spreads 8 attempts over ~22 h.
    WEBHOOK_RETRY_DELAYS = [
        int(v)
        for v in os.environ.get("WEBHOOK_RETRY_DELAYS", "60,300,900,3600,10800,21600,43200").split(
            ","
        )
        if v.strip()
    ]
    WEBHOOK_MAX_ENDPOINTS = env_int("WEBHOOK_MAX_ENDPOINTS", 20)
    # E-mail when a batch finishes: smtp://user:pass@host:587 (STARTTLS when offered) or
    # smtps://...:465; unset means no mail.
    MAIL_URL = os.environ.get("MAIL_URL", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "IngestIO <no-reply@localhost>")
    TESTING = False


class DevelopmentConfig(Config):
    """Local development: SQLite by default, a generated secret key."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or dev_secret_key()


class ProductionConfig(Config):
    """Production on a PaaS: secrets from the environment, secure cookies, JSON logs."""

    ENV_NAME = "production"
    ALLOW_SQLITE = env_bool("ALLOW_SQLITE", False)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 1)
    PROXY_FIX_X_PROTO = env_int("PROXY_FIX_X_PROTO", 1)
    PREFERRED_URL_SCHEME = "https"
    LOG_JSON = env_bool("LOG_JSON", True)
    WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)


class TestConfig(Config):
    """Tests: PostgreSQL and a private Redis database from TEST_DATABASE_URL / TEST_REDIS_URL."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    RATELIMIT_STORAGE_URI = REDIS_URL
    # Each test points this at its own temporary directory; worker subprocesses get it from env.
    # Without one, uploads go to the system's temporary folder, never into the working directory.
    STORAGE_URL = os.environ.get("TEST_STORAGE_URL") or (
        f"file://{Path(tempfile.gettempdir()) / 'ingestio-test-uploads'}"
    )
    WTF_CSRF_ENABLED = True
    SWEEP_GRACE_SECONDS = 0
    PLANS = plans_from_env()
    # Off unless a test turns it on: most tests upload the same generated files again and again.
    REUSE_DAYS = env_int("REUSE_DAYS", 0)


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_env():
    """The configuration class named by APP_ENV (development by default)."""
    name = os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
