"""The plan of a question: what it asks for (a field, an identifier, keywords) and what it follows."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.services.questions.intents import FIELD_INTENTS, FieldIntent, find_intent
from app.services.questions.retrieval import Scope
from app.services.questions.words import (
    identifiers_in,
    stem,
    tokens,
)

GENERIC_INTENT_STEMS = frozenset({"date", "number", "amount"})
STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from about into onto over under than then
    so as is are was were be been being am do does did done doing have has had having can could
    should would will shall may might must i me my mine we us our ours you your yours he him his
    she her hers it its it's itself they them their theirs this that these those there here what
    which who whom whose when where why how any some all each every both either neither not no nor
    very just also only please tell show give find list say says said mention mentions mentioned
    state states stated according document documents file files pdf page pages much many whats
    wht kindly know let get got does anything something one ones same other another per via
    """.split()
)
PRONOUNS = frozenset(
    "it its it's itself this that these those they them their theirs same there he him his she "
    "her hers".split()
)
FOLLOW_UP_OPENERS = re.compile(
    r"^\s*(?:and|also|plus|then|so|what about|how about|and what|and the|and its|and when|"
    r"and who|and how|ok(?:ay)?,? and)\b",
    re.IGNORECASE,
)
DOCUMENT_TYPE_WORDS = {
    "invoice": "invoice",
    "invoices": "invoice",
    "bill": "invoice",
    "receipt": "receipt",
    "receipts": "receipt",
    "contract": "contract",
    "contracts": "contract",
    "agreement": "contract",
    "statement": "bank_statement",
    "resume": "resume",
    "cv": "resume",
    "passport": "id_document",
    "order": "purchase_order",
    "po": "purchase_order",
}
_NUMBER_LIKE = re.compile(r"\d")


@dataclass
class Ask:
    """A question to answer, with the documents it may be answered from."""

    question: str
    scope: Scope
    document_ids: tuple[uuid.UUID, ...] | None = None


@dataclass
class Turn:
    """An earlier answered row of the same thread."""

    question: str
    answer: str | None
    sources: list[dict] = field(default_factory=list)
    context: dict = field(default_factory=dict)


@dataclass
class Answer:
    """The answer to a question, its sources and what it was built from."""

    text: str
    sources: list[dict]
    found: bool
    context: dict = field(default_factory=dict)


@dataclass
class Keyword:
    stem: str
    weight: float
    word: str


@dataclass
class Plan:
    """What to look for and where."""

    question: str
    keywords: list[Keyword]
    subject_keywords: list[Keyword]
    search_terms: list[str]
    intent: FieldIntent | None
    intent_stems: set[str]
    identifiers: list[str]
    # The word each identifier came with in the question ("invoice" for "invoice 42"), if any.
    labels: dict[str, str | None]
    doc_type: str | None
    subject: str | None
    follow_up: bool
    rewritten: str
    scopes: list[Scope]
    preferred: list[uuid.UUID]

    def context(self) -> dict:
        return {
            "subject": self.subject,
            "intent": self.intent.key if self.intent else None,
            "identifiers": self.identifiers,
            "follow_up": self.follow_up,
            "rewritten": self.rewritten if self.rewritten != self.question else None,
        }


def _find_intent(text: str, masked: list[tuple[int, int]]) -> tuple[FieldIntent | None, set[str]]:
    """The field a question asks for and the stems of the words that named it."""
    return find_intent(text, masked, stem)


def _keywords(text: str, skip: set[str]) -> list[Keyword]:
    out: list[Keyword] = []
    seen: set[str] = set()
    words = tokens(text)
    for index, word in enumerate(words):
        low = word.lower().replace("’", "'")
        if low in STOPWORDS or len(low) < 2 and not low.isdigit():
            continue
        s = stem(low)
        if s in skip or s in seen:
            continue
        seen.add(s)
        proper = word[:1].isupper() and index > 0 and low not in DOCUMENT_TYPE_WORDS
        weight = 2.0 if proper or _NUMBER_LIKE.search(low) else 1.0
        out.append(Keyword(s, weight, low))
    return out


