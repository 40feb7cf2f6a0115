"""How much page counting one create request may cost: pages per file, pages and seconds in all.

Counting reads every page object of every PDF inside the web request, so it is bounded: a file
with more than MAX_PAGES_PER_FILE pages, or files with more than MAX_PAGES_PER_REQUEST pages
together, or counting that goes on past PAGE_COUNT_SECONDS_PER_REQUEST, answer 400
`too_many_pages` (the request leaves nothing behind, as every rejected create does). Each file
is counted up to the smaller of the per-file maximum and the pages still left, within the smaller
of its own deadline and the request's, so no file makes counting read more than that.
"""

from __future__ import annotations

import threading

from app.errors import IntakeError
from app.models.enums import ErrorCode
from engine.pdf import TOO_MANY_PAGES, PageCountError

__all__ = ["FILE_COUNT_SECONDS", "CountBudget", "budget_from"]

#: Longest page count of one file; a file that takes longer is unreadable_pdf.
FILE_COUNT_SECONDS = 5.0


def _error(message: str, details: dict):
    return IntakeError(ErrorCode.TOO_MANY_PAGES, message, details)


class CountBudget:
    """What page counting may still spend on one request: pages per file, pages and seconds in all.

    Shared by the threads counting the request's files. A file is counted up to the smaller of
    the per-file maximum and the pages left, so no file makes counting read more than that.
    """

    def __init__(self, per_file: int, per_request: int, seconds: float):
        self.per_file = per_file
        self.per_request = per_request
        self.seconds = seconds
        self.pages_left = per_request
        self.seconds_left = seconds
        self.lock = threading.Lock()

    def take(self) -> tuple[int, float]:
        """The page maximum and the seconds for counting the next file."""
        with self.lock:
            pages, seconds = self.pages_left, min(FILE_COUNT_SECONDS, self.seconds_left)
        if pages <= 0:
            raise self.request_too_long()
        if seconds <= 0:
            raise self.request_too_slow()
        return min(self.per_file, pages), seconds

    def spend(self, pages: int, seconds: float) -> None:
        """Count a file's pages and counting time against the request's totals."""
        with self.lock:
            self.pages_left -= pages
            self.seconds_left -= seconds
            over = self.pages_left < 0
        if over:
            raise self.request_too_long()

    def refused(
        self, filename: str, error: PageCountError, max_pages: int, seconds: float, took: float
    ):
        """The request's error when a file's count stopped on the budget, else None."""
        if error.code == TOO_MANY_PAGES:
            if max_pages < self.per_file:
                return self.request_too_long()
            return self.file_too_long(filename)
        if seconds < FILE_COUNT_SECONDS and took >= seconds:
            return self.request_too_slow()  # stopped by what was left of the request's time
        return None

    def file_too_long(self, filename: str):
        return _error(
            f"{filename} has more than {self.per_file} pages; the limit is {self.per_file} "
            "pages per file. Split it into smaller files.",
            {
                "files": [
                    {
                        "filename": filename,
                        "reason": f"The file has more than {self.per_file} pages.",
                    }
                ],
                "max_pages_per_file": self.per_file,
            },
        )

    def request_too_long(self):
        return _error(
            f"The files of this upload have more than {self.per_request} pages together; the "
            f"limit is {self.per_request} pages per upload. Upload them in several parts.",
            {"max_pages_per_request": self.per_request},
        )

    def request_too_slow(self):
        return _error(
            f"Counting the pages of this upload's files took longer than {self.seconds:g} "
            "seconds. Upload fewer or smaller files at a time.",
            {"seconds_per_request": self.seconds},
        )


def budget_from(config) -> CountBudget:
    """The page counting budget of one request, from the app's configuration."""
    return CountBudget(
        config["MAX_PAGES_PER_FILE"],
        config["MAX_PAGES_PER_REQUEST"],
        float(config["PAGE_COUNT_SECONDS_PER_REQUEST"]),
    )
