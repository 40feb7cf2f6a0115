"""Answering one question of a thread from the user's documents.

Every answer starts with the same plan (:func:`plan_question`): the question's keywords, the field
it asks for (total, date, vendor...), the identifiers it names ("invoice 42") and, for a follow-up
("and its date?"), the thread's context: the documents the earlier answers cited and the earlier
question's subject. A follow-up is searched in the cited documents first and is rewritten with the
inherited subject ("What is the date of invoice 42?").

Providers behind one interface (``answer(ask, history) -> Answer``):

- ``local`` (offline): retrieval in the database, then the best extracted field value or the best
  sentence, with its source; "Not found in the documents." when nothing relevant matches.
- ``openai`` / ``anthropic`` (``llm.py``): the same retrieval, then the model answers from the
  passages and the thread's history (official SDKs; the passages it cites become its sources).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.services.questions import NOT_FOUND_ANSWER
from app.services.questions import retrieval as rt
from app.services.questions.intents import FieldIntent
from app.services.questions.planning import (  # noqa: F401 - part of this module's interface
    _NUMBER_LIKE,
    Answer,
    Ask,
    Keyword,
    Plan,
    Turn,
    plan_question,
)
from app.services.questions.retrieval import DocumentInfo, Scope
from app.services.questions.words import (  # noqa: F401 - part of this module's interface
    _DATE_LIKE,
    clip,
    id_variants,
    identifiers_in,
    ids_match,
    normalize_id,
    split_units,
    stem,
    stems,
    tokens,
)

log = logging.getLogger(__name__)

MAX_CANDIDATE_DOCUMENTS = 12
MAX_ANSWER_CHARS = 600
MAX_SNIPPET_CHARS = 300
MIN_COVERAGE = 0.6

ID_FIELD = re.compile(r"(number|_no$|^no$|_id$|^id$|reference|^ref$|_ref$)")


# --- candidates -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A document that may hold the answer, with how well it matches the question's subject."""

    info: DocumentInfo
    pages: dict[int, str]
    rank: float = 0.0
    hit_pages: list[int] = field(default_factory=list)
    identifier_match: bool = False
    subject_coverage: float = 0.0
    preferred: bool = False
    type_match: bool = False
    stems: set[str] = field(default_factory=set)

    def sort_key(self):
        return (
            self.identifier_match,
            round(self.subject_coverage, 3),
            self.preferred,
            self.type_match,
            self.rank,
        )


def _coverage(keywords: Sequence[Keyword], present: set[str]) -> float:
    total = sum(k.weight for k in keywords)
    if not total:
        return 0.0
    return sum(k.weight for k in keywords if k.stem in present) / total


def _document_identifiers(info: DocumentInfo, pages: dict[int, str]) -> list[str]:
    values = [
        str(v)
        for k, v in info.data.items()
        if v not in (None, "") and ID_FIELD.search(str(k)) and not isinstance(v, dict | list)
    ]
    stem_name = info.filename.rsplit(".", 1)[0] if "." in info.filename else info.filename
    values += [i for i, _l, _s in identifiers_in(stem_name.replace("_", " "))]
    for text in pages.values():
        values += [i for i, _l, _s in identifiers_in(text)]
    return values


def _data_text(info: DocumentInfo) -> str:
    parts = []
    for value in info.data.values():
        if isinstance(value, str | int | float):
            parts.append(str(value))
        elif isinstance(value, list):
            parts += [str(v) for v in value if isinstance(v, str | int | float)]
    return " ".join(parts)


