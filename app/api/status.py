"""GET /api/v1/batches/<id>: the status JSON that batch pages and API clients poll.

Polling is the request made most often. A revalidation of an unchanged batch is answered from
the process's status cache (app/services/status_cache.py: tags forgotten the moment PostgreSQL
reports a change) without a query; otherwise the endpoint does its work in one round trip to the
database: it authenticates inside the query that reads the batch and its tag
(`batch_queries.status_probe`). A session names its user and its login in the signed cookie and
the login must still be live; a Bearer token is matched by its hash; both in that same query. The
general API hooks, which would first load the user or the token, are not on this blueprint. Only
a request the query does not answer (a bad token, an ended login, a user who is gone, another
user's batch) pays a second query, to tell 401 from 404.

A revalidation (If-None-Match still current) answers 304 without counting against a rate limit:
checking the limit would cost as much as the answer. Full answers count against RATELIMIT_STATUS
per user, and their bodies are rendered once per tag and kept by each process.
"""

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, g, request
from flask_login import current_user
from limits import parse

from app.api.openapi import IF_NONE_MATCH, documented, json_answer, not_modified
from app.auth import sessions
from app.auth.bearer import bearer_token
from app.errors import MESSAGES, ApiError, not_found
from app.extensions import db, limiter, login_manager
from app.models import ErrorCode, User
from app.models.user import hash_token
from app.services import accounts, batch_queries, status_cache
from app.services.batch_queries import as_uuid
from app.services.serializers import batch_json

log = logging.getLogger(__name__)

