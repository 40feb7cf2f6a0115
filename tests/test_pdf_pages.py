"""Page counting and file-type detection (allowed types, invariant 5 in docs/states.md)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from engine.pdf import (
    JPEG_MIME,
    PDF_MIME,
    PNG_MIME,
    PageCountError,
    count_pages,
    detect_file_type,
)
from tests.pdfgen import (
    PdfBuilder,
    make_cyclic_pdf,
    make_deep_pdf,
    make_encrypted_pdf,
    make_jpeg,
    make_nested_pdf,
    make_objstm_pdf,
    make_pdf,
    make_png,
)


@pytest.fixture
def write(tmp_path: Path):
    def _write(data: bytes, name: str = "doc.pdf") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return _write


# A stop that lands in a weakref callback is ignored by Python and reported as "unraisable"; the
# worker is told again, so the report is noise for these tests.
STOPS_MAY_BE_REPORTED = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture(scope="module")
def slow_objstm_path(tmp_path_factory) -> str:
    # Under half a MiB, yet pypdf needs some 20 s to parse this object stream, in one call.
    path = tmp_path_factory.mktemp("hostile") / "slow-objstm.pdf"
    path.write_bytes(make_objstm_pdf(3, 50_000, padding_body=b"[" + b"0 " * 200 + b"]"))
    return str(path)


def pdf_error(path: str, **limits) -> PageCountError:
    with pytest.raises(PageCountError) as info:
        count_pages(path, PDF_MIME, **limits)
    return info.value


# --- counting valid files ----------------------------------------------------------------------


@pytest.mark.parametrize("pages", [1, 7, 300])
def test_counts_generated_pdfs(write, pages):
    assert count_pages(write(make_pdf(pages)), PDF_MIME) == pages


@pytest.mark.parametrize(("pages", "fanout"), [(1, 2), (10, 3), (50, 3), (257, 4)])
def test_counts_nested_page_tree(write, pages, fanout):
    assert count_pages(write(make_nested_pdf(pages, fanout)), PDF_MIME) == pages


@pytest.mark.parametrize(("declared", "real"), [(1000, 3), (1, 5), (0, 2), (-4, 2)])
def test_forged_count_is_ignored(write, declared, real):
    assert count_pages(write(make_pdf(real, count=declared)), PDF_MIME) == real


def test_counts_pages_stored_in_an_object_stream(write):
    assert count_pages(write(make_objstm_pdf(5)), PDF_MIME) == 5


def test_counts_a_pdf_written_by_pillow(write, tmp_path):
    images = [Image.new("RGB", (60, 40), color) for color in ("red", "green", "blue")]
    path = tmp_path / "pillow.pdf"
    images[0].save(path, format="PDF", save_all=True, append_images=images[1:])
    assert count_pages(str(path), PDF_MIME) == 3


def test_tree_of_depth_max_depth_is_accepted(write):
    assert count_pages(write(make_deep_pdf(64)), PDF_MIME, max_depth=64) == 1


def test_nodes_without_type_follow_kids_rule(write):
    # Intermediate node without /Type but with /Kids, and a page without /Type and /Kids.
    builder = PdfBuilder()
    root = builder.reserve()
    inner = builder.reserve()
    font = builder.add_font()
    typed_page = builder.add_page(inner, font, ["typed"], 1)
    untyped_page = builder.add(b"<< /Parent %d 0 R /MediaBox [0 0 612 792] >>" % inner)
    builder.set(
        inner, b"<< /Parent %d 0 R /Kids [%d 0 R %d 0 R] >>" % (root, typed_page, untyped_page)
    )
    builder.set(root, b"<< /Type /Pages /Kids [%d 0 R] /Count 99 >>" % inner)
    path = write(builder.build(builder.add_catalog(root)))
    assert count_pages(path, PDF_MIME) == 2


def test_empty_intermediate_node_holds_no_pages(write):
    builder = PdfBuilder()
    root = builder.reserve()
    empty = builder.add(b"<< /Type /Pages /Parent %d 0 R /Kids [] /Count 0 >>" % root)
    page = builder.add_page(root, builder.add_font(), ["one"], 1)
    builder.set(root, b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 1 >>" % (empty, page))
    assert count_pages(write(builder.build(builder.add_catalog(root))), PDF_MIME) == 1


def test_repaired_xref_with_all_objects_present_is_counted(write):
    # A wrong startxref offset makes pypdf rebuild the xref by scanning; every object is intact.
    data = make_pdf(4)
    cut = data.rfind(b"startxref")
    path = write(data[:cut] + b"startxref\n17\n%%EOF\n")
    assert count_pages(path, PDF_MIME) == 4


def test_empty_user_password_pdf_is_counted(write):
    data = make_encrypted_pdf(3, user_password="", owner_password="owner-only")
    assert count_pages(write(data), PDF_MIME) == 3


# --- rejected PDFs -----------------------------------------------------------------------------


def test_cyclic_tree_is_unreadable(write):
    err = pdf_error(write(make_cyclic_pdf()))
    assert err.code == "unreadable_pdf"
    assert err.message == "The PDF's page tree is malformed (it loops)."


def test_page_shared_by_two_parents_is_rejected(write):
    # Listing one page object many times must not inflate the count.
    builder = PdfBuilder()
    root = builder.reserve()
    page = builder.add_page(root, builder.add_font(), ["shared"], 1)
    builder.set(root, b"<< /Type /Pages /Kids [%d 0 R %d 0 R %d 0 R] /Count 3 >>" % ((page,) * 3))
    err = pdf_error(write(builder.build(builder.add_catalog(root))))
    assert err.code == "unreadable_pdf"


@pytest.mark.parametrize("depth", [65, 2000])
def test_too_deep_tree_is_unreadable(write, depth):
    err = pdf_error(write(make_deep_pdf(depth)), max_depth=64)
    assert err.code == "unreadable_pdf"
    assert "nested too deeply" in err.message


@pytest.mark.parametrize("make", [make_pdf, make_nested_pdf], ids=["flat", "nested"])
def test_more_than_max_pages_fails_clearly(write, make):
    err = pdf_error(write(make(30)), max_pages=20)
    assert err.code == "too_many_pages"
    assert "more than 20 pages" in err.message


def test_exactly_max_pages_is_accepted(write):
    assert count_pages(write(make_nested_pdf(20, 3)), PDF_MIME, max_pages=20) == 20
    assert count_pages(write(make_pdf(20)), PDF_MIME, max_pages=20) == 20


def test_non_page_object_in_tree_is_unreadable(write):
    builder = PdfBuilder()
    root = builder.reserve()
    font = builder.add_font()
    page = builder.add_page(root, font, ["one"], 1)
    builder.set(root, b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>" % (page, font))
    err = pdf_error(write(builder.build(builder.add_catalog(root))))
    assert err.code == "unreadable_pdf"
    assert "not a page" in err.message


def test_missing_kid_object_is_unreadable(write):
    builder = PdfBuilder()
    root = builder.reserve()
    page = builder.add_page(root, builder.add_font(), ["one"], 1)
    builder.set(root, b"<< /Type /Pages /Kids [%d 0 R 999 0 R] /Count 2 >>" % page)
    err = pdf_error(write(builder.build(builder.add_catalog(root))))
    assert err.code == "unreadable_pdf"


def test_encrypted_pdf_is_rejected(write):
    err = pdf_error(write(make_encrypted_pdf(2, user_password="secret")))
    assert err.code == "encrypted_pdf"
    assert err.message == "The PDF is encrypted; upload a copy without a password."


@pytest.mark.parametrize("cut", ["150", "half"])
def test_truncated_pdf_is_unreadable(write, cut):
    data = make_pdf(2)
    data = data[:150] if cut == "150" else data[: len(data) // 2]
    err = pdf_error(write(data))
    assert err.code == "unreadable_pdf"
    assert err.message == "The PDF could not be read: it is damaged or incomplete."


def test_truncated_large_pdf_is_unreadable(write):
    data = make_pdf(40)
    assert pdf_error(write(data[: len(data) // 2])).code == "unreadable_pdf"


def test_zero_pages_is_unreadable(write):
    err = pdf_error(write(make_pdf(0)))
    assert err.code == "unreadable_pdf"
    assert err.message == "The PDF has no pages."


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7\n", b"%PDF-1.4\n" + bytes(range(256)) * 8, b"MZ\x90\x00" + b"\x00" * 500],
    ids=["empty", "header-only", "garbage", "exe"],
)
def test_garbage_is_unreadable_not_a_crash(write, data):
    assert pdf_error(write(data)).code == "unreadable_pdf"


def test_object_stream_with_absurd_object_count_is_refused_at_once(write):
    path = write(make_objstm_pdf(3, padding_objects=150_000))
    started = time.monotonic()
    err = pdf_error(path)
    assert time.monotonic() - started < 1.0
    assert err.code == "unreadable_pdf"
    assert "too large" in err.message


def test_deadline_is_enforced_inside_the_walk(write):
    err = pdf_error(write(make_pdf(300)), deadline_s=0.0)
    assert err.code == "unreadable_pdf"
    assert "too long" in err.message


@STOPS_MAY_BE_REPORTED
def test_hard_deadline_stops_a_slow_object_stream(slow_objstm_path):
    started = time.monotonic()
    err = pdf_error(slow_objstm_path, deadline_s=0.3)
    assert time.monotonic() - started < 2.0
    assert err.code == "unreadable_pdf"
    # Nothing is left pending for the caller once the error has been raised.
    time.sleep(0.4)
    assert sum(range(1000)) == 499500


@STOPS_MAY_BE_REPORTED
def test_hard_deadline_works_off_the_main_thread(slow_objstm_path):
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            count_pages(slow_objstm_path, PDF_MIME, deadline_s=0.3)
        except PageCountError as exc:
            outcome["code"] = exc.code
        outcome["elapsed"] = time.monotonic() - started

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=10)
    assert outcome["code"] == "unreadable_pdf"
    assert outcome["elapsed"] < 2.0


def test_caller_is_freed_even_when_the_worker_is_stuck_in_c_code(write, monkeypatch):
    # A stop is only delivered between bytecodes; the caller must not wait for that.
    import engine.pdf as pdf_module

    monkeypatch.setattr(pdf_module, "_count_pdf_pages", lambda *args: time.sleep(1.5) or 1)
    started = time.monotonic()
    err = pdf_error(write(make_pdf(1)), deadline_s=0.2)
    assert err.code == "unreadable_pdf"
    assert time.monotonic() - started < 1.2


def test_errors_from_the_worker_reach_the_caller(write, monkeypatch):
    import engine.pdf as pdf_module

    def boom(*args):
        raise PageCountError("encrypted_pdf", "nope")

    monkeypatch.setattr(pdf_module, "_count_pdf_pages", boom)
    assert pdf_error(write(make_pdf(1))).code == "encrypted_pdf"


PROFILED_COUNT = """
import cProfile, sys
from engine.pdf import PDF_MIME, PageCountError, count_pages
path, slow = sys.argv[1], sys.argv[2]
counts = []
profiler = cProfile.Profile()
profiler.enable()
try:
    count_pages(slow, PDF_MIME, deadline_s=0.3)