def _history_context(history: Sequence[Turn]) -> tuple[list[uuid.UUID], dict]:
    """Documents cited by the latest answer that had sources, and the latest turn's context."""
    cited: list[uuid.UUID] = []
    for turn in reversed(history):
        ids = []
        for src in turn.sources or []:
            try:
                ids.append(uuid.UUID(str(src.get("document_id"))))
            except (TypeError, ValueError):
                continue
        if ids:
            cited = list(dict.fromkeys(ids))
            break
    last = next((t.context for t in reversed(history) if t.context), {}) or {}
    return cited, last


def plan_question(ask: Ask, history: Sequence[Turn] = ()) -> Plan:
    """Analyse a question in the light of its thread: what to look for, where, and how to say it."""
    text = " ".join((ask.question or "").split())
    found_ids = identifiers_in(text)
    identifiers = list(dict.fromkeys(i for i, _label, _span in found_ids))
    labels = {i: label for i, label, _span in reversed(found_ids)}
    spans = [span for _i, _l, span in found_ids]
    intent, intent_stems = _find_intent(text, spans)
    keywords = _keywords(text, set())
    doc_type = next(
        (DOCUMENT_TYPE_WORDS[w.lower()] for w in tokens(text) if w.lower() in DOCUMENT_TYPE_WORDS),
        None,
    )
    id_stems = {stem(p) for i in identifiers for p in re.findall(r"[a-z0-9]+", i.lower())}
    subject_keywords = [
        k
        for k in keywords
        if k.stem not in intent_stems and k.stem not in {stem(w) for w in DOCUMENT_TYPE_WORDS}
    ]
    subject_keywords = [k for k in subject_keywords if k.stem not in id_stems]
    if found_ids:
        subject = "; ".join(text[s:e].strip(" ?.,") for _i, _l, (s, e) in found_ids)
    elif subject_keywords and intent:
        subject = " ".join(k.word for k in subject_keywords)
    else:
        subject = None

    cited, last = _history_context(history)
    words_lower = {w.lower() for w in tokens(text)}
    opener = bool(FOLLOW_UP_OPENERS.match(text))
    pronoun = bool(words_lower & PRONOUNS)
    own_subject = bool(identifiers) or bool(subject_keywords)
    follow_up = bool(history) and not identifiers and (opener or pronoun or not own_subject)

    # "and invoice 77?" after "what is the total of invoice 42?": the field carries over.
    if history and intent is None and identifiers and not subject_keywords and last.get("intent"):
        intent = next((i for i in FIELD_INTENTS if i.key == last["intent"]), None)
    if follow_up:
        if not subject:
            subject = last.get("subject")
        if not identifiers and last.get("identifiers"):
            identifiers = list(last["identifiers"])
        if intent is None and not subject_keywords and last.get("intent"):
            intent = next((i for i in FIELD_INTENTS if i.key == last["intent"]), None)
    if intent is not None and not intent_stems:
        intent_stems = {stem(w) for w in intent.label.split()}
    if len(intent_stems) > 1:
        intent_stems -= GENERIC_INTENT_STEMS

    if intent and subject:
        rewritten = f"What is the {intent.label} of {subject}?"
    elif follow_up and subject:
        rewritten = f"{text.rstrip(' ?')} ({subject})?"
    else:
        rewritten = text

    base = ask.scope
    if ask.document_ids is not None:
        # A row's `document` cell names its documents instead of the batch's scope.
        base = Scope(user_id=ask.scope.user_id, document_ids=tuple(ask.document_ids))
    scopes = [base]
    if follow_up and cited:
        allowed = [d for d in cited if base.document_ids is None or d in base.document_ids]
        scopes = [base.restricted(allowed), base] if allowed else [base]

    # Names and numbers first: they are the words worth keeping when a page must hold several.
    search_terms = [k.word for k in sorted(keywords, key=lambda k: -k.weight)]
    if follow_up and last.get("subject"):
        search_terms += [w.lower() for w in tokens(last["subject"]) if w.lower() not in STOPWORDS]
    return Plan(
        question=text,
        keywords=keywords,
        subject_keywords=subject_keywords,
        search_terms=list(dict.fromkeys(search_terms)),
        intent=intent,
        intent_stems=intent_stems,
        identifiers=identifiers,
        labels={i: labels.get(i) for i in identifiers},
        doc_type=doc_type,
        subject=subject,
        follow_up=follow_up,
        rewritten=rewritten,
        scopes=scopes,
        preferred=cited if follow_up else [],
    )
