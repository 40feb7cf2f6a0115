"""LLM providers (OpenAI, Anthropic) through their official SDKs, answering structured JSON."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

from .base import (
    DOCUMENT_TYPES,
    PDFIUM_LOCK,
    ErrorCode,
    ExtractionError,
    Provider,
    SourceDocument,
    TransientProviderError,
    build_result,
)
from .positions import add_boxes
from .prompts import DEFAULT_PROMPTS, ParsedPrompt, parse_prompt, with_currency
from .text import load_document, open_image, render_page
from .valuetypes import typed_value

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 60_000
MAX_IMAGES = 6
IMAGE_MAX_SIDE = 1600

SYSTEM_PROMPT = (
    "You extract structured data from business documents (invoices, receipts, bank statements, "
    "contracts, resumes, identity documents, purchase orders). Read the document pages given, "
    "answer only through the JSON schema, never invent values: use null when a field is absent. "
    "Dates are ISO 8601 (YYYY-MM-DD). Amounts are plain numbers with a dot as decimal mark and "
    "no currency sign; currencies are ISO 4217 codes. 'page' is the 1-based page a value was "
    "read from and 'source_text' the short text it was read from. Confidence is between 0 and 1. "
    f"document_type is one of: {', '.join(DOCUMENT_TYPES)}."
)

_LIST_KINDS = {"section", "parties"}


def _setting(config: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A setting from the config mapping, else the environment, else the default."""
    value = config.get(key)
    if value in (None, ""):
        value = os.environ.get(key)
    return default if value in (None, "") else value


