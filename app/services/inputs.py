"""Checks on the text a request carries: no NUL or other control characters, bounded JSON.

PostgreSQL cannot store a NUL, and no name, prompt, e-mail or search term needs a control
character, so such input answers 400 with the code of the field it came in (`invalid_prompt` for
prompts, `bad_request` for the rest) instead of failing deep inside a query. JSON carried in a form
field is refused before it is parsed when it is larger or more deeply nested than any real use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from app.errors import ApiError, DomainError
from app.models.enums import ErrorCode
from app.services.cleantext import CONTROL_CHARS

# Fields whose errors already have a code of their own.
FIELD_CODES = {
    "global_prompt": ErrorCode.INVALID_PROMPT,
    "per_document_prompts": ErrorCode.INVALID_PROMPT,
    "prompt_strategy": ErrorCode.INVALID_PROMPT,
    "prompt": ErrorCode.INVALID_PROMPT,
}
MAX_JSON_CHARS = 1_000_000
MAX_JSON_DEPTH = 20
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def field_code(name: str) -> str:
    """The error code of a request field."""
    return FIELD_CODES.get(name, ErrorCode.BAD_REQUEST)


def control_char_error(name: str, value: str) -> ApiError | None:
    """The 400 answer for a field holding a NUL or another control character, or None."""
    found = CONTROL_CHARS.search(value)
    if found is None:
        return None
    char = f"U+{ord(found.group()):04X}"
    what = "a NUL character" if char == "U+0000" else f"a control character ({char})"
    return DomainError(
        field_code(name),
        f"The field '{name[:60]}' contains {what}; remove it and send the request again.",
        {"field": name[:60]},
    )


def check_fields(fields: Iterable[tuple[str | None, str | None]]) -> None:
    """Raise the 400 answer for the first (name, value) pair holding a control character.

    A multipart part whose name cannot be parsed (``name="\\"``) comes in with the name None:
    it names no field the app reads, so it is checked as an empty name."""
    for name, value in fields:
        name, value = name or "", value or ""
        error = control_char_error(name, name) or control_char_error(name, value)
        if error is not None:
            raise error


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (read without parsing it)."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def load_json_field(
    text: str,
    name: str,
    max_chars: int = MAX_JSON_CHARS,
    max_depth: int = MAX_JSON_DEPTH,
):
    """Parse the JSON of a form field; 400 with the field's code when too large or too deep.

    A text that is not JSON raises ValueError, as `json.loads` does, for the caller's own message.
    """
    code = field_code(name)
    if len(text) > max_chars:
        raise DomainError(
            code,
            f"The field '{name}' has {len(text)} characters of JSON; at most {max_chars}.",
            {"field": name},
        )
    if json_depth(text) > max_depth:
        raise DomainError(
            code,
            f"The JSON of the field '{name}' nests more than {max_depth} levels deep.",
            {"field": name},
        )
    try:
        return json.loads(text)
    except RecursionError as exc:  # depth counted wrong on a malformed text: still refused
        raise ValueError("JSON nested too deeply") from exc
