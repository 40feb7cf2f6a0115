"""LLM answerers (OpenAI, Anthropic) behind the same interface as the local one.

The model gets the thread's earlier questions and answers as conversation turns, then the
numbered passages that retrieval found (extracted fields of the top documents and their best
sentences) with the question. Only the passages the answer cites ([1], [2]) become its sources;
"Not found in the documents." stays the answer when the passages do not hold one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence

from flask import current_app

from app.services.questions import NOT_FOUND_ANSWER
from app.services.questions.answer import (
    MAX_SNIPPET_CHARS,
    Answer,
    AnswerError,
    Ask,
    Candidate,
    Plan,
    TransientAnswerError,
    Turn,
    best_passages,
    clip,
    find_candidates,
    not_found,
    plan_question,
)

SYSTEM_PROMPT = (
    "You answer questions about the user's own documents. Use only the numbered passages given "
    "with each question and the earlier turns of the conversation. Answer in one or two short "
    "sentences or with the bare value asked for. Cite the passages you used as [1], [2]. If the "
    f'passages do not contain the answer, reply exactly: "{NOT_FOUND_ANSWER}"'
)


def setting(name: str, default: str = "") -> str:
    """A setting from the app's configuration, else the environment, else the default."""
    return str(current_app.config.get(name) or os.environ.get(name) or default)


def context_passages(plan: Plan, candidates: Sequence[Candidate], limit: int = 8) -> list[dict]:
    """Numbered passages for a model: extracted fields of the top documents, then best sentences."""
    passages: list[dict] = []
    for cand in candidates[:3]:
        data = {
            k: v for k, v in cand.info.data.items() if k != "line_items" and v not in (None, "")
        }
        if data:
            pages = [e.get("page") for e in cand.info.fields.values() if isinstance(e, dict)]
            passages.append(
                {
                    "document_id": str(cand.info.id),
                    "filename": cand.info.filename,
                    "page": next((p for p in pages if p), None),
                    "text": "Extracted fields: "
                    + json.dumps(data, ensure_ascii=False, default=str),
                }
            )
    for p in best_passages(plan, candidates, limit=limit):
        passages.append(
            {
                "document_id": str(p.candidate.info.id),
                "filename": p.candidate.info.filename,
                "page": p.page,
                "text": p.text,
            }
        )
    return passages[:limit]


class LLMAnswerer:
    """Answers with a chat model from the retrieved passages and the thread's history."""

    name = "llm"
    model = ""

    def complete(self, system: str, messages: list[dict]) -> str:
        raise NotImplementedError

    def answer(self, ask: Ask, history: Sequence[Turn] = ()) -> Answer:
        plan = plan_question(ask, history)
        candidates: list[Candidate] = []
        for scope in plan.scopes:
            candidates = find_candidates(plan, scope)
            if candidates:
                break
        passages = context_passages(plan, candidates)
        if not passages:
            return not_found(plan)
        messages: list[dict] = []
        for turn in history:
            if turn.answer:
                messages.append({"role": "user", "content": turn.question})
                messages.append({"role": "assistant", "content": turn.answer})
        numbered = "\n".join(
            f"[{n}] {p['filename']}, page {p['page'] or '?'}: {clip(p['text'], 1200)}"
            for n, p in enumerate(passages, start=1)
        )
        prompt = f"Passages:\n{numbered}\n\nQuestion: {plan.question}"
        if plan.rewritten != plan.question:
            prompt += f"\n(Read as: {plan.rewritten})"
        text = (
            self.complete(SYSTEM_PROMPT, [*messages, {"role": "user", "content": prompt}]) or ""
        ).strip()
        context = {**plan.context(), "provider": self.name, "model": self.model}
        if not text or NOT_FOUND_ANSWER.lower().rstrip(".") in text.lower():
            return Answer(NOT_FOUND_ANSWER, [], False, context)
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", text)]
        chosen = [passages[n - 1] for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
        chosen = chosen or passages[:1]
        sources = [
            {
                "document_id": p["document_id"],
                "filename": p["filename"],
                "page": p["page"],
                "snippet": clip(p["text"], MAX_SNIPPET_CHARS),
            }
            for p in chosen
        ]
        clean = re.sub(r"\s*\[\d+\]", "", text).strip()
        return Answer(clip(clean, 2000), sources, True, context)


def openai_client(api_key: str):
    """The OpenAI SDK client (a seam for tests that stand in for OpenAI's servers)."""
    import openai

    base_url = setting("OPENAI_BASE_URL") or None
    return openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=60)


def anthropic_client(api_key: str):
    """The Anthropic SDK client (a seam for tests that stand in for Anthropic's servers)."""
    import anthropic

    base_url = setting("ANTHROPIC_BASE_URL") or None
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=0, timeout=60)


class OpenAIAnswerer(LLMAnswerer):
    """Chat Completions through the official openai SDK."""

    name = "openai"

    def __init__(self, api_key: str, model: str):
        self.client = openai_client(api_key)
        self.model = model

    def complete(self, system: str, messages: list[dict]) -> str:
        import openai

        try:
            resp = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system}, *messages],
            )
        except (
            openai.APIConnectionError,
            openai.RateLimitError,
            openai.InternalServerError,
        ) as exc:
            raise TransientAnswerError(f"OpenAI is unavailable: {type(exc).__name__}") from exc
        except openai.APIError as exc:
            raise AnswerError("provider_error", f"OpenAI refused the request: {exc}") from exc
        return resp.choices[0].message.content or ""


class AnthropicAnswerer(LLMAnswerer):
    """The Messages API through the official anthropic SDK."""

    name = "anthropic"

    def __init__(self, api_key: str, model: str):
        self.client = anthropic_client(api_key)
        self.model = model

    def complete(self, system: str, messages: list[dict]) -> str:
        import anthropic

        try:
            resp = self.client.messages.create(
                model=self.model, max_tokens=600, system=system, messages=messages
            )
        except (
            anthropic.APIConnectionError,
            anthropic.RateLimitError,
            anthropic.InternalServerError,
        ) as exc:
            raise TransientAnswerError(f"Anthropic is unavailable: {type(exc).__name__}") from exc
        except anthropic.APIError as exc:
            raise AnswerError("provider_error", f"Anthropic refused the request: {exc}") from exc
        return "".join(getattr(b, "text", "") for b in resp.content)
