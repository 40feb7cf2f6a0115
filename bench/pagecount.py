"""Page-count timings: `count_pages` next to pikepdf and pypdfium2, and hostile-file rejection.

Run from the repository root: `.venv/bin/python bench/pagecount.py [--repeat N]`.
pikepdf is a development dependency (requirements-dev.txt). Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from engine.pdf import PDF_MIME, PageCountError, count_pages  # noqa: E402
from tests.pdfgen import (  # noqa: E402
    make_cyclic_pdf,
    make_deep_pdf,
    make_objstm_pdf,
    make_pdf,
)

SIZES = (1, 100, 1_000, 10_000)


def ours(path: str) -> int:
    return count_pages(path, PDF_MIME)


def with_pikepdf(path: str) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def with_pdfium(path: str) -> int:
    doc = pdfium.PdfDocument(path)
    try:
        return len(doc)
    finally:
        doc.close()


def timed(fn: Callable[[str], int], path: str) -> tuple[float, str]:
    """Seconds taken and the outcome (a page count or the error's short form)."""
    started = time.perf_counter()
    try:
        outcome = str(fn(path))
    except PageCountError as exc:
        outcome = f"{exc.code}: {exc.message}"
    except Exception as exc:  # other libraries' errors are part of the comparison
        outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
    return time.perf_counter() - started, outcome


def median_time(fn: Callable[[str], int], path: str, repeat: int) -> tuple[float, str]:
    runs = [timed(fn, path) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def mib(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:,.2f}"


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def bench_sizes(directory: Path, repeat: int) -> None:
    print(f"Page count per file (median of {repeat} runs, ms)")
    header = (
        f"{'pages':>7} {'MiB':>7} | {'ours':>9} | {'pikepdf':>9} {'ours/pike':>9} "
        f"| {'pdfium':>9} {'ours/pdfium':>11} | counts (ours, pikepdf, pdfium)"
    )
    print(header)
    print("-" * len(header))
    for pages in SIZES:
        path = write(directory, f"flat-{pages}.pdf", make_pdf(pages))
        t_ours, n_ours = median_time(ours, str(path), repeat)
        t_pike, n_pike = median_time(with_pikepdf, str(path), repeat)
        t_pdfium, n_pdfium = median_time(with_pdfium, str(path), repeat)
        print(
            f"{pages:>7,} {mib(path):>7} | {ms(t_ours):>9} | {ms(t_pike):>9} "
            f"{t_ours / t_pike:>8.1f}x | {ms(t_pdfium):>9} {t_ours / t_pdfium:>10.1f}x "
            f"| {n_ours}, {n_pike}, {n_pdfium}"
        )


def bench_hostile(directory: Path) -> None:
    print()
    print("Hostile files (single run; ours uses the defaults: 20,000 pages, depth 64, 5 s)")
    cases = [
        ("forged /Count 1000, 3 pages", make_pdf(3, count=1000)),
        ("cyclic page tree", make_cyclic_pdf()),
        ("deep tree (5,000 levels)", make_deep_pdf(5_000)),
        ("50,000 pages", make_pdf(50_000)),
        ("huge object stream (3M objects)", make_objstm_pdf(3, padding_objects=3_000_000)),
        (
            "slow object stream (50,000 arrays of 200 numbers)",
            make_objstm_pdf(3, 50_000, padding_body=b"[" + b"0 " * 200 + b"]"),
        ),
    ]
    for index, (label, data) in enumerate(cases):
        path = str(write(directory, f"hostile-{index}.pdf", data))
        print(f"\n{label}  ({len(data) / 2**20:,.2f} MiB)")
        for name, fn in (("ours", ours), ("pikepdf", with_pikepdf), ("pdfium", with_pdfium)):
            seconds, outcome = timed(fn, path)
            print(f"  {name:<8} {ms(seconds):>10} ms  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per file for the medians")
    args = parser.parse_args()
    # pypdf warns about every repair it makes; the hostile files would flood the output.
    logging.disable(logging.WARNING)
    # Timings on a shared machine swing with its load; print it next to the figures.
    one, five, fifteen = os.getloadavg()
    print(f"load average (1, 5, 15 min): {one:.2f} {five:.2f} {fifteen:.2f}\n")
    with tempfile.TemporaryDirectory(prefix="pagecount-") as tmp:
        bench_sizes(Path(tmp), args.repeat)
        bench_hostile(Path(tmp))


if __name__ == "__main__":
    main()
