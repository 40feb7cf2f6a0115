"""Files in an S3-compatible bucket, so that web and worker machines share them.

Chosen by STORAGE_URL=s3://bucket/prefix (and S3_ENDPOINT_URL for a non-AWS service such as
MinIO, Cloudflare R2 or Backblaze B2). Credentials come the usual boto3 way: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION (or AWS_REGION) in the environment.
"""

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from app.storage.base import CHUNK, StoredFile, new_key

MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
TRANSFER = TransferConfig(
    multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=4
)


class HashingReader(io.RawIOBase):
    """Reads a stream once, front to back, counting bytes and hashing them on the way."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False  # boto3 then reads it sequentially, part by part

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data = self.stream.read()
        else:
            # Fill the request (a short read would make a short multipart part).
            parts, wanted = [], size
            while wanted > 0:
                chunk = self.stream.read(wanted)
                if not chunk:
                    break
                parts.append(chunk)
                wanted -= len(chunk)
            data = b"".join(parts)
        self.digest.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class S3Body(io.RawIOBase):
    """A stored object opened for reading, streamed from S3 (usable with `with`)."""

    def __init__(self, body):
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.body.close()
        super().close()


def is_missing(exc: ClientError) -> bool:
    """True when S3 answered that the object does not exist."""
    return str(exc.response.get("Error", {}).get("Code")) in MISSING_CODES


class S3Storage:
    """Files as objects under `prefix/` in an S3 bucket."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None):
        if not bucket:
            raise ValueError("STORAGE_URL must name a bucket: s3://bucket/prefix")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        self._client = None
        self._pid = None

    @property
    def client(self):
        """A boto3 client for this process (RQ forks a process per job; pools must not leak)."""
        if self._client is None or self._pid != os.getpid():
            config = BotoConfig(
                retries={"max_attempts": 5, "mode": "standard"},
                s3={"addressing_style": "path"} if self.endpoint_url else {},
            )
            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, config=config
            )
            self._pid = os.getpid()
        return self._client

    def _object_key(self, key: str) -> str:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid storage key")
        return self.prefix + key

    def save(self, stream: BinaryIO, mime_type: str, key: str | None = None) -> StoredFile:
        """Upload the stream (multipart when large), hashing it on the way."""
        key = key or new_key(mime_type)
        reader = HashingReader(stream)
        self.client.upload_fileobj(
            reader,
            self.bucket,
            self._object_key(key),
            ExtraArgs={"ContentType": mime_type},
            Config=TRANSFER,
        )
        return StoredFile(key=key, size=reader.size, sha256=reader.digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """The stored file as a stream read from S3; FileNotFoundError when it is missing."""
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if is_missing(exc):
                raise FileNotFoundError(key) from exc
            raise
        return io.BufferedReader(S3Body(obj["Body"]), buffer_size=CHUNK)

    def delete(self, key: str) -> None:
        """Remove a stored file; a missing one is fine."""
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def exists(self, key: str) -> bool:
        """True when the key names a stored file."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if is_missing(exc):
                return False
            raise
        return True

    @contextlib.contextmanager
    def local_path(self, key: str) -> Iterator[str]:
        """Download the file to a temporary path on this machine, removed afterwards."""
        suffix = os.path.splitext(key)[1]
        fd, path = tempfile.mkstemp(suffix=suffix, prefix="ingestio-")
        try:
            with os.fdopen(fd, "wb") as out:
                try:
                    self.client.download_fileobj(
                        self.bucket, self._object_key(key), out, Config=TRANSFER
                    )
                except ClientError as exc:
                    if is_missing(exc):
                        raise FileNotFoundError(key) from exc
                    raise
            yield path
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)

    def keys(self) -> Iterator[str]:
        """Every stored key under the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self.prefix) :]
                if key and "/" not in key:
                    yield key

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object whose key starts with `prefix` (at least 2 characters); how many."""
        if len(prefix) < 2:
            return 0
        removed = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._object_key(prefix)
        )
        for page in pages:
            objects = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if objects:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects})
                removed += len(objects)
        return removed
