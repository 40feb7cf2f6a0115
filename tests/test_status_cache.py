"""The status cache: tags answered from memory, forgotten on PostgreSQL's change notices.

Writes made elsewhere go through a connection of their own (as a worker process's would), so
only the notice can tell this process about them. Waiting is on a condition (the notice applied),
with a deadline, never a fixed sleep.
"""

import time

import psycopg
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import DocumentStatus
from app.models.user import hash_token
from app.services import batch_queries, status_cache
from tests.batch_rows import add_documents
from tests.conftest import PG_URL
from tests.factories import make_batch
from tests.support.pipeline import backend_pid, drop_connection

pytestmark = pytest.mark.skipif(
    not PG_URL.startswith("postgresql"), reason="change notices need PostgreSQL"
)


def elsewhere(sql: str, params: tuple = ()) -> None:
    """Commit a write on a connection of its own, unseen by this process's engine."""
    with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(sql, params)


def wait_for(condition, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


@pytest.fixture
def cache(app, db):
    cache = status_cache.current()
    assert cache is not None, "the status cache is on with PostgreSQL and its triggers"
    return cache


def test_a_change_made_elsewhere_is_answered_on_the_next_poll(api, user, cache):
    batch = make_batch(user)
    doc_id = add_documents(user, batch, 3)[1]
    path = f"/api/v1/batches/{batch.id}"
    tag = api.get(path).headers["ETag"]
    assert api.get(path, headers={"If-None-Match": tag}).status_code == 304
    assert cache.get(batch.id) is not None

    elsewhere(
        "UPDATE documents SET document_type = 'receipt', updated_at = now() WHERE id = %s",
        (doc_id,),
    )
    wait_for(lambda: cache.get(batch.id) is None, "the notice about the document")

    resp = api.get(path, headers={"If-None-Match": tag})
    assert resp.status_code == 200
    assert resp.get_json()["documents"][1]["document_type"] == "receipt"
    assert resp.headers["ETag"] != tag


def test_a_batch_deleted_elsewhere_is_not_found(api, user, cache):
    batch = make_batch(user)
    path = f"/api/v1/batches/{batch.id}"
    tag = api.get(path).headers["ETag"]
    elsewhere("DELETE FROM batches WHERE id = %s", (batch.id,))
    wait_for(lambda: cache.get(batch.id) is None, "the notice about the batch")
    assert api.get(path, headers={"If-None-Match": tag}).status_code == 404


def test_a_read_racing_a_write_never_stores_its_old_tag(user, cache):
    batch = make_batch(user)
    ticket = cache.ticket()
    old = batch_queries.status_probe(batch.id, owner_id=user.id)
    # The write commits, and its notice arrives, while the read is still on its way back.
    elsewhere("UPDATE batches SET name = 'Renamed', updated_at = now() WHERE id = %s", (batch.id,))
    wait_for(lambda: cache.ticket() > ticket, "the notice about the batch")
    cache.put(batch.id, user.id, old.etag, ticket)
    assert cache.get(batch.id) is None
    # A read that started after the notice may be stored.
    fresh_ticket = cache.ticket()
    fresh = batch_queries.status_probe(batch.id, owner_id=user.id)
    cache.put(batch.id, user.id, fresh.etag, fresh_ticket)
    assert cache.get(batch.id).etag == fresh.etag != old.etag


def test_a_token_revoked_elsewhere_is_refused_on_the_next_poll(client, user, token, cache):
    batch = make_batch(user)
    path = f"/api/v1/batches/{batch.id}"
    bearer = {"Authorization": f"Bearer {token}"}
    tag = client.get(path, headers=bearer).headers["ETag"]
    assert cache.token_owner(hash_token(token)) == user.id

    elsewhere("UPDATE api_tokens SET revoked_at = now() WHERE user_id = %s", (user.id,))
    wait_for(lambda: cache.token_owner(hash_token(token)) is None, "the notice about the token")
    resp = client.get(path, headers={**bearer, "If-None-Match": tag})
    assert resp.status_code == 401


def test_another_users_cached_batch_stays_not_found(client, auth, user, cache):
    from tests.factories import make_user

    batch = make_batch(user)
    make_user("stranger@example.com", plan="growth")
    auth.login("owner@example.com")
    tag = client.get(f"/api/v1/batches/{batch.id}").headers["ETag"]
    assert cache.get(batch.id) is not None
    auth.logout()
    auth.login("stranger@example.com")
    resp = client.get(f"/api/v1/batches/{batch.id}", headers={"If-None-Match": tag})
    assert resp.status_code == 404


def test_writes_of_this_process_empty_the_cache_at_once(api, user, cache):
    """Read-your-writes without waiting for the notice to travel back."""
    batch = make_batch(user)
    ids = add_documents(user, batch, 2)
    path = f"/api/v1/batches/{batch.id}"
    tag = api.get(path).headers["ETag"]
    assert cache.get(batch.id) is not None
    # A table without notices: only this process's own commit can empty the cache.
    db.session.execute(sa.text("UPDATE users SET email = email WHERE id = :id"), {"id": user.id})
    db.session.commit()
    assert cache.get(batch.id) is None

    api.get(path)
    db.session.execute(
        sa.text("UPDATE documents SET status = :s, updated_at = now() WHERE id = :id"),
        {"s": DocumentStatus.PROCESSING.value, "id": ids[0]},
    )
    db.session.commit()
    resp = api.get(path, headers={"If-None-Match": tag})
    assert resp.status_code == 200
    assert resp.get_json()["documents"][0]["status"] == "processing"


def listener_pid(cache: status_cache.StatusCache) -> int | None:
    """The server process of this cache's listening connection (other apps may listen too)."""
    with cache._lock:
        conn = cache._conn
    return conn.info.backend_pid if conn is not None else None


def backend_alive(pid: int) -> bool:
    with psycopg.connect(PG_URL.replace("+psycopg", ""), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()


def test_losing_the_notice_connection_falls_back_to_queries(api, user, cache, monkeypatch):
    batch = make_batch(user)
    path = f"/api/v1/batches/{batch.id}"
    tag = api.get(path).headers["ETag"]
    monkeypatch.setattr(cache, "retry_seconds", 0.0)
    monkeypatch.setattr(cache, "_disabled", False)  # put back after the test, as it was
    pid = listener_pid(cache)
    assert pid is not None
    elsewhere("SELECT pg_terminate_backend(%s)", (pid,))
    # Once the server process is gone, its goodbye has been sent; until then it may still be
    # delivering notices, which is not the case under test.
    wait_for(lambda: not backend_alive(pid), "the listening connection to end")
    # Notices sent while nobody listens are lost: the cache must not answer from memory.
    elsewhere(
        "UPDATE batches SET name = 'Changed while deaf', updated_at = now() WHERE id = %s",
        (batch.id,),
    )

    resp = api.get(path, headers={"If-None-Match": tag})
    assert resp.status_code == 200
    assert resp.get_json()["name"] == "Changed while deaf"
    # It listens again, and answers from memory once more.
    wait_for(
        lambda: cache.ticket() is not None and listener_pid(cache) != pid,
        "a new listening connection",
    )
    new_tag = resp.headers["ETag"]
    assert api.get(path, headers={"If-None-Match": new_tag}).status_code == 304
    assert cache.get(batch.id) is not None


def test_off_without_the_triggers(app, db):
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER ingestio_documents_notice ON documents")
    saved = app.extensions.pop("status_cache", None)
    try:
        assert status_cache.current() is None
    finally:
        with db.engine.begin() as conn:
            from app.models import change_notices

            change_notices.install(conn)
        app.extensions["status_cache"] = saved


def test_a_connection_that_never_delivers_notices_turns_the_cache_off(
    api, user, cache, monkeypatch
):
    """As behind a pooler in transaction mode: LISTEN is accepted, nothing ever arrives."""
    batch = make_batch(user)
    path = f"/api/v1/batches/{batch.id}"
    tag = api.get(path).headers["ETag"]
    monkeypatch.setattr(cache, "retry_seconds", 0.0)
    monkeypatch.setattr(cache, "_disabled", False)  # put back after the test, as it was
    monkeypatch.setattr(cache, "send_check", lambda channel: None)  # the notice never comes
    pid = listener_pid(cache)
    elsewhere("SELECT pg_terminate_backend(%s)", (pid,))
    wait_for(lambda: not backend_alive(pid), "the listening connection to end")
    # Reconnecting, the self-check gets no notice: the cache stays off, every poll queries.
    elsewhere("UPDATE batches SET name = 'Renamed', updated_at = now() WHERE id = %s", (batch.id,))
    resp = api.get(path, headers={"If-None-Match": tag})
    assert resp.status_code == 200 and resp.get_json()["name"] == "Renamed"
    assert cache.ticket() is None
    assert cache.get(batch.id) is None


def test_a_transaction_whose_connection_the_server_dropped_rolls_back(user, cache, monkeypatch):
    """The cache's rollback listener leaves a dropped connection alone, so that the rollback
    (and the next transaction, on a new connection) goes on as usual."""
    db.session.commit()
    db.engine.dispose()
    monkeypatch.setattr(db.engine.pool, "_pre_ping", False)
    pid = backend_pid()
    drop_connection(pid)

    with pytest.raises(sa.exc.OperationalError):
        db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()

    assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != pid
    db.session.commit()