def _value_schema(kind: str) -> dict[str, Any]:
    """JSON schema of a field value of the given kind."""
    if kind == "amount" or kind in ("percent", "number"):
        return {"type": ["number", "null"]}
    if kind == "date":
        return {"type": ["string", "null"], "description": "ISO 8601 date YYYY-MM-DD"}
    if kind in _LIST_KINDS:
        return {"type": ["array", "null"], "items": {"type": "string"}}
    if kind == "currency":
        return {"type": ["string", "null"], "description": "ISO 4217 code"}
    return {"type": ["string", "null"]}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    """Strict object schema: every property required, nothing else allowed."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(props),
        "properties": props,
    }


def result_schema(parsed: ParsedPrompt) -> dict[str, Any]:
    """Schema the model must answer with for the fields of a parsed prompt."""
    fields = {}
    for spec in parsed.fields:
        fields[spec.key] = _obj(
            {
                "value": _value_schema(spec.kind),
                "confidence": {"type": "number"},
                "page": {"type": ["integer", "null"]},
                "source_text": {"type": ["string", "null"]},
            }
        )
    if parsed.transactions_key:
        fields[parsed.transactions_key] = _obj(
            {
                "value": {
                    "type": "array",
                    "items": _obj(
                        {
                            "date": {"type": ["string", "null"]},
                            "description": {"type": ["string", "null"]},
                            "amount": {"type": ["number", "null"]},
                            "balance": {"type": ["number", "null"]},
                        }
                    ),
                },
                "confidence": {"type": "number"},
                "page": {"type": ["integer", "null"]},
                "source_text": {"type": ["string", "null"]},
            }
        )
    item = _obj(
        {
            "description": {"type": ["string", "null"]},
            "quantity": {"type": ["number", "null"]},
            "unit_price": {"type": ["number", "null"]},
            "amount": {"type": ["number", "null"]},
        }
    )
    return _obj(
        {
            "document_type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
            "fields": _obj(fields),
            "line_items": {"type": "array", "items": item},
        }
    )


CLASSIFY_SCHEMA = _obj(
    {
        "document_type": {"type": "string", "enum": list(DOCUMENT_TYPES)},
        "confidence": {"type": "number"},
    }
)


def _instruction(prompt: str, parsed: ParsedPrompt, document_type: str | None) -> str:
    """The user-side instruction: the request and the exact keys to fill."""
    lines = [f"Request: {prompt.strip()}"]
    if parsed.fields or parsed.transactions_key:
        keys = [f.key for f in parsed.fields]
        if parsed.transactions_key:
            keys.append(parsed.transactions_key)
        lines.append("Fill exactly these keys under 'fields': " + ", ".join(keys) + ".")
    if parsed.line_items_key:
        lines.append("List every line item (description, quantity, unit_price, amount).")
    else:
        lines.append("Leave line_items empty unless the request asks for items.")
    if document_type:
        lines.append(f"The document was classified as: {document_type}.")
    return "\n".join(lines)


def _page_images(doc: SourceDocument, pages_without_text: list[int]) -> list[tuple[str, bytes]]:
    """PNG/JPEG bytes of the image or the scanned PDF pages, scaled down for the model."""
    from PIL import Image

    from .ocr import prepare_image

    images: list[Image.Image] = []
    if not doc.is_pdf:
        images.append(open_image(doc.path, IMAGE_MAX_SIDE))
    else:
        import pypdfium2 as pdfium

        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(doc.path)
            try:
                for number in pages_without_text[:MAX_IMAGES]:
                    images.append(render_page(pdf[number - 1], 150, IMAGE_MAX_SIDE))
            finally:
                pdf.close()
    out = []
    for image in images[:MAX_IMAGES]:
        image = prepare_image(image)
        if max(image.size) > IMAGE_MAX_SIDE:
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=85)
        out.append(("image/jpeg", buf.getvalue()))
    return out


def document_content(doc: SourceDocument, *, max_pages: int | None = None) -> tuple[str, list, int]:
    """Text of the pages that have a text layer, images of those that do not, and page count."""
    text = load_document(doc, ocr=False)
    pages = text.pages[:max_pages] if max_pages else text.pages
    chunks = []
    missing = []
    for page in pages:
        if page.lines:
            chunks.append(f"--- page {page.number} ---\n{page.text}")
        else:
            missing.append(page.number)
    body = "\n".join(chunks)[:MAX_TEXT_CHARS]
    images = _page_images(doc, missing) if (missing or not doc.is_pdf) else []
    return body, images, len(text.pages)


def _number(value: Any) -> float | None:
    """A number from what a model wrote (number or text such as '1.234,50 EUR')."""
    return typed_value("amount", value)


def _date(value: Any) -> str | None:
    """ISO date from what a model wrote (kept as written when it is not a date)."""
    return typed_value("date", value)


def normalise_answer(answer: Mapping[str, Any], parsed: ParsedPrompt) -> dict[str, Any]:
    """Model answer fields typed like the local provider's (amounts rounded, ISO dates)."""
    raw_fields = answer.get("fields") or {}
    if not isinstance(raw_fields, Mapping):
        raw_fields = {}
    kinds = {f.key: f.kind for f in parsed.fields}
    keys = list(kinds) + ([parsed.transactions_key] if parsed.transactions_key else [])
    if not keys:
        keys = list(raw_fields)
    fields: dict[str, dict[str, Any]] = {}
    for key in keys:
        entry = raw_fields.get(key)
        if not isinstance(entry, Mapping):
            entry = {"value": entry, "confidence": 0.8 if entry is not None else 0.0}
        value = entry.get("value")
        kind = kinds.get(key, "text")
        if kind == "amount":
            value = _number(value)
        elif kind == "date":
            value = _date(value)
        elif kind == "currency" and isinstance(value, str):
            value = typed_value("currency", value)
        try:
            conf = float(entry.get("confidence") or (0.8 if value is not None else 0.0))
        except (TypeError, ValueError):
            conf = 0.5
        page = entry.get("page")
        fields[key] = {
            "value": value,
            "confidence": max(0.0, min(1.0, conf)),
            "page": page if isinstance(page, int) else None,
            "source_text": entry.get("source_text")
            if isinstance(entry.get("source_text"), str)
            else None,
        }
    items = []
    for it in answer.get("line_items") or []:
        if not isinstance(it, Mapping):
            continue
        items.append(
            {
                "description": it.get("description"),
                "quantity": _number(it.get("quantity")),
                "unit_price": _number(it.get("unit_price")),
                "amount": _number(it.get("amount")),
            }
        )
    return {"fields": fields, "line_items": items}


