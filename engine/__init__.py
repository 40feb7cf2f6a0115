"""Document extraction: one provider interface, chosen by EXTRACTION_PROVIDER.

``local`` (the default) works offline; ``openai`` and ``anthropic`` call those APIs when their
key is configured. Usage::

    provider = get_provider()
    doc_type, confidence = provider.classify(SourceDocument(path, "application/pdf"))
    result = provider.extract(doc, "Extract the invoice number, date and total")

Failures raise ExtractionError with a stable code: ``unreadable_pdf``, ``encrypted_pdf``,
``no_text``, ``provider_error``, ``too_complex`` (an image or page too large to decode, or more
memory or time than a job may use) or
``extraction_failed``; TransientProviderError (a subclass)
marks what is worth retrying (provider timeouts, rate limits, 5xx, lost connections). A document
with no readable text even after OCR (a blank page, an unreadable photo) raises ``no_text`` rather
than answering an empty result, so that the user sees why nothing was extracted and is not charged
for it; ``classify`` answers ``("other", 0.0)`` for such a document.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from .base import (
    DOCUMENT_TYPES,
    ErrorCode,
    ExtractionError,
    Provider,
    SourceDocument,
    TransientProviderError,
)
from .prompts import DEFAULT_PROMPTS
from .text import document_text

__all__ = [
    "DEFAULT_PROMPTS",
    "DOCUMENT_TYPES",
    "ErrorCode",
    "ExtractionError",
    "Provider",
    "SourceDocument",
    "TransientProviderError",
    "document_text",
    "get_provider",
    "provider_names",
]

_PROVIDERS: dict[tuple, Provider] = {}
_lock = threading.Lock()


def provider_names() -> tuple[str, ...]:
    """Names accepted by get_provider."""
    return ("local", "openai", "anthropic")


def _freeze(config: Mapping[str, Any] | None) -> tuple:
    """Hashable form of a config mapping, for the per-process cache key."""
    if not config:
        return ()
    return tuple(sorted((str(k), repr(v)) for k, v in config.items()))


def get_provider(name: str | None = None, config: Mapping[str, Any] | None = None) -> Provider:
    """The provider called ``name`` (default: EXTRACTION_PROVIDER or 'local'), one per process.

    ``config`` overrides environment variables (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL,
    ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, ANTHROPIC_MODEL, EXTRACTION_TIMEOUT,
    EXTRACTION_MAX_RETRIES). Raises ValueError for an unknown name or a missing API key.
    """
    chosen = (name or (config or {}).get("EXTRACTION_PROVIDER") or "").strip().lower()
    chosen = chosen or os.environ.get("EXTRACTION_PROVIDER", "").strip().lower() or "local"
    if chosen not in provider_names():
        raise ValueError(
            f"Unknown extraction provider {chosen!r}; expected one of {', '.join(provider_names())}."
        )
    key = (chosen, _freeze(config))
    with _lock:
        provider = _PROVIDERS.get(key)
        if provider is None:
            provider = _build(chosen, config)
            _PROVIDERS[key] = provider
        return provider


def _build(name: str, config: Mapping[str, Any] | None) -> Provider:
    """A new provider instance."""
    if name == "local":
        from .local import LocalProvider

        return LocalProvider(config)
    if name == "openai":
        from .llm import OpenAIProvider

        return OpenAIProvider(config)
    from .llm import AnthropicProvider

    return AnthropicProvider(config)
