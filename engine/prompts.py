"""Prompt parsing: the fields a prompt asks for, matched against the vocabulary (vocabulary.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .prompt_defaults import (  # noqa: F401 - part of this module's interface
    DEFAULT_PROMPTS,
    LINE_ITEM_SYNONYMS,
    TRANSACTION_SYNONYMS,
)
from .vocabulary import CONCEPTS, CONCEPTS_BY_KEY, Concept  # noqa: F401 - its interface too

# Prompt words that never name a field.
_FILLER = {
    "the", "a", "an", "all", "any", "each", "every", "its", "their", "this", "that", "these",
    "those", "please", "also", "me", "us", "it", "my", "our", "your",
}  # fmt: skip
_VERBS = re.compile(
    r"^(?:please\s+|kindly\s+|can you\s+|could you\s+)*"
    r"(?:extract|get|find|pull(?:\s+out)?|return|give(?:\s+me)?|list|capture|identify|read|"
    r"parse|retrieve|collect|fetch|grab|output|provide|show|tell me|what(?:'s| is| are)|"
    r"which is|i need|i want|we need)\b\s*",
    re.IGNORECASE,
)
_WHOLE_DOC = re.compile(
    r"^(?:everything|all(?: the)?(?: relevant| key| important)?(?: fields| data| information| details)?|"
    r"key (?:fields|information|data|details)|(?:the )?(?:relevant|important) (?:fields|data|"
    r"information|details)|(?:the )?(?:data|information|fields|details))$",
    re.IGNORECASE,
)


@dataclass
class FieldSpec:
    """One field a prompt asks for: the output key, the concept it maps to and its phrase."""

    key: str
    concept: Concept | None
    phrase: str
    kind: str = "text"

    def labels(self) -> list[tuple[str, float]]:
        """Document labels for this field: the concept's own, or the phrase itself."""
        if self.concept is not None and self.concept.labels:
            labs = list(self.concept.labels)
            phrase = self.phrase.lower().strip()
            if phrase and phrase not in {lab for lab, _ in labs} and len(phrase) > 3:
                labs.append((phrase, 0.9))
            return labs
        return [(self.phrase.lower(), 0.9)] if self.phrase else []


@dataclass
class ParsedPrompt:
    """The fields a prompt asks for and whether it wants line items or transactions."""

    fields: list[FieldSpec] = field(default_factory=list)
    line_items_key: str | None = None
    transactions_key: str | None = None
    explicit: bool = False

    @property
    def empty(self) -> bool:
        """True when the prompt named nothing the engine could look for."""
        return not self.fields and not self.line_items_key and not self.transactions_key


def snake_key(phrase: str) -> str:
    """Plain snake_case key from a field phrase ('Invoice #' -> 'invoice_number')."""
    s = phrase.strip()
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", s)  # camelCase -> camel Case
    s = s.lower()
    s = s.replace("e-mail", "email").replace("&", " and ")
    s = re.sub(r"#", " number ", s)
    s = re.sub(r"\bn[o°º]\.?(?=\s|$)", " number ", s)
    s = re.sub(r"\bnr\.?(?=\s|$)", " number ", s)
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    s = re.sub(r"_+", "_", s)
    return s[:60] or "field"


