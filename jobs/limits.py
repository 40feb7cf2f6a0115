"""Memory and CPU limits of a forked job, and what happens to a document that hits one.

Every work horse of `jobs.worker.DocumentWorker` runs under two kernel limits, set in the child
right after the fork (`apply`):

- memory: `RLIMIT_DATA` = JOB_MEMORY_MB, the private writable memory of the process (heap, anonymous
  mappings: what Python, numpy, Pillow, PDFium and onnxruntime allocate), the part it shares
  copy-on-write with its worker included. `RLIMIT_AS` was measured and not chosen: it counts
  address space that is only reserved (each onnxruntime and OpenBLAS thread reserves a stack and a
  malloc arena), so a worker whose data is 0.44 GB already spans 0.93 GB, and a horse reading an
  A4 scan at 300 dpi spans 1.8 GB for 0.8 GB really used. Measured under `RLIMIT_DATA`, the
  same scan reads normally at 1.5 GB (peak 0.87 GB resident); over the limit, an allocation fails:
  Python raises MemoryError, onnxruntime reports std::bad_alloc, and a library that cannot
  recover aborts the process.
- CPU: `RLIMIT_CPU` = JOB_CPU_SECONDS of CPU time (every thread counts). At the limit the kernel
  sends SIGXCPU, which raises `CpuLimitExceeded` in the job; GRACE_CPU_SECONDS later it kills
  the process (code that never returns to Python cannot be stopped otherwise).

A document whose job hits a limit fails with `too_complex` and is not retried (the same file
would hit it again):

- in the horse (`cause_of`): the job's exception is, or was caused by, a memory failure or the
  CPU signal; `jobs.documents.DocumentPipeline` fails the document as for any other permanent
  error, releasing its pages and counting it on its batch;
- the horse died (`death_cause`, from its exit status and resource usage as the worker saw them):
  the worker fails the document itself with the same pipeline code (`jobs.worker.fail_after_death`), and RQ
  is told not to retry the job. Stops the worker sends itself (RQ's stop-job command, a cold
  shutdown, a job killed long past its timeout) are not mistaken for a limit.
"""

from __future__ import annotations

import logging
import os
import resource
import signal

log = logging.getLogger(__name__)

#: CPU seconds between SIGXCPU and the kernel's SIGKILL, for the job to fail its document.
GRACE_CPU_SECONDS = 10

#: Signals of a process that crashed or aborted (a failed allocation in C or C++ ends this way).
CRASH_SIGNALS = frozenset(
    {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGTRAP, signal.SIGFPE}
)

#: Words of the errors a failed allocation produces in the libraries a job uses.
OUT_OF_MEMORY_WORDS = ("bad_alloc", "cannot allocate memory", "failed to allocate", "out of memory")

MEMORY, CPU = "memory", "cpu"


class CpuLimitExceeded(BaseException):
    """Raised in a job when its CPU time is used up.

    A BaseException so that the broad `except Exception` recovery of the file readers does not
    swallow it and go on spending CPU until the kernel kills the process.
    """


class Limits:
    """The limits of this worker's jobs, from the app's configuration (0: no limit)."""

    def __init__(self, memory_mb: int, cpu_seconds: int):
        self.memory_mb = max(memory_mb, 0)
        self.cpu_seconds = max(cpu_seconds, 0)

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(int(config.get("JOB_MEMORY_MB") or 0), int(config.get("JOB_CPU_SECONDS") or 0))


def _on_cpu_limit(_signum, _frame) -> None:
    # Once only: the kernel repeats SIGXCPU every second until the hard limit, and the job
    # needs that time to fail its document.
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    raise CpuLimitExceeded(CPU)


def apply(limits: Limits) -> None:
    """Set the limits on this process (a freshly forked work horse)."""
    if limits.memory_mb:
        size = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (size, size))
    if limits.cpu_seconds:
        signal.signal(signal.SIGXCPU, _on_cpu_limit)
        resource.setrlimit(
            resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + GRACE_CPU_SECONDS)
        )


def data_mb() -> int | None:
    """This process's private writable memory in MB (VmData), or None where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_headroom(limits: Limits) -> None:
    """Warn when the worker alone already uses most of a job's memory allowance."""
    used = data_mb()
    if limits.memory_mb and used is not None and used > limits.memory_mb * 0.75:
        log.warning(
            "JOB_MEMORY_MB=%d leaves little room for a job: the worker itself holds %d MB",
            limits.memory_mb,
            used,
        )


def cause_of(exc: BaseException | None) -> str | None:
    """MEMORY or CPU when this exception, or one it was raised from, is a limit being hit."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, CpuLimitExceeded):
            return CPU
        if isinstance(exc, MemoryError):
            return MEMORY
        text = str(exc).lower()
        if any(word in text for word in OUT_OF_MEMORY_WORDS):
            return MEMORY
        exc = exc.__cause__ or exc.__context__
    return None


def death_cause(ret_val: int | None, rusage, limits: Limits) -> str | None:
    """MEMORY or CPU when a work horse that died this way was ended by its limits.

    - SIGXCPU, or SIGKILL once its CPU time reached the limit: the CPU limit (the kernel's hard
      limit kills with SIGKILL);
    - a crash signal (SIGABRT, SIGSEGV, ...) under a memory limit: a library that could not
      allocate gave up; so does SIGKILL with a peak resident size at the memory limit (the
      kernel's out-of-memory killer);
    - anything else (a SIGKILL or SIGTERM the worker or an operator sent, an exit status) is not a
      limit: the job is handled as RQ and the sweeper handle lost jobs.
    """
    if ret_val is None or not os.WIFSIGNALED(ret_val):
        return None
    sig = os.WTERMSIG(ret_val)
    cpu = (rusage.ru_utime + rusage.ru_stime) if rusage is not None else 0.0
    peak_mb = (rusage.ru_maxrss / 1024) if rusage is not None else 0.0
    if sig == signal.SIGXCPU:
        return CPU
    if sig == signal.SIGKILL:
        if limits.cpu_seconds and cpu >= limits.cpu_seconds:
            return CPU
        if limits.memory_mb and peak_mb >= limits.memory_mb * 0.9:
            return MEMORY
        return None
    if sig in CRASH_SIGNALS and limits.memory_mb:
        return MEMORY
    return None


def message(cause: str, limits: Limits | None = None) -> str:
    """What a user reads on a document that hit a limit (this worker's limits by default)."""
    if limits is None:
        from flask import current_app

        limits = Limits.from_config(current_app.config)
    if cause == CPU:
        limit = f"{limits.cpu_seconds} seconds of processing time"
    else:
        limit = f"{limits.memory_mb} MB of memory"
    from app.errors import MESSAGES
    from app.models import ErrorCode

    return MESSAGES[ErrorCode.TOO_COMPLEX].format(limit=limit)