def _parse_json(text: str) -> dict[str, Any]:
    """JSON object from a model's text, tolerating code fences around it."""
    s = (text or "").strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", s, re.DOTALL)
    if fence:
        s = fence.group(1)
    start, end = s.find("{"), s.rfind("}")
    if start < 0 or end < start:
        raise TransientProviderError("The model answered without JSON.")
    try:
        data = json.loads(s[start : end + 1])
    except ValueError as exc:
        raise TransientProviderError("The model answered with malformed JSON.") from exc
    if not isinstance(data, dict):
        raise TransientProviderError("The model answered with JSON that is not an object.")
    return data


def _map_sdk_error(exc: Exception, provider: str) -> ExtractionError:
    """Transient for timeouts, lost connections, 408/409/429 and 5xx; permanent otherwise."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if "Timeout" in name:
        return TransientProviderError(f"{provider} did not answer in time.")
    if "Connection" in name:
        return TransientProviderError(f"{provider} could not be reached.")
    if status is not None:
        if status in (408, 409, 429) or status >= 500:
            return TransientProviderError(f"{provider} answered {status}; try again later.")
        return ExtractionError(
            ErrorCode.PROVIDER_ERROR, f"{provider} rejected the request ({status})."
        )
    return ExtractionError(ErrorCode.PROVIDER_ERROR, f"{provider} failed: {exc}")


class _LLMProvider(Provider):
    """What both LLM providers share: settings, document content, answer normalisation."""

    key_env = ""
    base_url_env = ""
    model_env = ""
    default_model = ""
    label = ""

    def __init__(self, config: Mapping[str, Any] | None = None):
        cfg = dict(config or {})
        self.api_key = _setting(cfg, self.key_env)
        if not self.api_key:
            raise ValueError(
                f"The {self.name} extraction provider needs {self.key_env} to be set "
                f"(or choose EXTRACTION_PROVIDER=local)."
            )
        self.base_url = _setting(cfg, self.base_url_env)
        self.model = str(_setting(cfg, self.model_env, self.default_model))
        self.timeout = float(_setting(cfg, "EXTRACTION_TIMEOUT", 120))
        # The job queue retries transient failures with backoff; the SDK retries only briefly.
        self.max_retries = int(_setting(cfg, "EXTRACTION_MAX_RETRIES", 1))
        self._client: Any = None

    def _call(self, text: str, images: list, instruction: str, schema: dict, name: str) -> dict:
        """Send one request and return the parsed JSON answer."""
        raise NotImplementedError

    def _guarded(self, *args: Any) -> dict:
        """_call with SDK errors mapped to the extraction error types."""
        try:
            return self._call(*args)
        except ExtractionError:
            raise
        except Exception as exc:
            if type(exc).__module__.split(".")[0] in ("openai", "anthropic", "httpx", "httpx2"):
                raise _map_sdk_error(exc, self.label) from exc
            raise

    def classify(self, doc: SourceDocument) -> tuple[str, float]:
        """Document type as the model sees it on the first pages."""
        text, images, _ = document_content(doc, max_pages=2)
        instruction = (
            "Classify this document. Answer with the document_type and your confidence. "
            "Use 'other' when it is none of the listed types."
        )
        answer = self._guarded(
            text[:12_000], images[:2], instruction, CLASSIFY_SCHEMA, "classification"
        )
        dtype = answer.get("document_type")
        if dtype not in DOCUMENT_TYPES:
            dtype = "other"
        try:
            conf = max(0.0, min(1.0, float(answer.get("confidence", 0.5))))
        except (TypeError, ValueError):
            conf = 0.5
        return dtype, conf

    def extract(
        self, doc: SourceDocument, prompt: str, document_type: str | None = None
    ) -> dict[str, Any]:
        """Fields the prompt names, as structured JSON from the model."""
        started = time.perf_counter()
        text, images, pages = document_content(doc)
        if not text.strip() and not images:
            raise ExtractionError(ErrorCode.NO_TEXT, "No readable text was found in the document.")
        parsed = parse_prompt(prompt, document_type)
        if parsed.empty:
            # No field named: the default fields of the document's type, as for the local engine.
            if document_type not in DOCUMENT_TYPES:
                document_type = self.classify(doc)[0]
            prompt = DEFAULT_PROMPTS[document_type]
            parsed = parse_prompt(prompt, document_type)
        with_currency(parsed)
        schema = result_schema(parsed)
        instruction = _instruction(prompt, parsed, document_type)
        answer = self._guarded(text, images, instruction, schema, "extraction")
        norm = normalise_answer(answer, parsed)
        dtype = answer.get("document_type")
        if dtype not in DOCUMENT_TYPES:
            dtype = document_type
        result = build_result(
            document_type=dtype or document_type,
            fields=norm["fields"],
            line_items=norm["line_items"],
            want_line_items=bool(parsed.line_items_key),
            provider=self.name,
            model=self.model,
            pages=pages,
            started=started,
        )
        if parsed.line_items_key and parsed.line_items_key != "line_items":
            result["data"][parsed.line_items_key] = result["data"].pop("line_items")
        # Boxes from the text layer the model read (cached: no second parse of the file).
        add_boxes(result["fields"], load_document(doc, ocr=False).pages)
        return result


class OpenAIProvider(_LLMProvider):
    """OpenAI chat completions with a strict JSON schema response format."""

    name = "openai"
    label = "OpenAI"
    key_env = "OPENAI_API_KEY"
    base_url_env = "OPENAI_BASE_URL"
    model_env = "OPENAI_MODEL"
    default_model = "gpt-4.1-mini"

    def _client_or_new(self) -> Any:
        """The SDK client, created on first use."""
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self.api_key,
                base_url=self.base_url or None,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        return self._client

    def _call(self, text: str, images: list, instruction: str, schema: dict, name: str) -> dict:
        """One chat completion answered in the schema."""
        content: list[dict[str, Any]] = [{"type": "text", "text": instruction}]
        if text:
            content.append({"type": "text", "text": "Document text:\n" + text})
        for mime, data in images:
            url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
            content.append({"type": "image_url", "image_url": {"url": url}})
        response = self._client_or_new().chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": content},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": schema},
            },
        )
        choice = response.choices[0] if response.choices else None
        message = getattr(choice, "message", None)
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise ExtractionError(ErrorCode.PROVIDER_ERROR, f"OpenAI refused: {refusal}")
        return _parse_json(getattr(message, "content", "") or "")


class AnthropicProvider(_LLMProvider):
    """Anthropic messages with a forced tool call whose input schema is the result schema."""

    name = "anthropic"
    label = "Anthropic"
    key_env = "ANTHROPIC_API_KEY"
    base_url_env = "ANTHROPIC_BASE_URL"
    model_env = "ANTHROPIC_MODEL"
    default_model = "claude-sonnet-4-5"

    def _client_or_new(self) -> Any:
        """The SDK client, created on first use."""
        if self._client is None:
            import anthropic

            self._client = anthropic.Anthropic(
                api_key=self.api_key,
                base_url=self.base_url or None,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        return self._client

    def _call(self, text: str, images: list, instruction: str, schema: dict, name: str) -> dict:
        """One message whose answer is the input of the record tool."""
        content: list[dict[str, Any]] = []
        for mime, data in images:
            content.append(
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": mime,
                        "data": base64.b64encode(data).decode(),
                    },
                }
            )
        if text:
            content.append({"type": "text", "text": "Document text:\n" + text})
        content.append({"type": "text", "text": instruction})
        tool = f"record_{name}"
        response = self._client_or_new().messages.create(
            model=self.model,
            max_tokens=8192,
            system=SYSTEM_PROMPT,
            messages=[{"role": "user", "content": content}],
            tools=[
                {
                    "name": tool,
                    "description": f"Record the {name} of the document.",
                    "input_schema": schema,
                }
            ],
            tool_choice={"type": "tool", "name": tool},
        )
        for block in response.content or []:
            if getattr(block, "type", None) == "tool_use":
                data = block.input
                if isinstance(data, dict):
                    return data
        texts = [
            getattr(b, "text", "")
            for b in response.content or []
            if getattr(b, "type", "") == "text"
        ]
        return _parse_json("\n".join(texts))
