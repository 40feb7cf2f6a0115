"""The prompts of a create request: one for every document, one per document, or auto-detect."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.errors import IntakeError
from app.models import ErrorCode, PromptStrategy
from app.services import inputs
from app.services.cleantext import clean_filename, has_control_chars

STRATEGY_SENTENCES = {
    PromptStrategy.GLOBAL: "One prompt is used for every document in the batch.",
    PromptStrategy.PER_DOCUMENT: "Each document gets its own prompt.",
    PromptStrategy.AUTO: "IngestIO detects each document's type (invoice, receipt, bank "
    "statement, contract, ...) and applies the best extraction settings for it.",
}


@dataclass(frozen=True)
class Prompts:
    """The prompt strategy, the batch prompt (global only) and each file's effective prompt."""

    strategy: PromptStrategy
    batch_prompt: str | None
    per_file: list[str | None]


def invalid_prompt(message: str, files: list[dict] | None = None) -> IntakeError:
    return IntakeError(
        ErrorCode.INVALID_PROMPT, message, {"files": files} if files is not None else None
    )


def check_prompt_text(prompt: object, max_chars: int) -> str | None:
    """The reason a prompt is unusable, or None."""
    if not isinstance(prompt, str):
        return "The prompt must be text."
    if not prompt.strip():
        return "The prompt is empty."
    if len(prompt.strip()) > max_chars:
        return f"The prompt has {len(prompt.strip())} characters; the limit is {max_chars}."
    if has_control_chars(prompt):
        return "The prompt contains a control character (a NUL, for example); remove it."
    return None


def resolve_prompts(fields: Mapping[str, str], filenames: Sequence[str], max_chars: int) -> Prompts:
    """The prompt strategy and every file's effective prompt, or 400 invalid_prompt."""
    raw = (fields.get("prompt_strategy") or "").strip() or PromptStrategy.GLOBAL.value
    try:
        strategy = PromptStrategy(raw)
    except ValueError:
        raise invalid_prompt(
            f"Unknown prompt strategy {raw[:40]!r}: use global, per_document or auto."
        ) from None

    if strategy == PromptStrategy.AUTO:
        return Prompts(strategy, None, [None] * len(filenames))

    if strategy == PromptStrategy.GLOBAL:
        prompt = fields.get("global_prompt") or ""
        reason = check_prompt_text(prompt, max_chars)
        if reason == "The prompt is empty.":
            raise invalid_prompt(
                "Enter a prompt (field 'global_prompt'): the global strategy uses one prompt "
                "for every document."
            )
        if reason:
            raise invalid_prompt(reason)
        prompt = prompt.strip()
        return Prompts(strategy, prompt, [prompt] * len(filenames))

    raw_map = fields.get("per_document_prompts") or ""
    if not raw_map.strip():
        raise invalid_prompt(
            "The per_document strategy needs per_document_prompts: a JSON object mapping each "
            "filename to its prompt."
        )
    try:
        mapping = inputs.load_json_field(raw_map, "per_document_prompts")
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict):
        raise invalid_prompt(
            "per_document_prompts must be a JSON object mapping each filename to its prompt, "
            'for example {"invoice.pdf": "Extract the total"}.'
        )
    prompts = {clean_filename(str(key)): value for key, value in mapping.items()}

    duplicates = sorted(name for name, n in Counter(filenames).items() if n > 1)
    if duplicates:
        raise invalid_prompt(
            "Per-document prompts are keyed by filename, so every file needs a distinct name.",
            [
                {"filename": name, "reason": "More than one file has this name."}
                for name in duplicates
            ],
        )
    problems = []
    for name in filenames:
        if name not in prompts:
            problems.append({"filename": name, "reason": "No prompt was given for this file."})
            continue
        reason = check_prompt_text(prompts[name], max_chars)
        if reason:
            problems.append({"filename": name, "reason": reason})
    if problems:
        raise invalid_prompt(
            "Every file needs a non-empty prompt of at most "
            f"{max_chars} characters in per_document_prompts.",
            problems,
        )
    return Prompts(strategy, None, [prompts[name].strip() for name in filenames])
