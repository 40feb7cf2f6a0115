"""Which prompt a document is extracted with.

- global: the batch's prompt;
- per_document: the document's own prompt;
- auto: the provider classifies the document; its type's default prompt is used and stored on the
  document, with the type and the confidence.

A single upload (no batch) uses its own prompt, or auto when it has none. A batch whose prompt is
missing for a document (which intake does not allow) falls back to auto rather than failing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.models import PromptStrategy


@dataclass(frozen=True)
class ResolvedPrompt:
    """The prompt to extract with, and what auto-detection found (when it ran)."""

    prompt: str
    strategy: PromptStrategy
    document_type: str | None = None
    type_confidence: float | None = None
    classified: bool = False


def strategy_for(doc: Any, batch: Any | None) -> PromptStrategy:
    """The strategy that applies to a document (a row or object with extraction_prompt)."""
    if batch is None:
        return PromptStrategy.PER_DOCUMENT if doc.extraction_prompt else PromptStrategy.AUTO
    strategy = PromptStrategy(batch.prompt_strategy)
    if strategy == PromptStrategy.GLOBAL and not batch.extraction_prompt:
        return PromptStrategy.AUTO
    if strategy == PromptStrategy.PER_DOCUMENT and not doc.extraction_prompt:
        return PromptStrategy.AUTO
    return strategy


def default_prompt(document_type: str) -> str:
    """The default prompt of a document type (the one of `other` for an unknown type)."""
    from engine import DEFAULT_PROMPTS

    return DEFAULT_PROMPTS.get(document_type) or DEFAULT_PROMPTS["other"]


def resolve(
    doc: Any, batch: Any | None, classify: Callable[[], tuple[str, float]]
) -> ResolvedPrompt:
    """The prompt for this document; `classify` is called only for auto."""
    strategy = strategy_for(doc, batch)
    if strategy == PromptStrategy.GLOBAL:
        return ResolvedPrompt(batch.extraction_prompt, strategy, doc.document_type)
    if strategy == PromptStrategy.PER_DOCUMENT:
        return ResolvedPrompt(doc.extraction_prompt, strategy, doc.document_type)
    document_type, confidence = classify()
    return ResolvedPrompt(
        prompt=default_prompt(document_type),
        strategy=strategy,
        document_type=document_type,
        type_confidence=float(confidence) if confidence is not None else None,
        classified=True,
    )
