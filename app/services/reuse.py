"""Reuse of results: a file extracted before, the same way, is not extracted or charged again.

A document whose file (sha256), resolved prompt and provider/model equal those of a completed
document of the same user from the last `REUSE_DAYS` days completes with a copy of that result
(`result.meta.reused_from` names the source) and is not charged pages. The create field
`reuse=false` turns this off for the documents of that request.

- The key of an extraction is a hash of its resolved prompt, provider and model, stored on the
  document when it completes; the lookup is one indexed SELECT on (user_id, sha256, reuse_key).
- The copy is a copy: corrections made to the source before are part of it, and deleting the
  source afterwards leaves it intact.
- Two documents of the same file and extraction that run at the same time (two identical files in
  one batch, on two workers) take a PostgreSQL advisory lock on (user, file, key) around lookup,
  extraction and store: the second waits for the first and then copies its result, so the file is
  extracted and charged once. A wait longer than `REUSE_WAIT_SECONDS` gives up and extracts.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Document, DocumentStatus, ExtractionResult
from app.models.types import utcnow

log = logging.getLogger(__name__)

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class ReuseChoiceError(ValueError):
    """The create field `reuse` holds something other than true or false."""


def parse_choice(fields: Mapping[str, str]) -> bool:
    """The create field `reuse`: true (the default) or false; anything else is refused."""
    raw = fields.get("reuse")
    if raw is None or str(raw).strip() == "":
        return True
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ReuseChoiceError("reuse must be true or false.")


def extraction_key(prompt: str | None, provider: str, model: str | None) -> str:
    """The key of one way of extracting: resolved prompt, provider and model."""
    raw = json.dumps([prompt or "", provider or "", model or ""], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def find_source(
    user_id: uuid.UUID, sha256: str, key: str, document_id: uuid.UUID, days: int
) -> tuple[uuid.UUID, dict] | None:
    """The newest completed document of this user, file and key within `days`, and its result."""
    stmt = (
        sa.select(Document.id, ExtractionResult.data)
        .join(ExtractionResult, ExtractionResult.document_id == Document.id)
        .where(
            Document.user_id == user_id,
            Document.sha256 == sha256,
            Document.reuse_key == key,
            Document.status == DocumentStatus.COMPLETED,
            Document.id != document_id,
            Document.completed_at >= utcnow() - timedelta(days=days),
        )
        .order_by(Document.completed_at.desc())
        .limit(1)
    )
    row = db.session.execute(stmt).first()
    return None if row is None else (row.id, row.data)


def copied_result(data: dict, source_id: uuid.UUID) -> dict:
    """The source's result as this document's, marked with where it came from."""
    result = copy.deepcopy(data)
    meta = dict(result.get("meta") or {})
    meta["reused_from"] = str(source_id)
    result["meta"] = meta
    return result


def lock_id(user_id: uuid.UUID, sha256: str, key: str) -> int:
    """A signed 64-bit advisory lock id for one user, file and extraction."""
    digest = hashlib.sha256(f"{user_id}:{sha256}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive(user_id: uuid.UUID, sha256: str, key: str, wait_seconds: int) -> Iterator[bool]:
    """Hold the lock of one user, file and extraction (PostgreSQL); yields whether it is held.

    The lock lives on a connection of its own, outside the job's transactions, until the block
    ends. On SQLite, or when the wait runs out, the block runs without it (yields False).
    """
    if db.engine.dialect.name != "postgresql":
        yield False
        return
    ident = lock_id(user_id, sha256, key)
    conn = db.engine.connect()
    held = False
    try:
        try:
            conn.execute(sa.text(f"SET lock_timeout = '{max(int(wait_seconds), 1)}s'"))
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": ident})
            conn.commit()
            held = True
        except sa.exc.OperationalError:
            conn.rollback()
            log.warning("reuse lock not granted within %ss; extracting without it", wait_seconds)
        yield held
    finally:
        try:
            if held:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": ident})
                conn.commit()
        except sa.exc.SQLAlchemyError:
            # A connection that cannot unlock is discarded: closing it ends the lock.
            conn.invalidate()
        conn.close()