except PageCountError as exc:
    counts.append(exc.code)
counts += [count_pages(path, PDF_MIME) for _ in range(20)]
profiler.disable()
sys.settrace(lambda *args: None)  # as coverage and debuggers do
counts += [count_pages(path, PDF_MIME) for _ in range(5)]
sys.settrace(None)
print(*counts)
"""


@STOPS_MAY_BE_REPORTED
def test_counting_works_under_a_profiler_or_tracer(write, slow_objstm_path):
    """Profiling a web or worker process, or running it under coverage, must not hang counting.

    Clearing a scheduled stop through the C API once left the interpreter believing a stop was
    pending for good: from the first count on, every thread took the slow path, and a thread
    being profiled or traced never got past starting the next counting thread.
    """
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", PROFILED_COUNT, write(make_pdf(10)), slow_objstm_path],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,  # the hang this guards against never ends by itself
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["unreadable_pdf"] + ["10"] * 25


def test_fast_files_are_unaffected_by_the_watchdog(write):
    path = write(make_pdf(3))
    for _ in range(50):
        assert count_pages(path, PDF_MIME, deadline_s=0.05) == 3
    time.sleep(0.1)


# --- images --------------------------------------------------------------------------------------


def test_png_counts_one_page(write):
    assert count_pages(write(make_png(), "scan.png"), PNG_MIME) == 1


def test_jpeg_counts_one_page(write):
    assert count_pages(write(make_jpeg(), "photo.jpg"), JPEG_MIME) == 1


@pytest.mark.parametrize(
    "data",
    [
        make_png()[:40],
        make_png()[:60] + b"\x00" * 40 + make_png()[100:],
        b"\x89PNG\r\n\x1a\n" + b"junk" * 10,
    ],
    ids=["truncated", "corrupt-chunk", "junk"],
)
def test_broken_png_is_unreadable_file(write, data):
    with pytest.raises(PageCountError) as info:
        count_pages(write(data, "scan.png"), PNG_MIME)
    assert info.value.code == "unreadable_file"


def test_image_whose_content_does_not_match_its_type_is_unreadable(write):
    with pytest.raises(PageCountError) as info:
        count_pages(write(make_jpeg(), "scan.png"), PNG_MIME)
    assert info.value.code == "unreadable_file"


def test_unknown_mime_type_is_a_programming_error(write):
    with pytest.raises(ValueError):
        count_pages(write(b"hello", "a.txt"), "text/plain")


# --- detect_file_type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "filename", "expected"),
    [
        (make_pdf(1), "invoice.pdf", PDF_MIME),
        (make_pdf(1), "INVOICE.PDF", PDF_MIME),
        (b"\r\n%!junk\n" + make_pdf(1), "leading-junk.pdf", PDF_MIME),
        (b"x" * 1100 + make_pdf(1), "header-too-late.pdf", None),
        (make_png(), "scan.png", PNG_MIME),
        (make_png(), "SCAN.PNG", PNG_MIME),
        (make_jpeg(), "photo.jpg", JPEG_MIME),
        (make_jpeg(), "photo.JPEG", JPEG_MIME),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "setup.pdf", None),
        (make_png(), "scan.pdf", None),
        (make_pdf(1), "invoice.png", None),
        (make_jpeg(), "photo.png", None),
        (make_pdf(1), "invoice", None),
        (make_pdf(1), "invoice.pdf.exe", None),
        (make_pdf(1), "invoice.txt", None),
        (b"", "empty.pdf", None),
        (b"", "empty.png", None),
    ],
)
def test_detect_file_type(head, filename, expected):
    assert detect_file_type(head[:1024], filename) == expected
