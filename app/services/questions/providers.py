"""Which answerer answers question batches: a provider chosen by the settings."""

import logging

from app.services.questions.answer import LocalAnswerer
from app.services.questions.llm import AnthropicAnswerer, OpenAIAnswerer, setting

log = logging.getLogger(__name__)


def get_answerer():
    """The answerer configured for question batches (QUESTION_PROVIDER, else EXTRACTION_PROVIDER).

    An LLM provider counts only with its API key; without one the local answerer is used.
    """
    name = (setting("QUESTION_PROVIDER") or setting("EXTRACTION_PROVIDER", "local")).lower()
    if name == "openai" and setting("OPENAI_API_KEY"):
        return OpenAIAnswerer(setting("OPENAI_API_KEY"), setting("OPENAI_MODEL", "gpt-4.1-mini"))
    if name == "anthropic" and setting("ANTHROPIC_API_KEY"):
        return AnthropicAnswerer(
            setting("ANTHROPIC_API_KEY"), setting("ANTHROPIC_MODEL", "claude-sonnet-4-5")
        )
    if name not in ("local", ""):
        log.warning("question provider %s has no API key; answering with the local provider", name)
    return LocalAnswerer()
