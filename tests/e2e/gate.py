"""A gate in front of the real local extraction, for the browser tests' worker.

EXTRACTION_PROVIDER="tests.e2e.gate:GatedProvider" with INGESTIO_TEST_GATE_DIR=<dir>: while the
file `closed` exists in that folder, each extraction writes `started-<pid>-<filename>` there and
waits until the file is removed; with the gate open it is exactly the local provider. A test closes
the gate to hold a batch in `processing` (to cancel it) and opens it again afterwards.
"""

import os
import time
from pathlib import Path

from engine import TransientProviderError
from tests.support.providers import LocalBased


def gate_dir() -> Path:
    return Path(os.environ["INGESTIO_TEST_GATE_DIR"])


class GatedProvider(LocalBased):
    """The local provider, held while the gate is closed."""

    name = "gated"

    def warm_up(self) -> None:
        """Load the OCR models and read a sample page in the worker, as for `local`."""
        from jobs.worker import warm_up_provider

        warm_up_provider("local")

    def extract(self, doc, prompt, document_type=None):
        folder = gate_dir()
        if (folder / "closed").exists():
            (folder / f"started-{os.getpid()}-{doc.filename}").touch()
            deadline = time.monotonic() + 300
            while (folder / "closed").exists():
                if time.monotonic() > deadline:
                    raise TransientProviderError("the gate stayed closed for too long")
                time.sleep(0.02)
        return super().extract(doc, prompt, document_type=document_type)
