"""Reuse benchmark: the cost of the reuse lookup with 100 and with 100,000 stored documents.

A document job looks for an earlier result of the same user, file and extraction before it
extracts (app/services/reuse.py). The lookup must not grow with the number of stored documents:
this script fills a scratch database with completed documents and results (bulk SQL, spread over
50 users and 1,000 distinct files per user, one in a hundred with another prompt), then times the
lookup, hits and misses, at 100 and at 100,000 documents, and prints the medians and the
difference. Target: within 1 ms of each other.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \
    .venv/bin/python bench/reuse.py [--rounds 2000]
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "test")
os.environ.setdefault(
    "TEST_DATABASE_URL",
    os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"),
)

import sqlalchemy as sa  # noqa: E402

USERS = 50
FILES_PER_USER = 1000


def fill(db, total: int, users: list[uuid.UUID], key: str) -> None:
    """Completed documents with results, `total` in all, inserted with SQL in chunks."""
    from app.services.reuse import extraction_key

    other = extraction_key("another prompt", "local", None)
    conn = db.session.connection()
    doc_rows, result_rows = [], []
    for i in range(total):
        user_id = users[i % len(users)]
        doc_id = uuid.uuid4()
        doc_rows.append(
            {
                "id": doc_id,
                "user_id": user_id,
                "name": f"file{i}.pdf",
                "key": f"bench/{doc_id}.pdf",
                "sha": f"{(i // len(users)) % FILES_PER_USER:064x}",
                "reuse_key": other if i % 100 == 0 else key,
            }
        )
        result_rows.append({"id": uuid.uuid4(), "doc": doc_id})
        if len(doc_rows) == 5000 or i == total - 1:
            conn.execute(
                sa.text(
                    "INSERT INTO documents (id, user_id, original_filename, storage_key, "
                    "mime_type, size_bytes, sha256, page_count, status, attempts, "
                    "reserved_pages, reuse, reuse_key, created_at, updated_at, completed_at) "
                    "VALUES (:id, :user_id, :name, :key, 'application/pdf', 1000, :sha, 1, "
                    "'completed', 1, 0, true, :reuse_key, now(), now(), now())"
                ),
                doc_rows,
            )
            conn.execute(
                sa.text(
                    "INSERT INTO extraction_results (id, document_id, data, provider, "
                    "created_at, updated_at) VALUES (:id, :doc, "
                    """'{"data": {"total": 1}, "fields": {}, "meta": {"provider": "local"}}', """
                    "'local', now(), now())"
                ),
                result_rows,
            )
            doc_rows, result_rows = [], []
    db.session.commit()
    conn = db.session.connection()
    conn.execute(sa.text("ANALYZE documents"))
    conn.execute(sa.text("ANALYZE extraction_results"))
    db.session.commit()


def time_lookups(db, users, key: str, rounds: int, files: int) -> tuple[float, float, int]:
    """Median ms of a lookup of a stored file and of an unknown one; how many were found."""
    from app.services.reuse import find_source

    me = uuid.uuid4()
    hits, misses = [], []
    found_count = 0
    for i in range(rounds):
        user_id = users[i % len(users)]
        sha = f"{(i // len(users)) % files:064x}"
        for sink, digest in ((hits, sha), (misses, f"{i:063x}f")):
            started = time.perf_counter()
            found = find_source(user_id, digest, key, me, 30)
            sink.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
            if sink is hits:
                found_count += found is not None
    return statistics.median(hits), statistics.median(misses), found_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services.reuse import extraction_key

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        users = []
        for i in range(USERS):
            user = User(email=f"bench-reuse-{i}@example.com", password_hash="-")
            db.session.add(user)
            db.session.flush()
            users.append(user.id)
        db.session.commit()
        key = extraction_key("Extract the invoice number, date and total", "local", None)

        figures = {}
        stored = 0
        for total in (100, 100_000):
            fill(db, total - stored, users, key)
            stored = total
            files = min(FILES_PER_USER, total // USERS)
            time_lookups(db, users, key, 200, files)  # warm the statement and the cache
            figures[total] = time_lookups(db, users, key, args.rounds, files)
            print(
                f"{total:>7} documents: lookup of a stored file {figures[total][0]:.3f} ms "
                f"({figures[total][2]} of {args.rounds} found), of an unknown file "
                f"{figures[total][1]:.3f} ms (medians)"
            )
        hit = figures[100_000][0] - figures[100][0]
        miss = figures[100_000][1] - figures[100][1]
        print(f"difference 100,000 vs 100: hit {hit:+.3f} ms, miss {miss:+.3f} ms (target < 1 ms)")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