def _norm_phrase(phrase: str) -> str:
    """Lowercase words of a phrase without filler, for matching synonyms."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", phrase).lower().replace("e-mail", "email")
    s = re.sub(r"\bp\.\s?o\.?", "po", s)
    s = re.sub(r"[^\w#%/ ]+", " ", s)
    words = [w for w in s.split() if w not in _FILLER]
    return " ".join(words)


_SYNONYM_INDEX: list[tuple[str, Concept]] = sorted(
    ((syn, c) for c in CONCEPTS for syn in c.synonyms),
    key=lambda sc: -len(sc[0]),
)


def match_concept(phrase: str, document_type: str | None = None) -> Concept | None:
    """The known concept a field phrase names: an exact synonym, else the longest one inside it."""
    norm = _norm_phrase(phrase)
    if not norm:
        return None
    exact = [c for syn, c in _SYNONYM_INDEX if syn == norm]
    if exact:
        return _prefer(exact, norm, document_type)
    padded = f" {norm} "
    for syn, _c in _SYNONYM_INDEX:
        if len(syn) >= 3 and f" {syn} " in padded:
            same = [c2 for s2, c2 in _SYNONYM_INDEX if s2 == syn]
            return _prefer(same, norm, document_type)
    return None


def _prefer(cands: list[Concept], norm: str, document_type: str | None) -> Concept:
    """Pick among concepts sharing a synonym by the document type at hand."""
    by_type = {
        "bank_statement": ("bank_name", "account_holder", "period_end", "period_start"),
        "contract": ("effective_date", "period_end", "title"),
        "id_document": ("id_number", "issue_date", "full_name"),
        "resume": ("full_name", "job_title", "location"),
        "purchase_order": ("po_number", "order_date"),
    }
    preferred = by_type.get(document_type or "", ())
    for c in cands:
        if c.key in preferred:
            return c
    return cands[0]


def _guess_kind(norm: str) -> str:
    """Value type of an unknown field from the words naming it."""
    words = set(norm.split())
    if words & {"date", "dob", "day", "expiry", "expires", "born", "deadline"}:
        return "date"
    if words & {"email", "mail"}:
        return "email"
    if words & {"phone", "tel", "telephone", "mobile", "fax"}:
        return "phone"
    if words & {"iban"}:
        return "iban"
    if words & {
        "amount", "total", "price", "cost", "fee", "fees", "balance", "tax", "vat", "charge",
        "charges", "sum", "payment", "deposit", "salary", "rent", "value", "subtotal", "discount",
    }:  # fmt: skip
        return "amount"
    if words & {"number", "no", "id", "#", "code", "ref", "reference", "nr"}:
        return "id"
    if words & {"rate", "percent", "percentage", "%"}:
        return "percent"
    if words & {"count", "quantity", "qty"}:
        return "number"
    return "text"


def _split_list(text: str) -> list[str]:
    """Field phrases from an enumeration: commas, 'and', bullets, new lines."""
    text = re.sub(r"\([^)]*\)", " ", text)
    parts = re.split(
        r"\s*(?:[,;\n•·]|\s-\s|^\s*[-*]\s|\band\b|\bas well as\b|\balong with\b|"
        r"\bplus\b|&|\bor\b)\s*",
        text,
        flags=re.IGNORECASE | re.MULTILINE,
    )
    return [p.strip(" .:-*\t") for p in parts if p and p.strip(" .:-*\t")]


def _json_fields(obj) -> list[tuple[str, str]]:
    """(key, hint) pairs from a JSON list or object of field names."""
    out: list[tuple[str, str]] = []
    if isinstance(obj, dict):
        if isinstance(obj.get("fields"), list | dict) and len(obj) <= 3:
            return _json_fields(obj["fields"])
        for k, v in obj.items():
            hint = v if isinstance(v, str) else ("list" if isinstance(v, list) else "")
            out.append((str(k), hint))
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, str):
                out.append((item, ""))
            elif isinstance(item, dict) and ("name" in item or "field" in item or "key" in item):
                name = item.get("name") or item.get("field") or item.get("key")
                hint = str(item.get("type") or item.get("description") or "")
                out.append((str(name), hint))
    return out


def _load_json(prompt: str):
    """The JSON a prompt holds, if it is (or contains) a JSON list or object."""
    s = prompt.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", s, re.DOTALL)
    if fence:
        s = fence.group(1).strip()
    if not s or s[0] not in "[{":
        m = re.search(r"(\{.*\}|\[.*\])", s, re.DOTALL)
        if not m:
            return None
        s = m.group(1)
    try:
        return json.loads(s)
    except ValueError:
        return None


def _is_line_items(norm: str) -> bool:
    """True when a phrase asks for line items."""
    return norm in LINE_ITEM_SYNONYMS or any(
        norm.endswith(" " + syn) or norm == syn for syn in ("line items", "items", "products")
    )


def parse_prompt(prompt: str | None, document_type: str | None = None) -> ParsedPrompt:
    """Fields a prompt asks for, from plain language or a JSON list/object of field names."""
    parsed = ParsedPrompt()
    if not prompt or not prompt.strip():
        return parsed
    data = _load_json(prompt)
    pairs: list[tuple[str, str]] = []
    explicit = False
    if isinstance(data, dict | list):
        pairs = _json_fields(data)
        explicit = bool(pairs)
    if not pairs:
        pairs = [(p, "") for p in _phrases(prompt)]
    seen: set[str] = set()
    for raw, hint in pairs:
        norm = _norm_phrase(raw.replace("_", " "))
        if not norm:
            continue
        key = raw.strip() if explicit else snake_key(norm)
        if not explicit and norm.endswith((" fields", " field", " values", " details")):
            norm = norm.rsplit(" ", 1)[0]
        if key in seen:
            continue
        seen.add(key)
        if _is_line_items(norm) or hint == "list" and "item" in norm:
            parsed.line_items_key = key
            continue
        if norm in TRANSACTION_SYNONYMS:
            parsed.transactions_key = key
            continue
        concept = match_concept(norm, document_type)
        kind = concept.kind if concept else _guess_kind(norm + " " + str(hint).lower())
        parsed.fields.append(FieldSpec(key, concept, norm, kind))
    parsed.explicit = explicit
    return parsed


def _phrases(prompt: str) -> list[str]:
    """Field phrases of a plain-language prompt."""
    text = re.sub(r"\([^)]*\)", " ", prompt.strip())
    # A colon usually introduces the list ("Extract the following fields: a, b, c").
    if ":" in text:
        head, _, tail = text.partition(":")
        if len(tail.strip()) > 2 and not re.search(r"\d:\d", text):
            text = tail
    sentences = re.split(r"(?<!\d)[.?!](?!\d)|\n(?!\s*[-*•])", text)
    phrases: list[str] = []
    for sentence in sentences:
        s = sentence.strip()
        if not s:
            continue
        if re.match(r"^(?:return|respond|answer|output|format|use|make sure|be|reply)\b", s, re.I):
            continue
        s = _VERBS.sub("", s)
        s = re.sub(
            r"^(?:the\s+)?(?:following\s+)?(?:fields|values|data|information|details)?\s*",
            "",
            s,
            flags=re.IGNORECASE,
        )
        s = re.sub(
            r"\s+(?:from|in|on|of|for)\s+(?:this|the|each|every|these|all|my|our|attached)\s+.*$",
            "",
            s,
            flags=re.IGNORECASE,
        )
        s = re.sub(r"\s+(?:as|in)\s+json\b.*$", "", s, flags=re.IGNORECASE)
        if re.match(r"^(?:return|respond|answer|output|format|use|make sure|be)\b", s, re.I):
            continue
        for part in _split_list(s):
            norm = _norm_phrase(part)
            if not norm or _WHOLE_DOC.match(part.strip()) or _WHOLE_DOC.match(norm):
                continue
            if norm in ("json", "csv", "xml", "text", "them", "it", "output", "result"):
                continue
            if len(norm.split()) > 6:
                # A long clause: keep only the known fields named inside it.
                phrases.extend(_known_inside(norm))
                continue
            phrases.append(part)
    return phrases


def _known_inside(text: str) -> list[str]:
    """Known field synonyms mentioned anywhere inside a longer piece of text."""
    found: list[tuple[int, str]] = []
    padded = f" {text} "
    taken: list[tuple[int, int]] = []
    for syn, _c2 in _SYNONYM_INDEX:
        if len(syn) < 4:
            continue
        i = padded.find(f" {syn} ")
        if i >= 0 and not any(i < e and s < i + len(syn) + 1 for s, e in taken):
            taken.append((i, i + len(syn) + 1))
            found.append((i, syn))
    found.sort()
    return [syn for _, syn in found]


def with_currency(parsed: ParsedPrompt) -> ParsedPrompt:
    """Add a 'currency' field when amounts are asked for in words without their currency.

    Amounts are plain numbers, so their currency travels as a field of its own. JSON prompts
    are left as they are: they name exactly the keys their author wants.
    """
    if parsed.explicit:
        return parsed
    wants_amount = any(f.kind == "amount" for f in parsed.fields)
    has_currency = any(
        (f.concept is not None and f.concept.key == "currency") or f.key == "currency"
        for f in parsed.fields
    )
    if wants_amount and not has_currency:
        parsed.fields.append(
            FieldSpec("currency", CONCEPTS_BY_KEY["currency"], "currency", "currency")
        )
    return parsed