def search_hits(plan: Plan, scope: Scope) -> list[rt.PageHit]:
    """Pages worth reading: those holding all of the question's words, else most of them, else
    half (each step only when the one before found nothing, so that a common word never makes
    the database rank the whole corpus)."""
    words = rt.clean_terms(plan.search_terms)[: rt.MAX_COMBINED_TERMS]
    n = len(words)
    for at_least in dict.fromkeys((n, n - 1, (n + 1) // 2 if n > 2 else 1)):
        if at_least < 1:
            continue
        hits = rt.search_pages(scope, words, limit=40, at_least=at_least)
        if hits:
            return hits
    return []


def _verified(ident: str, hits: list[rt.PageHit], scope: Scope) -> dict[uuid.UUID, list[int]]:
    """The hit documents that really name the identifier: {document: pages naming it}."""
    out: dict[uuid.UUID, list[int]] = {}
    for (doc_id, page), text in sorted(rt.hit_texts(hits).items()):
        if any(ids_match(ident, found) for found, _label, _span in identifiers_in(text)):
            out.setdefault(doc_id, []).append(page)
    for doc_id, info in rt.documents_info(scope, [h.document_id for h in hits]).items():
        if doc_id not in out and any(ids_match(ident, v) for v in _document_identifiers(info, {})):
            out[doc_id] = []
    return out


def identifier_hits(plan: Plan, scope: Scope) -> list[rt.PageHit]:
    """Pages of the documents that name the question's identifiers: first where the identifier
    follows its label word ("Invoice No: 42"), else anywhere; checked against the text, since a
    number alone also turns up in dates and amounts."""
    hits: list[rt.PageHit] = []
    for ident in plan.identifiers:
        label = plan.labels.get(ident)
        for near in [label, None] if label else [None]:
            found = rt.search_identifier(scope, id_variants(ident), near, limit=200)
            verified = _verified(ident, found, scope)
            if verified:
                for doc_id, pages in verified.items():
                    hits += [rt.PageHit(doc_id, page, 1.0) for page in pages or [1]]
                break
    return hits


def find_candidates(plan: Plan, scope: Scope) -> list[Candidate]:
    """Documents of the scope that may hold the answer, best first."""
    hits = identifier_hits(plan, scope) if plan.identifiers else search_hits(plan, scope)
    order: list[uuid.UUID] = []
    ranks: dict[uuid.UUID, float] = {}
    hit_pages: dict[uuid.UUID, list[int]] = {}
    for hit in hits:
        if hit.document_id not in ranks:
            order.append(hit.document_id)
            ranks[hit.document_id] = 0.0
            hit_pages[hit.document_id] = []
        ranks[hit.document_id] += hit.rank
        if hit.page not in hit_pages[hit.document_id]:
            hit_pages[hit.document_id].append(hit.page)
    for doc_id in plan.preferred:
        if doc_id not in ranks and (scope.document_ids is None or doc_id in scope.document_ids):
            order.append(doc_id)
    if scope.document_ids is not None:
        order += [d for d in scope.document_ids if d not in order]
    order = order[:MAX_CANDIDATE_DOCUMENTS]
    infos = rt.documents_info(scope, order)
    texts = rt.page_texts(infos)
    candidates = []
    for doc_id in order:
        info = infos.get(doc_id)
        if info is None:
            continue
        pages = texts.get(doc_id, {})
        cand = Candidate(info=info, pages=pages, rank=ranks.get(doc_id, 0.0))
        cand.hit_pages = hit_pages.get(doc_id, [])
        cand.stems = set().union(
            *(stems(text) for text in pages.values()),
            stems(info.filename.replace("_", " ")),
            stems(_data_text(info)),
        )
        cand.subject_coverage = _coverage(plan.subject_keywords, cand.stems)
        cand.preferred = doc_id in plan.preferred
        cand.type_match = bool(plan.doc_type) and info.document_type == plan.doc_type
        if plan.identifiers:
            known = _document_identifiers(info, pages)
            cand.identifier_match = any(ids_match(a, b) for a in plan.identifiers for b in known)
        candidates.append(cand)
    if plan.identifiers:
        candidates = [c for c in candidates if c.identifier_match]
    candidates.sort(key=lambda c: c.sort_key(), reverse=True)
    return candidates


# --- local answers --------------------------------------------------------------------------------


def _format_value(intent: FieldIntent, value: Any, data: dict) -> str:
    if isinstance(value, list):
        return "; ".join(_format_value(intent, v, data) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if intent.kind == "amount" and isinstance(value, int | float) and not isinstance(value, bool):
        currency = data.get("currency")
        text = f"{value:.2f}"
        return f"{text} {currency}" if isinstance(currency, str) and currency else text
    return str(value)


def _page_of(text: str, pages: dict[int, str]) -> int | None:
    needle = re.sub(r"\s+", " ", text or "").strip().lower()
    if not needle:
        return None
    for number, page_text in sorted(pages.items()):
        if needle in re.sub(r"\s+", " ", page_text).lower():
            return number
    return None


def _line_with(value: str, page_text: str) -> str | None:
    needle = str(value).strip().lower()
    for line in (page_text or "").splitlines():
        if needle and needle in line.lower():
            return line.strip()
    return None


def source_of(info: DocumentInfo, page: int | None, snippet: str | None) -> dict:
    """A source entry: document id, filename, page and snippet."""
    return {
        "document_id": str(info.id),
        "filename": info.filename,
        "page": page,
        "snippet": clip(snippet or "", MAX_SNIPPET_CHARS) or None,
    }


def _field_answer(intent: FieldIntent, cand: Candidate) -> Answer | None:
    """The extracted value of the field in this document, with the page it came from."""
    data, fields = cand.info.data, cand.info.fields
    for key in intent.data_keys:
        value = data.get(key)
        if value in (None, "", [], {}):
            continue
        entry = fields.get(key) if isinstance(fields.get(key), dict) else {}
        text = _format_value(intent, value, data)
        snippet = entry.get("source_text")
        page = entry.get("page")
        if page is None:
            page = _page_of(snippet, cand.pages) if snippet else None
        if page is None:
            raw = value[0] if isinstance(value, list) and value else value
            page = _page_of(str(raw), cand.pages)
        if not snippet and page is not None:
            raw = value[0] if isinstance(value, list) and value else value
            snippet = _line_with(str(raw), cand.pages.get(page, ""))
        return Answer(
            text, [source_of(cand.info, page, snippet or f"{key}: {text}")], True, {"field": key}
        )
    return None


def _label_answer(intent: FieldIntent, cand: Candidate) -> Answer | None:
    """The value written after the field's label in the document's text ('Due date: ...')."""
    for phrase in intent.phrases:
        pattern = re.compile(rf"\b{re.escape(phrase)}\b\s*(?:[:#\-–]\s*)?(?P<value>.+)$", re.I)
        for number, text in sorted(cand.pages.items()):
            for line in text.splitlines():
                low = line.lower()
                if any(re.search(rf"\b{re.escape(x)}", low) for x in intent.exclude):
                    continue
                m = pattern.search(line.strip())
                if not m:
                    continue
                value = m.group("value").strip(" :.-–")
                if not value or len(value) > 160:
                    continue
                if intent.kind == "date" and not _DATE_LIKE.search(value):
                    continue
                if intent.kind == "amount" and not _NUMBER_LIKE.search(value):
                    continue
                return Answer(
                    value, [source_of(cand.info, number, line.strip())], True, {"field": intent.key}
                )
    return None


@dataclass
class Passage:
    """A sentence of a page with how well it answers the question."""

    candidate: Candidate
    page: int
    text: str
    score: float
    matched: int


def best_passages(plan: Plan, candidates: Sequence[Candidate], limit: int = 6) -> list[Passage]:
    """The sentences of the candidates' pages that cover the question best."""
    keywords = plan.keywords
    total = sum(k.weight for k in keywords)
    if not total:
        return []
    out: list[Passage] = []
    for cand in candidates[:6]:
        pages = cand.hit_pages or sorted(cand.pages)
        if plan.follow_up or cand.preferred or len(cand.pages) <= 3:
            pages = sorted(cand.pages)
        for number in pages:
            text = cand.pages.get(number, "")
            page_stems = stems(text)
            for unit in split_units(text):
                unit_stems = stems(unit)
                matched = [k for k in keywords if k.stem in unit_stems]
                if not matched:
                    continue
                score = sum(k.weight for k in matched)
                score += 0.4 * sum(
                    k.weight for k in keywords if k.stem not in unit_stems and k.stem in page_stems
                )
                score += 0.2 * sum(
                    k.weight for k in keywords if k.stem not in page_stems and k.stem in cand.stems
                )
                coverage = score / total
                if cand.preferred:
                    coverage += 0.05
                out.append(Passage(cand, number, unit, coverage, len(matched)))
    out.sort(key=lambda p: (p.score, p.matched, -len(p.text)), reverse=True)
    return out[:limit]


def _passage_ok(plan: Plan, passage: Passage) -> bool:
    needed = 2 if len(plan.keywords) >= 3 else 1
    if passage.score < MIN_COVERAGE or passage.matched < needed:
        return False
    # A question about a field ("the due date") is not answered by a sentence about another one.
    return not (plan.intent and plan.intent_stems) or bool(stems(passage.text) & plan.intent_stems)


def not_found(plan: Plan) -> Answer:
    return Answer(NOT_FOUND_ANSWER, [], False, plan.context())


class LocalAnswerer:
    """Answers offline from the database: extracted fields first, then the best sentence."""

    name = "local"
    model = "retrieval"

    def answer(self, ask: Ask, history: Sequence[Turn] = ()) -> Answer:
        plan = plan_question(ask, history)
        for scope in plan.scopes:
            found = self._answer_in(plan, scope)
            if found is not None:
                found.context = {**plan.context(), **found.context}
                return found
        return not_found(plan)

    def _answer_in(self, plan: Plan, scope: Scope) -> Answer | None:
        candidates = find_candidates(plan, scope)
        if not candidates:
            return None
        if plan.intent is not None:
            best = candidates[0]
            subject_ok = (
                best.identifier_match
                or not plan.subject_keywords
                or best.subject_coverage >= 0.5
                or (plan.follow_up and best.preferred)
            )
            if subject_ok:
                top = [c for c in candidates if c.sort_key()[:2] == best.sort_key()[:2]][:3]
                for cand in top:
                    found = _field_answer(plan.intent, cand) or _label_answer(plan.intent, cand)
                    if found is not None:
                        return found
        passages = best_passages(plan, candidates, limit=1)
        if passages and _passage_ok(plan, passages[0]):
            p = passages[0]
            return Answer(
                clip(p.text, MAX_ANSWER_CHARS),
                [source_of(p.candidate.info, p.page, p.text)],
                True,
                {"score": round(p.score, 3)},
            )
        return None


# --- errors and the provider choice ---------------------------------------------------------


class AnswerError(Exception):
    """A permanent failure to answer a row, with a stable error code."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class TransientAnswerError(AnswerError):
    """A failure worth another try (rate limit, timeout, 5xx)."""

    def __init__(self, message: str):
        super().__init__("provider_error", message)
