"""Flask extensions, created bare and bound in create_app; Redis and RQ accessors."""

from flask import current_app, g, has_request_context, request
from flask_limiter import Limiter
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from redis import Redis
from rq import Queue
from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Where the app keeps the function that reads the user of a request's Bearer token
# (`app.auth.bearer.bearer_user`, put there by the app factory).
BEARER_USER = "ingestio.bearer_user"


def rate_limit_key() -> str:
    """Rate limits count per user when logged in, else per client address."""
    if has_request_context():
        user = getattr(g, "_login_user", None)
        if user is None and request.headers.get("Authorization", "").startswith("Bearer "):
            # Blueprint limits run before the Bearer check has set the request's user.
            finder = current_app.extensions.get(BEARER_USER)
            user = finder() if finder else None
        elif user is None:
            user = current_user
        if user is not None and getattr(user, "is_authenticated", False):
            return f"user:{user.id}"
        return f"ip:{request.remote_addr or 'unknown'}"
    return "global"


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=rate_limit_key)

QUEUE_NAMES = ("documents", "default")


def get_redis() -> Redis:
    """The app's Redis connection (one pool per app)."""
    ext = current_app.extensions
    if "redis" not in ext:
        ext["redis"] = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
        )
    return ext["redis"]


def get_queue(name: str = "documents") -> Queue:
    """An RQ queue bound to the app's Redis."""
    return Queue(name, connection=get_redis())
