"""Test-only extraction providers, selected with EXTRACTION_PROVIDER="tests.support.providers:Name".

They stand in for what is outside the project (an LLM service that is down, a worker that hangs);
the extraction itself is always the real local provider.
"""

import os
import time
from pathlib import Path

from engine import Provider, TransientProviderError, get_provider


class LocalBased(Provider):
    """Delegates to the real local provider."""

    name = "test"
    model = "local-test"

    def __init__(self):
        self.inner = get_provider("local")

    def classify(self, doc):
        return self.inner.classify(doc)

    def extract(self, doc, prompt, document_type=None):
        return self.inner.extract(doc, prompt, document_type=document_type)


class BlockingProvider(LocalBased):
    """Extraction waits for a `release` file in INGESTIO_TEST_BLOCK_DIR.

    On entry it writes `started-<pid>-<filename>` there, so a test knows the job is in the middle of
    a document (claimed, quota reserved) before it kills the worker.
    """

    name = "blocking"

    def extract(self, doc, prompt, document_type=None):
        folder = Path(os.environ["INGESTIO_TEST_BLOCK_DIR"])
        (folder / f"started-{os.getpid()}-{doc.filename}").touch()
        deadline = time.monotonic() + 300
        while not (folder / "release").exists():
            if time.monotonic() > deadline:
                raise TransientProviderError("blocked for too long")
            time.sleep(0.02)
        return super().extract(doc, prompt, document_type=document_type)


class FlakyProvider(LocalBased):
    """Fails with a transient error the first `failures` calls of extract, then works."""

    name = "flaky"
    failures = 1
    calls = 0

    def extract(self, doc, prompt, document_type=None):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise TransientProviderError("the service answered 503 Service Unavailable")
        return super().extract(doc, prompt, document_type=document_type)


class DownProvider(LocalBased):
    """The extraction service never answers."""

    name = "down"

    def extract(self, doc, prompt, document_type=None):
        raise TransientProviderError("connection timed out after 30 s")


class CrashingProvider(LocalBased):
    """A programming error inside the provider."""

    name = "crashing"

    def extract(self, doc, prompt, document_type=None):
        raise RuntimeError("unexpected None in the layout")


class HangingProvider(LocalBased):
    """The extraction service never returns (until the job's timeout stops it)."""

    name = "hanging"

    def extract(self, doc, prompt, document_type=None):
        time.sleep(600)
        return super().extract(doc, prompt, document_type=document_type)
