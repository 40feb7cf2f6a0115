"""File storage behind one interface: a local directory by default, S3 where configured."""

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urlparse

from flask import current_app

from app.storage.base import CHUNK, EXTENSIONS, Storage, StoredFile, new_key

__all__ = ["CHUNK", "EXTENSIONS", "LocalStorage", "Storage", "StoredFile", "get_storage", "new_key"]


class LocalStorage:
    """Files in a local directory (shared by web and worker on one machine)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)

    def _path(self, key: str) -> str:
        if "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid storage key")
        return os.path.join(self.root, key[:2], key)

    def save(self, stream: BinaryIO, mime_type: str, key: str | None = None) -> StoredFile:
        """Copy the stream into a new file (or the one `key` names), hashing it on the way."""
        key = key or new_key(mime_type)
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        digest, size = hashlib.sha256(), 0
        tmp = path + ".part"
        try:
            with open(tmp, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """The stored file, opened for reading."""
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        """Remove a stored file; a missing one is fine."""
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path(key))

    def exists(self, key: str) -> bool:
        """True when the key names a stored file."""
        return os.path.exists(self._path(key))

    @contextlib.contextmanager
    def local_path(self, key: str) -> Iterator[str]:
        """A path on this machine where the file can be read."""
        path = self._path(key)
        if not os.path.exists(path):
            raise FileNotFoundError(key)
        yield path

    def keys(self) -> Iterator[str]:
        """Every stored key (for consistency checks)."""
        for _dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                if not name.endswith(".part"):
                    yield name

    def delete_prefix(self, prefix: str) -> int:
        """Remove every file whose key starts with `prefix` (at least 2 characters); how many."""
        folder = os.path.dirname(self._path(prefix))
        if len(prefix) < 2 or not os.path.isdir(folder):
            return 0
        removed = 0
        for name in os.listdir(folder):
            if name.startswith(prefix):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, name))
                    removed += 1
        return removed


@contextlib.contextmanager
def spooled_copy(stream: BinaryIO, suffix: str = "") -> Iterator[str]:
    """Copy a stream into a temporary file and yield its path."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def storage_from_url(url: str, endpoint_url: str = "") -> Storage:
    """The backend named by a STORAGE_URL (file://path or s3://bucket/prefix)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        from app.storage.s3 import S3Storage

        return S3Storage(parsed.netloc, parsed.path.lstrip("/"), endpoint_url or None)
    if parsed.scheme in ("file", ""):
        path = (parsed.netloc + parsed.path) if parsed.scheme == "file" else url
        if not os.path.isabs(path):
            path = os.path.join(os.path.dirname(current_app.root_path), path)
        return LocalStorage(path)
    raise ValueError(f"unsupported STORAGE_URL scheme: {parsed.scheme}")


def get_storage() -> Storage:
    """The app's storage backend (one per app)."""
    ext = current_app.extensions
    url = current_app.config["STORAGE_URL"]
    cached = ext.get("storage")
    if cached is None or cached[0] != url:
        cached = (url, storage_from_url(url, current_app.config.get("S3_ENDPOINT_URL", "")))
        ext["storage"] = cached
    return cached[1]