bp = Blueprint("api_status", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Caller:
    """Who a status request says it is: a session's user and login, or a Bearer token (not yet
    checked). A caller without a login was already checked by Flask-Login's user loader."""

    user_id: uuid.UUID | None = None
    token: str | None = None
    session_hash: str | None = None

    def credential(self) -> str | None:
        """What the status cache knows this caller's owner by, or None."""
        if self.token is not None:
            return hash_token(self.token)
        if self.session_hash is not None:
            return "session:" + self.session_hash
        return None

    def exists(self) -> bool:
        """True when the token or the session's login is live (or the loaded user exists)."""
        if self.token is not None:
            return accounts.user_for_token(self.token) is not None
        if self.session_hash is not None:
            return sessions.is_live(self.user_id, self.session_hash)
        return db.session.get(User, self.user_id) is not None


def caller() -> Caller | None:
    """The request's claimed identity, without a query; None when it names nobody.

    A Bearer header always decides, even next to a session cookie (as in the other API routes).
    A session is read from its signed cookie (its login is checked by the status query); under
    "strong" session protection, and for a remember-me cookie without a session, Flask-Login
    itself decides.
    """
    token = bearer_token()
    if token is not None:
        return Caller(token=token)
    if login_manager.session_protection != "strong":
        claimed = sessions.claimed()
        if claimed is not None:
            return Caller(user_id=claimed[0], session_hash=claimed[1])
    if current_user.is_authenticated:
        return Caller(user_id=current_user.id)
    return None


class BodyCache:
    """Rendered status bodies by ETag, least recently used dropped first (one per process).

    A tag names one exact JSON: it is computed from every field the JSON shows, so a body stored
    under it stays right for as long as the tag is current. The body is rendered from the same
    row the tag was computed from and documents read after it, so it is never older than its tag.
    The tag comes from an owner-scoped query: only the batch's owner ever reaches its body.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tag: str) -> bytes | None:
        with self._lock:
            body = self._items.get(tag)
            if body is not None:
                self._items.move_to_end(tag)
            return body

    def put(self, tag: str, body: bytes) -> None:
        with self._lock:
            self._items[tag] = body
            self._items.move_to_end(tag)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


STATUS_BODIES = BodyCache()


def status_body(probe: batch_queries.StatusProbe) -> bytes:
    """The status JSON of a probe, rendered once per tag (clients without a tag, many tabs)."""
    body = STATUS_BODIES.get(probe.etag)
    if body is None:
        documents = batch_queries.batch_documents(probe.batch_id)
        data = batch_json(probe.batch(), documents)
        body = (current_app.json.dumps(data) + "\n").encode()
        STATUS_BODIES.put(probe.etag, body)
    return body


def check_status_limit(user_id: uuid.UUID) -> None:
    """Count a full status answer against the user's RATELIMIT_STATUS; 429 when over it."""
    item = parse(current_app.config["RATELIMIT_STATUS"])
    key = f"user:{user_id}"
    try:
        allowed = limiter.limiter.hit(item, "status", key)
    except Exception:  # noqa: BLE001 - like the other limits: a lost Redis lets requests through
        log.warning("status rate limit unavailable; request allowed")
        return
    if allowed:
        return
    try:
        reset = limiter.limiter.get_window_stats(item, "status", key).reset_time
        retry = max(1, math.ceil(reset - time.time()))
    except Exception:  # noqa: BLE001
        retry = int(item.get_expiry())
    g.retry_after = retry  # errors.keep_retry_after puts it in the Retry-After header
    raise ApiError(
        429,
        ErrorCode.RATE_LIMITED,
        f"Too many requests (allowed: {item}). Try again in {retry} seconds.",
        {"retry_after": retry},
    )


def probe_for(who: Caller, batch_id: uuid.UUID) -> batch_queries.StatusProbe:
    """The batch's row and tag, read for this caller; 401 or 404 when the read finds nothing."""
    if who.token is not None:
        probe = batch_queries.status_probe(batch_id, token_hash=hash_token(who.token))
    else:
        probe = batch_queries.status_probe(
            batch_id, owner_id=who.user_id, session_hash=who.session_hash
        )
    if probe is None:
        if not who.exists():
            raise ApiError(401, ErrorCode.UNAUTHORIZED, MESSAGES[ErrorCode.UNAUTHORIZED])
        raise not_found()
    return probe


@bp.get("/batches/<batch_id>")
@documented(
    "Status of a batch",
    tag="Batches",
    description="Poll this while the batch runs; send the last `ETag` in `If-None-Match` to get "
    "304 without a body while nothing changed.",
    params=(IF_NONE_MATCH,),
    answers={
        200: json_answer("BatchStatus", "The batch with its documents.", ("ETag",)),
        304: not_modified(),
    },
)
def batch_status(batch_id):
    """Status JSON of a batch; 304 when the client's ETag is still current."""
    who = caller()
    if who is None:
        raise ApiError(401, ErrorCode.UNAUTHORIZED, MESSAGES[ErrorCode.UNAUTHORIZED])
    batch_uuid = as_uuid(batch_id)
    if batch_uuid is None:
        raise not_found()
    cache = status_cache.current()
    credential = who.credential()
    user_id = who.user_id
    if cache is not None and credential is not None:
        user_id = cache.token_owner(credential)
    known = cache.get(batch_uuid) if cache is not None and user_id is not None else None
    probe = None
    if known is not None and known.owner_id == user_id:
        owner_id, etag = known.owner_id, known.etag
    else:
        ticket = cache.ticket() if cache is not None else None
        probe = probe_for(who, batch_uuid)
        owner_id, etag = probe.owner_id, probe.etag
        if cache is not None:
            cache.put(batch_uuid, owner_id, etag, ticket)
            if credential is not None:
                cache.put_token(credential, owner_id, ticket)
    g.log_user_id = str(owner_id)
    if request.if_none_match.contains_weak(etag.strip('"')):
        resp = Response(status=304)
    else:
        check_status_limit(owner_id)
        body = STATUS_BODIES.get(etag)
        if body is None:  # a tag known from the cache whose body this process never rendered
            probe = probe or probe_for(who, batch_uuid)
            etag, body = probe.etag, status_body(probe)
        resp = Response(body, mimetype="application/json")
    resp.headers["ETag"] = etag
    resp.headers["Cache-Control"] = "no-store"
    return resp
