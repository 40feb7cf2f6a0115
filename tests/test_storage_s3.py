"""The S3 storage backend against a local S3-compatible server (moto) over real HTTP."""

import hashlib
import io
import os
import socket
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app.extensions import db as _db
from app.models import Document, DocumentStatus
from app.storage import get_storage, storage_from_url
from app.storage.s3 import S3Storage
from tests.factories import make_document
from tests.pdfgen import make_pdf

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3-compatible server on a free port, for this module's tests."""
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def bucket(s3_endpoint):
    """A fresh, empty bucket and a plain boto3 client to look inside it."""
    name = f"ingestio-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=name)
    return name, client


def test_round_trip_through_the_s3_server(bucket, s3_endpoint):
    name, raw = bucket
    storage = S3Storage(name, "uploads/prod", s3_endpoint)
    small = make_pdf(2)
    # Over the 8 MiB multipart threshold: uploaded in parts, read front to back once.
    large = (hashlib.sha256(b"seed").digest() * 4096) * 80 + b"tail"

    stored_small = storage.save(io.BytesIO(small), "application/pdf")
    stored_large = storage.save(io.BytesIO(large), "image/png")

    assert stored_small.size == len(small)
    assert stored_small.sha256 == hashlib.sha256(small).hexdigest()
    assert stored_large.size == len(large)
    assert stored_large.sha256 == hashlib.sha256(large).hexdigest()
    assert stored_small.key.endswith(".pdf") and stored_large.key.endswith(".png")

    # What the S3 server itself holds, under the prefix.
    head = raw.head_object(Bucket=name, Key=f"uploads/prod/{stored_small.key}")
    assert head["ContentLength"] == len(small)
    assert head["ContentType"] == "application/pdf"
    raw.put_object(Bucket=name, Key="elsewhere/not-ours.pdf", Body=b"x")

    assert storage.exists(stored_small.key) and storage.exists(stored_large.key)
    assert not storage.exists("0" * 32 + ".pdf")
    assert sorted(storage.keys()) == sorted([stored_small.key, stored_large.key])

    with storage.open(stored_large.key) as f:
        assert hashlib.sha256(f.read()).hexdigest() == stored_large.sha256
    with storage.open(stored_small.key) as f:
        assert f.read(4) == b"%PDF"

    with storage.local_path(stored_small.key) as path:
        with open(path, "rb") as f:
            assert f.read() == small
        assert path.endswith(".pdf")
    assert not os.path.exists(path)

    storage.delete(stored_small.key)
    storage.delete(stored_small.key)  # deleting twice is fine
    assert not storage.exists(stored_small.key)
    assert list(storage.keys()) == [stored_large.key]
    with pytest.raises(FileNotFoundError):
        storage.open(stored_small.key)
    with pytest.raises(FileNotFoundError):
        with storage.local_path(stored_small.key):
            pass
    with pytest.raises(ValueError):
        storage.exists("../uploads/prod/" + stored_large.key)


def test_storage_url_selects_the_s3_backend(app, s3_endpoint):
    with app.app_context():
        storage = storage_from_url("s3://my-bucket/some/prefix", s3_endpoint)
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix, storage.endpoint_url) == (
        "my-bucket",
        "some/prefix/",
        s3_endpoint,
    )


def test_documents_stored_by_the_app_live_in_s3_and_go_through_the_worker(
    app, db, user, worker, bucket, s3_endpoint, monkeypatch
):
    name, raw = bucket
    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{name}/files")
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", s3_endpoint)
    pdf = make_pdf(1, lines=("Invoice No. INV-7", "Date: 2026-03-14", "Total: 120.50 EUR"))

    doc = make_document(user, None, content=pdf, filename="invoice.pdf", page_count=1)
    doc.extraction_prompt = "Extract the invoice number, date and total"
    _db.session.commit()

    assert isinstance(get_storage(), S3Storage)
    listed = raw.list_objects_v2(Bucket=name, Prefix="files/")["Contents"]
    assert [o["Key"] for o in listed] == [f"files/{doc.storage_key}"]

    from app.services.queueing import enqueue_documents

    assert enqueue_documents([doc.id]) == 1
    worker()

    _db.session.expire_all()
    done = _db.session.get(Document, doc.id)
    # The worker read the file back from S3 (a missing file would fail it with file_missing).
    assert done.error_code is None, (done.error_code, done.error_message)
    assert done.status == DocumentStatus.COMPLETED
    with get_storage().open(done.storage_key) as f:
        assert hashlib.sha256(f.read()).hexdigest() == done.sha256
