"""File-type detection and page counting for uploaded documents.

Pure functions, no Flask: the create views call them before anything is written, and jobs may call
them again. Page counts are the real number of page objects in a PDF's page tree (invariant 5 in docs/states.md):
the declared /Count is never read, so a forged value cannot change what a user is charged.

Page tree rules used by `count_pages`:

* The tree starts at the catalog's /Pages entry. A node is an intermediate node when its /Type is
  /Pages, or when it has no /Type and carries /Kids (lenient like common viewers). It is a page when
  its /Type is /Page, or when it has neither /Type nor /Kids. Any other object in the tree (another
  /Type, a missing or non-dictionary object) means the file is damaged: `unreadable_pdf`.
* Every indirect object (node, page or /Kids array) may appear once. Seeing one again means the tree
  loops or shares a page between parents; both are rejected rather than counted twice.
* Depth counts /Pages nodes from the root (the root is at depth 1).
* More than `max_pages` pages fails with its own code, `too_many_pages`; so does a tree listing
  more than `max_pages` kids still to visit, before they are read (only an empty /Pages node holds
  no page, and real files have none in such numbers).
* A file pypdf can repair (for example a broken xref table rebuilt by scanning the objects) is
  counted when every node of the page tree resolves; a file truncated so that the catalog, a page
  tree node or any page is missing is `unreadable_pdf`.
* Encrypted files are opened with the empty user password when the author set none (only an owner
  password); otherwise `encrypted_pdf`.

Hostile files: the work runs in a short-lived worker thread; the caller waits at most
`deadline_s` and then answers `unreadable_pdf`, while the worker is stopped even inside a long
pypdf call (parsing a huge object stream, rebuilding a broken xref table). The walk also checks the
deadline at every node, which is all that applies on Pythons without the CPython C API.
"""

from __future__ import annotations

import contextvars
import ctypes
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

__all__ = [
    "ALLOWED_MIME_TYPES",
    "JPEG_MIME",
    "PDF_MIME",
    "PNG_MIME",
    "SNIFF_BYTES",
    "TOO_MANY_PAGES",
    "PageCountError",
    "count_pages",
    "detect_file_type",
]

PDF_MIME = "application/pdf"
JPEG_MIME = "image/jpeg"
PNG_MIME = "image/png"
ALLOWED_MIME_TYPES = frozenset({PDF_MIME, JPEG_MIME, PNG_MIME})

#: The code of a PDF with more pages than allowed (the file is fine, only too long).
TOO_MANY_PAGES = "too_many_pages"

#: How many leading bytes `detect_file_type` needs (the PDF header may follow some junk).
SNIFF_BYTES = 1024

_EXTENSIONS = {".pdf": PDF_MIME, ".jpg": JPEG_MIME, ".jpeg": JPEG_MIME, ".png": PNG_MIME}
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PDF_MAGIC = b"%PDF-"
_PILLOW_FORMATS = {JPEG_MIME: "JPEG", PNG_MIME: "PNG"}

#: Largest object stream (/N objects) read; writers use a few hundred, pypdf parses ~200,000 a
#: second, and the page tree of a 20,000-page file fits in well under this.
MAX_OBJECT_STREAM_OBJECTS = 100_000

MSG_DAMAGED = "The PDF could not be read: it is damaged or incomplete."
MSG_ENCRYPTED = "The PDF is encrypted; upload a copy without a password."
MSG_NO_PAGES = "The PDF has no pages."
MSG_LOOP = "The PDF's page tree is malformed (it loops)."
MSG_TOO_DEEP = "The PDF's page tree is malformed (it is nested too deeply)."
MSG_NOT_A_PAGE = "The PDF's page tree is malformed (it contains an object that is not a page)."
MSG_TOO_SLOW = (
    "The PDF took too long to read: its structure is too complex or damaged. "
    "Re-save it with a PDF tool and upload it again."
)
MSG_TOO_COMPLEX = (
    "The PDF's internal structure is too large to read. "
    "Re-save it with a PDF tool and upload it again."
)
MSG_BAD_IMAGE = "The image could not be read: it is damaged or incomplete."
MSG_HUGE_IMAGE = "The image is too large to process; upload a smaller image."


def detect_file_type(head: bytes, filename: str) -> str | None:
    """Return the MIME type when the content's magic bytes and the extension agree, else None."""
    if not head:
        return None
    expected = _EXTENSIONS.get(os.path.splitext(filename.strip())[1].lower())
    if expected is None:
        return None
    if head.startswith(_PNG_MAGIC):
        sniffed = PNG_MIME
    elif head.startswith(_JPEG_MAGIC):
        sniffed = JPEG_MIME
    elif _PDF_MAGIC in head[:SNIFF_BYTES]:
        # Readers accept a header preceded by junk (mail gateways, print spoolers) within 1 KiB.
        sniffed = PDF_MIME
    else:
        return None
    return expected if sniffed == expected else None


