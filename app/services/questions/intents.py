"""The fields a question can ask for, and how a question names one.

A field is named by a phrase ("the due date", "the invoice number"), longest phrase first, or
by the way an everyday question is put: "what did I pay at X", "how much", "what did it cost"
ask for the total; "when did I shop at X", "when was invoice 7 issued" for the document's date;
"who issued", "which company sent", "from whom", "where did I buy" for the seller.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FIELD_INTENTS", "FieldIntent", "find_intent"]


@dataclass(frozen=True)
class FieldIntent:
    """A field a question can ask for: how questions name it and where results keep it."""

    key: str
    label: str
    kind: str
    phrases: tuple[str, ...]
    data_keys: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def _intent(key, label, kind, phrases, data_keys, exclude=""):
    return FieldIntent(
        key,
        label,
        kind,
        tuple(phrases.split("|")),
        tuple(data_keys.split("|")),
        tuple(exclude.split("|")) if exclude else (),
    )


FIELD_INTENTS: tuple[FieldIntent, ...] = (
    _intent(
        "total",
        "total",
        "amount",
        "total amount|grand total|amount due|total due|balance due|invoice total|invoice amount|"
        "amount paid|amount|total",
        "total|total_amount|amount_due|grand_total|total_due|balance_due",
        "sub|subtotal",
    ),
    _intent(
        "subtotal",
        "subtotal",
        "amount",
        "subtotal|sub total|net amount|net total",
        "subtotal|net_amount|net_total",
    ),
    _intent(
        "tax",
        "tax",
        "amount",
        "tax amount|sales tax|vat amount|vat|tax|gst",
        "tax|tax_amount|vat|vat_amount|sales_tax",
        "rate|id|number",
    ),
    _intent(
        "due_date",
        "due date",
        "date",
        "due date|payment due|pay by|due",
        "due_date|payment_due_date",
    ),
    _intent(
        "effective_date",
        "effective date",
        "date",
        "effective date|commencement date|start date|contract date",
        "effective_date|start_date|commencement_date",
    ),
    _intent(
        "end_date",
        "end date",
        "date",
        "end date|expiry date|expiration date|termination date|expires|expire",
        "end_date|period_end|expiry_date|expiration_date|termination_date",
    ),
    _intent(
        "date",
        "date",
        "date",
        "invoice date|issue date|date of issue|receipt date|statement date|order date|date",
        "date|invoice_date|issue_date|receipt_date|statement_date|order_date|document_date",
        "due|birth|expiry|effective|delivery",
    ),
    _intent(
        "document_number",
        "number",
        "id",
        "invoice number|receipt number|document number|reference number|order number|"
        "po number|number",
        "invoice_number|receipt_number|document_number|po_number|order_number|"
        "reference_number|number|reference",
        "phone|account|vat|tax|iban",
    ),
    _intent(
        "vendor",
        "vendor",
        "party",
        "vendor|supplier|seller|merchant|issuer|issued by|billed by|who issued|sender",
        "vendor|merchant|supplier|seller|sender|issuer|company",
    ),
    _intent(
        "customer",
        "customer",
        "party",
        "customer|client|buyer|bill to|billed to|recipient|purchaser",
        "customer|buyer|client|recipient|bill_to|purchaser",
    ),
    _intent("currency", "currency", "currency", "currency", "currency"),
    _intent("iban", "IBAN", "text", "iban|bank account", "iban|account_number"),
    _intent(
        "payment_terms", "payment terms", "text", "payment terms|terms of payment", "payment_terms"
    ),
    _intent("term", "term", "text", "contract term|term|duration", "term|duration"),
    _intent(
        "governing_law",
        "governing law",
        "text",
        "governing law|applicable law|jurisdiction",
        "governing_law|jurisdiction",
    ),
    _intent("parties", "parties", "text", "parties|contracting parties", "parties"),
    _intent(
        "contract_value",
        "contract value",
        "amount",
        "contract value|contract amount|fee",
        "contract_value|fee|fees",
    ),
    _intent("email", "email", "text", "email address|email|e-mail", "email"),
    _intent("phone", "phone number", "text", "phone number|telephone|phone", "phone"),
)
_INTENT_PHRASES = sorted(
    ((phrase, intent) for intent in FIELD_INTENTS for phrase in intent.phrases),
    key=lambda pair: -len(pair[0]),
)
_BY_KEY = {intent.key: intent for intent in FIELD_INTENTS}

# Everyday ways of asking, tried in this order when no field phrase names the field.
_QUESTION_FORMS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "date",
        re.compile(
            r"^\s*(?:when|on what (?:day|date)|what day|which day)\b.*\b(?:invoice|receipt|bill|"
            r"order|issued|dated|sent|shop|shopped|buy|bought|pay|paid|purchase|purchased|visit|"
            r"visited|eat|ate|charged|spend|spent|get|got|go|went|was i|were we)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "vendor",
        re.compile(
            r"\bwho (?:issued|sent|billed|invoiced|charged|sold|wrote|made out)\b|"
            r"\bwho (?:is|was) (?:the )?(?:seller|vendor|supplier|issuer|merchant|sender)\b|"
            r"\bwho (?:did|do) (?:i|we) (?:pay|buy from|owe)\b|\b(?:is|was) (?:it|this|that) from\b|"
            r"\b(?:which|what) (?:company|shop|store|merchant|vendor|supplier|business|restaurant|"
            r"cafe|café|firm|seller)\b|\bfrom whom\b|\bwho (?:is|was) .{1,40}\bfrom\b|"
            r"\bwhere did (?:i|we|you) (?:buy|shop|eat|get|purchase|order|go)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "total",
        re.compile(
            r"\bhow much(?= (?:did|do|does|was|is|were|will|would|have|has|had|in total|money|"
            r"i|we|it|this|that)\b|\s*\?|$)|\bwhat did (?:i|we|you) (?:pay|spend|owe)\b|\bcost(?:s|ed)?\b|"
            r"\bspen[dt]\b|\bpaid\b|\bpay\b|\bowe[ds]?\b|\bcharged\b|\bprice\b",
            re.IGNORECASE,
        ),
    ),
)
# Words of those forms that say what is asked, not what it is about.
_FORM_WORDS = re.compile(
    r"\b(?:how|much|pay|paid|spend|spent|cost|costs|costed|owe|owed|owes|charged|price|when|"
    r"who|whom|issued|sent|billed|invoiced|sold|which|company|shop|shopped|store|business|firm|"
    r"seller|vendor|merchant|supplier|where|buy|bought|purchase|purchased|visit|visited|eat|"
    r"ate|get|got|dated|from)\b",
    re.IGNORECASE,
)


def find_intent(
    text: str, masked: list[tuple[int, int]], stem: Callable[[str], str]
) -> tuple[FieldIntent | None, set[str]]:
    """The field a question asks for and the stems of the words that named it.

    A field phrase outside the masked spans (identifiers) wins, longest first; "how much" and
    "what did I pay" questions that name a non-amount phrase ("how much is due") still ask for
    an amount. Otherwise the everyday forms decide.
    """
    lower = text.lower()
    phrased: tuple[FieldIntent, set[str]] | None = None
    for phrase, intent in _INTENT_PHRASES:
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", lower):
            if any(s <= m.start() < e for s, e in masked):
                continue
            phrased = intent, {stem(w) for w in phrase.split()}
            break
        if phrased:
            break
    for key, rx in _QUESTION_FORMS:
        m = rx.search(text)
        if not m:
            continue
        if phrased and (phrased[0].kind == _BY_KEY[key].kind or key != "total"):
            break
        words = {stem(w.lower()) for w in _FORM_WORDS.findall(text)}
        words |= {stem(w) for w in _BY_KEY[key].label.split()}
        if phrased:
            words |= phrased[1]
        return _BY_KEY[key], words
    return phrased if phrased else (None, set())
