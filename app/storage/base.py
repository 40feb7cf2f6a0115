"""What every storage backend shares: the interface, stored-file facts and key naming."""

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class StoredFile:
    """What storing a file produced."""

    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """The storage interface every backend fills."""

    def save(self, stream: BinaryIO, mime_type: str, key: str | None = None) -> StoredFile: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def local_path(self, key: str) -> contextlib.AbstractContextManager[str]: ...

    def keys(self) -> Iterator[str]: ...

    def delete_prefix(self, prefix: str) -> int: ...


def new_key(mime_type: str) -> str:
    """A generated storage key; never derived from the user's file name."""
    return uuid.uuid4().hex + EXTENSIONS.get(mime_type, ".bin")