class PageCountError(Exception):
    """A file whose pages cannot be counted, with an error code and a message a user can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"PageCountError({self.code!r}, {self.message!r})"


def count_pages(
    path: str,
    mime_type: str,
    *,
    max_pages: int = 20000,
    max_depth: int = 64,
    deadline_s: float = 5.0,
) -> int:
    """Return the real page count of a stored PDF or image, or raise PageCountError."""
    if mime_type not in ALLOWED_MIME_TYPES:
        raise ValueError(f"unsupported mime type: {mime_type!r}")
    # A missing or unreadable path is a storage fault, not a property of the upload: let OSError
    # propagate instead of blaming the user's file.
    with open(path, "rb"):
        pass
    if mime_type == PDF_MIME:
        return _with_deadline(
            lambda: _count_pdf_pages(path, max_pages, max_depth, time.monotonic() + deadline_s),
            deadline_s,
            "unreadable_pdf",
            MSG_TOO_SLOW,
        )
    return _with_deadline(
        lambda: _check_image(path, mime_type), deadline_s, "unreadable_file", MSG_BAD_IMAGE
    )


def _check_image(path: str, mime_type: str) -> int:
    try:
        with Image.open(path) as image:
            if image.format != _PILLOW_FORMATS[mime_type]:
                raise PageCountError("unreadable_file", MSG_BAD_IMAGE)
            image.verify()
    except PageCountError:
        raise
    except Image.DecompressionBombError:
        raise PageCountError("unreadable_file", MSG_HUGE_IMAGE) from None
    except Exception:
        # Pillow raises many types (OSError, SyntaxError, struct.error, ...) for broken files.
        raise PageCountError("unreadable_file", MSG_BAD_IMAGE) from None
    return 1


def _count_pdf_pages(path: str, max_pages: int, max_depth: int, deadline: float) -> int:
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise PageCountError("encrypted_pdf", MSG_ENCRYPTED)
        pages = _walk_page_tree(reader, max_pages, max_depth, deadline)
    except PageCountError:
        raise
    except (FileNotDecryptedError, DependencyError):
        # DependencyError: pypdf has no crypto backend for the file's encryption method; the user
        # can still fix it by removing the encryption.
        raise PageCountError("encrypted_pdf", MSG_ENCRYPTED) from None
    except Exception:
        # pypdf raises a wide range of errors (PdfReadError, LimitReachedError, ValueError,
        # KeyError, AssertionError, RecursionError, ...) on damaged or hostile files.
        raise PageCountError("unreadable_pdf", MSG_DAMAGED) from None
    if pages == 0:
        raise PageCountError("unreadable_pdf", MSG_NO_PAGES)
    return pages


def _walk_page_tree(reader: PdfReader, max_pages: int, max_depth: int, deadline: float) -> int:
    resolve = _Resolver(reader)
    # Resolve the catalog through the resolver too: it may sit in a (hostile) object stream.
    root = resolve(reader.trailer.raw_get("/Root")) if "/Root" in reader.trailer else None
    if not isinstance(root, DictionaryObject) or "/Pages" not in root:
        # pypdf's recovery: look for a /Catalog among the objects of a repaired file.
        root = reader.root_object
    if not isinstance(root, DictionaryObject) or "/Pages" not in root:
        raise PageCountError("unreadable_pdf", MSG_DAMAGED)

    pages = 0
    # Iterative depth-first walk: an explicit stack, so deep trees cannot hit the recursion limit.
    stack: list[tuple[object, int]] = [(root.raw_get("/Pages"), 1)]
    while stack:
        if time.monotonic() > deadline:
            raise PageCountError("unreadable_pdf", MSG_TOO_SLOW)
        item, depth = stack.pop()
        node = resolve(item, forget=True)
        if not isinstance(node, DictionaryObject):
            raise PageCountError("unreadable_pdf", MSG_DAMAGED)

        node_type = node.get("/Type")
        if node_type == "/Pages" or (node_type is None and "/Kids" in node):
            if depth > max_depth:
                raise PageCountError("unreadable_pdf", MSG_TOO_DEEP)
            kids = resolve(node.raw_get("/Kids"))
            if not isinstance(kids, ArrayObject):
                raise PageCountError("unreadable_pdf", MSG_DAMAGED)
            stack.extend((kid, depth + 1) for kid in reversed(kids))
            # Every kid still to visit holds at least one page (empty /Pages nodes aside), so a
            # 50,000-entry /Kids array is refused now rather than after reading 20,000 pages.
            if pages + len(stack) > max_pages:
                raise _too_many_pages(max_pages)
        elif node_type == "/Page" or node_type is None:
            pages += 1
            if pages > max_pages:
                raise _too_many_pages(max_pages)
        else:
            raise PageCountError("unreadable_pdf", MSG_NOT_A_PAGE)
    return pages


def _too_many_pages(max_pages: int) -> PageCountError:
    return PageCountError(
        TOO_MANY_PAGES, f"The PDF has more than {max_pages} pages; split it into smaller files."
    )


class _Resolver:
    """Resolve indirect references of one page tree, each at most once."""

    def __init__(self, reader: PdfReader) -> None:
        self._reader = reader
        self._seen: set[tuple[int, int]] = set()
        self._checked_streams: set[int] = set()

    def __call__(self, item: object, *, forget: bool = False) -> object:
        if not isinstance(item, IndirectObject):
            return item
        key = (item.generation, item.idnum)
        if key in self._seen:
            raise PageCountError("unreadable_pdf", MSG_LOOP)
        self._seen.add(key)
        cache = self._reader.resolved_objects
        if key not in cache and item.generation == 0:
            self._check_object_stream(item.idnum)
        obj = item.get_object()
        if forget:
            # Each node is read once: drop it from pypdf's cache so the heap (and the garbage
            # collector's work) stays small; keeping 10,000 parsed pages doubled the walk's time.
            cache.pop(key, None)
        return obj

    def _check_object_stream(self, idnum: int) -> None:
        # pypdf parses every object of an object stream in one pass; refuse an absurd /N up front
        # instead of spending the whole deadline on it. Only a shortcut: the deadline still bounds
        # streams that get past it.
        located = self._reader.xref_objStm.get(idnum)
        if located is None or located[0] in self._checked_streams:
            return
        self._checked_streams.add(located[0])
        stream = self._reader.get_object(located[0])
        declared = stream.get("/N") if isinstance(stream, DictionaryObject) else None
        if not isinstance(declared, int) or not 0 <= declared <= MAX_OBJECT_STREAM_OBJECTS:
            raise PageCountError("unreadable_pdf", MSG_TOO_COMPLEX)


# --- Hard deadline ---------------------------------------------------------------------------

T = TypeVar("T")

#: How often a timed-out worker is told to stop again (a stop can be lost, see `_stop_worker`).
_STOP_INTERVAL_S = 0.05
#: How long the caller waits for a timed-out worker to stop before answering anyway.
_STOP_GRACE_S = 0.5


class _DeadlineExceeded(BaseException):
    """Raised inside a timed-out worker thread to stop it.

    A BaseException so that pypdf's and Pillow's broad `except Exception` recovery blocks cannot
    swallow it.
    """


def _async_raiser() -> Callable[[int, type[BaseException]], int] | None:
    try:
        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (AttributeError, OSError):  # not CPython: only the cooperative checks apply
        return None

    def raise_in(thread_id: int, exc: type[BaseException]) -> int:
        # Never called with exc=None to clear a stop: on CPython 3.11 that leaves the
        # interpreter's "asynchronous exception pending" flag set for good, which slows every
        # thread of the process and loops forever under a profiler or tracer (coverage, pdb).
        return set_async_exc(ctypes.c_ulong(thread_id), ctypes.py_object(exc))

    return raise_in


_raise_in_thread = _async_raiser()


def _with_deadline(work: Callable[[], T], seconds: float, code: str, message: str) -> T:
    """Run `work` in a worker thread and answer PageCountError(code, message) after `seconds`.

    The caller is never interrupted itself: it waits for the worker, and when time is up it
    answers at once while the worker is stopped with an asynchronous exception (delivered between
    Python bytecodes, so it also ends long pure-Python work inside pypdf, such as parsing a huge
    object stream). Signals would only work on the main thread and clash with RQ's job timeout.
    """
    outcome: dict[str, object] = {}
    lock = threading.Lock()
    finished = threading.Event()

    def body() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # handed to the caller below, stops included
            outcome["error"] = exc
        # No stop is sent once `finished` is set (both happen under the lock), but one sent just
        # before may still be raised here, at the next function call: take it and set again.
        while True:
            try:
                with lock:
                    finished.set()
                return
            except _DeadlineExceeded:
                continue

    # Copy the context so pypdf's configuration (a ContextVar) is the caller's.
    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(body,), name="page-count", daemon=True)
    worker.start()
    if not finished.wait(seconds):
        _stop_worker(worker, lock, finished)
        finished.wait(_STOP_GRACE_S)
        raise PageCountError(code, message)
    error = outcome.get("error")
    if isinstance(error, _DeadlineExceeded):
        raise PageCountError(code, message)
    if error is not None:
        raise error
    return outcome["result"]  # type: ignore[return-value]


def _stop_worker(worker: threading.Thread, lock: threading.Lock, finished: threading.Event) -> None:
    if _raise_in_thread is None:
        return  # the walk's own deadline check ends it

    def stop() -> None:
        # Repeat until the worker is done: an exception raised while the worker runs a weakref
        # callback or __del__ is ignored by Python (and reported through sys.unraisablehook), so
        # a single stop can be lost.
        while True:
            with lock:
                if finished.is_set() or not worker.is_alive():
                    return
                _raise_in_thread(worker.ident, _DeadlineExceeded)
            if finished.wait(_STOP_INTERVAL_S):
                return

    threading.Thread(target=stop, name="page-count-stop", daemon=True).start()
