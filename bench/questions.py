"""Question batches: local answering throughput, and retrieval time as the corpus grows.

Run from the repository root: `.venv/bin/python bench/questions.py [--questions N]`.
Uses PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bench_questions,
created when missing and emptied on every run). Documents, page texts and extraction results are
inserted directly with synthetic text (two pages per document: invoices, contracts and memos).
Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from config import TestConfig, normalize_database_url  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_questions"
SIZES = (100, 1_000, 3_000, 10_000)
THROUGHPUT_SIZE = 1_000
CITIES = [
    "Rotterdam",
    "Hamburg",
    "Antwerp",
    "Lyon",
    "Porto",
    "Gdansk",
    "Malmo",
    "Turin",
    "Leeds",
    "Bilbao",
    "Graz",
    "Tallinn",
    "Riga",
    "Cork",
    "Basel",
    "Bruges",
    "Utrecht",
    "Dresden",
]
VENDORS = [
    "ACME Supplies",
    "Globex",
    "Initech",
    "Umbrella Logistics",
    "Stark Components",
    "Wayne Freight",
    "Hooli Cloud",
    "Vandelay Imports",
    "Soylent Foods",
    "Tyrell Systems",
    "Cyberdyne Parts",
    "Wonka Confectionery",
    "Oscorp Labs",
    "Massive Dynamic",
    "Pied Piper Storage",
]
LAWS = ["Ireland", "England and Wales", "Germany", "the Netherlands", "France", "Sweden"]


def syllable_words(rng: random.Random, count: int) -> list[str]:
    """A vocabulary of made-up words, so filler text looks like a real index to PostgreSQL."""
    parts = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "ti",
        "vo",
        "ze",
        "pa",
        "qu",
        "dre",
        "str",
        "an",
        "el",
        "or",
        "us",
        "im",
        "ba",
        "fe",
    ]
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(parts) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def filler(rng: random.Random, vocab: list[str], sentences: int) -> str:
    lines = []
    for _ in range(sentences):
        words = rng.sample(vocab, rng.randint(8, 16))
        lines.append(" ".join(words).capitalize() + ".")
    return "\n".join(lines)


def make_document(rng: random.Random, vocab: list[str], n: int, user_id) -> tuple[dict, list, dict]:
    """One synthetic document: its row, two pages of text and its extraction result."""
    doc_id = uuid.uuid4()
    kind = ("invoice", "invoice", "contract", "memo")[n % 4]
    vendor = rng.choice(VENDORS)
    if kind == "invoice":
        number = f"{n:05d}"
        total = round(rng.uniform(50, 50_000), 2)
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        pages = [
            f"{vendor}\nINVOICE\nInvoice No: {number}\nInvoice Date: {date}\n"
            f"Bill to: Northwind Traders\n{filler(rng, vocab, 6)}",
            f"Subtotal: {total / 1.2:,.2f}\nVAT: {total - total / 1.2:,.2f}\n"
            f"Total due: {total:,.2f} EUR\n{filler(rng, vocab, 6)}",
        ]
        data = {
            "document_type": "invoice",
            "data": {
                "invoice_number": number,
                "date": date,
                "total": total,
                "currency": "EUR",
                "vendor": vendor,
            },
            "fields": {
                "invoice_number": {
                    "value": number,
                    "page": 1,
                    "source_text": f"Invoice No: {number}",
                },
                "date": {"value": date, "page": 1, "source_text": f"Invoice Date: {date}"},
                "total": {"value": total, "page": 2, "source_text": f"Total due: {total:,.2f} EUR"},
                "vendor": {"value": vendor, "page": 1, "source_text": vendor},
            },
        }
    elif kind == "contract":
        law = rng.choice(LAWS)
        days = rng.choice((30, 60, 90))
        pages = [
            f"SERVICE AGREEMENT No. C-{n}\nbetween {vendor} and Northwind Traders\n"
            f"Effective date: 1 January 2024\n{filler(rng, vocab, 8)}",
            f"Either party may terminate this agreement with {days} days written notice.\n"
            f"This agreement is governed by the laws of {law}.\n{filler(rng, vocab, 8)}",
        ]
        data = {"document_type": "contract", "data": {"governing_law": law}, "fields": {}}
    else:
        city = rng.choice(CITIES)
        hour = rng.randint(5, 10)
        pages = [
            f"Internal memo {n}\nThe {city} warehouse opens at {hour}:00 on weekdays.\n"
            f"{filler(rng, vocab, 8)}",
            filler(rng, vocab, 10),
        ]
        data = {"document_type": "other", "data": {"title": f"Internal memo {n}"}, "fields": {}}
    row = {
        "id": doc_id,
        "user_id": user_id,
        "original_filename": f"{kind}-{n}.pdf",
        "storage_key": f"bench-{doc_id.hex}",
        "mime_type": "application/pdf",
        "size_bytes": 1000,
        "sha256": doc_id.hex * 2,
        "page_count": 2,
        "document_type": data["document_type"],
        "status": "completed",
    }
    page_rows = [{"document_id": doc_id, "page": i + 1, "text": t} for i, t in enumerate(pages)]
    result = {"document_id": doc_id, "data": data, "provider": "local", "model": "bench"}
    return row, page_rows, result


def grow(db, models, rng, vocab, user_id, start: int, stop: int) -> None:
    """Insert documents start..stop-1 in chunks."""
    chunk = 500
    for first in range(start, stop, chunk):
        docs, pages, results = [], [], []
        for n in range(first, min(first + chunk, stop)):
            d, p, r = make_document(rng, vocab, n, user_id)
            docs.append(d)
            pages += p
            results.append(r)
        db.session.execute(sa.insert(models.Document), docs)
        db.session.execute(sa.insert(models.DocumentPage), pages)
        db.session.execute(sa.insert(models.ExtractionResult), results)
        db.session.commit()
    db.session.execute(sa.text("ANALYZE documents"))
    db.session.execute(sa.text("ANALYZE document_pages"))
    db.session.commit()


def question_set(rng: random.Random, size: int, count: int) -> list[str]:
    """A mix of field questions about one invoice and free-text questions."""
    out = []
    invoices = [n for n in range(size) if n % 4 in (0, 1)]
    for i in range(count):
        pick = i % 4
        if pick == 0:
            out.append(f"What is the total of invoice {rng.choice(invoices)}?")
        elif pick == 1:
            out.append(f"Who is the vendor of invoice {rng.choice(invoices)}?")
        elif pick == 2:
            out.append(f"When does the {rng.choice(CITIES)} warehouse open?")
        else:
            out.append("How much notice is needed to terminate the agreement?")
    return out


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def ensure_database(url: str) -> None:
    """Create the bench database when it does not exist."""
    base, name = url.rsplit("/", 1)
    engine = sa.create_engine(
        normalize_database_url(base + "/postgres"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=200, help="questions per measurement")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = normalize_database_url(url)
        STORAGE_URL = "file:///tmp/bench-questions-storage"
        PLANS = {
            **TestConfig.PLANS,
            "growth": {**TestConfig.PLANS["growth"], "pages_per_month": 10_000_000},
        }

    from app import create_app, models
    from app.extensions import db
    from app.services.questions import retrieval
    from app.services.questions.answer import Ask, LocalAnswerer, find_candidates, plan_question

    app = create_app(BenchConfig)
    rng = random.Random(7)
    vocab = syllable_words(rng, 3000)
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = models.User(email="bench@example.com", password_hash="x")
        user.subscription = models.Subscription(plan="growth", status="active")
        db.session.add(user)
        db.session.commit()
        scope = retrieval.Scope(user.id)
        local = LocalAnswerer()
        print(
            f"PostgreSQL {db.session.scalar(sa.text('SHOW server_version'))}; "
            f"{args.questions} questions per measurement; 2 pages per document\n"
        )

        print("Retrieval time per question as the corpus grows (search + candidate documents)")
        print(
            f"{'documents':>10} {'pages':>8} {'retrieval ms':>13} {'p95 ms':>8} "
            f"{'answer ms':>10} {'p95 ms':>8} {'found':>6}"
        )
        done = 0
        throughput = None
        for size in SIZES:
            grow(db, models, rng, vocab, user.id, done, size)
            done = size
            questions = question_set(random.Random(size), size, args.questions)
            for q in questions[:10]:  # warm caches and plans
                local.answer(Ask(q, scope))
            retrieval_ms, answer_ms, found = [], [], 0
            for q in questions:
                started = time.perf_counter()
                plan = plan_question(Ask(q, scope))
                find_candidates(plan, scope)
                retrieval_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                found += local.answer(Ask(q, scope)).found
                answer_ms.append((time.perf_counter() - started) * 1000)
            pages = db.session.scalar(sa.select(sa.func.count()).select_from(models.DocumentPage))
            print(
                f"{size:>10,} {pages:>8,} {statistics.mean(retrieval_ms):>13.2f} "
                f"{percentile(retrieval_ms, 95):>8.2f} {statistics.mean(answer_ms):>10.2f} "
                f"{percentile(answer_ms, 95):>8.2f} {found / len(questions):>6.0%}"
            )
            if size == THROUGHPUT_SIZE:
                started = time.perf_counter()
                for q in questions:
                    local.answer(Ask(q, scope))
                throughput = len(questions) / (time.perf_counter() - started)
                job_rate = through_jobs(db, models, user, questions)
        db.session.remove()
    print(f"\nLocal provider over {THROUGHPUT_SIZE:,} documents, one process:")
    print(f"  answers only:             {throughput:7.1f} questions/s")
    print(
        f"  through the thread jobs:  {job_rate:7.1f} questions/s "
        "(claim, quota reservation, answer, store; threads of 4 rows run one after another)"
    )


def through_jobs(db, models, user, questions: list[str]) -> float:
    """Questions per second through the thread job itself (in this process, no Redis)."""
    from app.services.questions.threads import thread_heads
    from jobs.questions import answer_thread

    batch = models.QuestionBatch(
        user_id=user.id,
        name="bench",
        status="queued",
        columns=["question", "chat_id"],
        item_count=len(questions),
        thread_count=len(questions) // 4,
    )
    db.session.add(batch)
    db.session.flush()
    db.session.execute(
        sa.insert(models.QuestionItem),
        [
            {
                "question_batch_id": batch.id,
                "row_number": i + 2,
                "chat_id": f"t{i // 4}",
                "thread_key": f"chat:t{i // 4}",
                "question": q,
                "original": {"question": q},
                "status": "uploaded",
            }
            for i, q in enumerate(questions)
        ],
    )
    db.session.commit()
    keys = sorted({f"chat:t{i // 4}" for i in range(len(questions))})
    heads = thread_heads(batch.id, keys)
    started = time.perf_counter()
    for key in keys:
        answer_thread(str(batch.id), heads[key])
    return len(questions) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
