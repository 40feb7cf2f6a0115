"""The JSON shapes of the API as JSON Schema (2020-12, as OpenAPI 3.1 uses), shared by every route.

Each entry of `SCHEMAS` becomes `#/components/schemas/<name>` in /api/v1/openapi.json; routes name
them through `app.api.openapi.documented`. Status values come from the enums the models use, so a
new status appears here without an edit.
"""

from app.models.enums import (
    BatchStatus,
    DocumentStatus,
    ErrorCode,
    Plan,
    PromptStrategy,
    QuestionStatus,
)


def ref(name: str) -> dict:
    """A reference to a shared schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """The schema or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """An object whose listed properties are all present unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


UUID = {"type": "string", "format": "uuid"}
TIME = {"type": "string", "format": "date-time"}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
PROGRESS = {"type": "integer", "minimum": 0, "maximum": 100, "description": "Share finished, %."}

PAGE = {
    "page": {"type": "integer", "minimum": 1},
    "pages": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1},
    "total": COUNT,
}

WEBHOOK_EVENTS = ["batch.finished", "document.failed", "question_batch.finished", "ping"]

QUESTION_FILE = {
    "file": {
        "type": "string",
        "format": "binary",
        "description": "CSV (UTF-8, header row) or XLSX with a `question` column, "
        "optionally `chat_id` and `document`.",
    },
    "scope": {
        "type": "string",
        "description": "`all` (default) or the id of one of your batches.",
    },
}

PROMPT_FIELDS = {
    "prompt_strategy": {
        "type": "string",
        "enum": [s.value for s in PromptStrategy],
        "default": PromptStrategy.GLOBAL.value,
        "description": "`global`: one prompt for every file; `per_document`: a prompt per file; "
        "`auto`: the document type is detected and its usual fields extracted.",
    },
    "global_prompt": {
        "type": "string",
        "description": "What to extract from every file: required for `global` (at most "
        "MAX_PROMPT_CHARS characters, 4000 by default).",
    },
    "reuse": {
        "type": "string",
        "enum": ["true", "false"],
        "default": "true",
        "description": "`true`: a file you had extracted the same way before (same file, "
        "resolved prompt and provider/model, within REUSE_DAYS) takes that result and costs no "
        "pages; `false`: extract every file again.",
    },
}

SCHEMAS: dict[str, dict] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {
                        "type": "string",
                        "description": "Stable error code.",
                        "examples": [str(ErrorCode.NOT_FOUND)],
                    },
                    "message": {"type": "string", "description": "What happened, for people."},
                    "details": {
                        "type": "object",
                        "description": "Facts about the error, e.g. the files it concerns.",
                    },
                }
            )
        },
        description="Every error answer.",
    ),
    "ItemError": nullable(
        obj(
            {
                "code": TEXT,
                "message": TEXT,
                "retryable": {
                    "type": "boolean",
                    "description": "false when a retry cannot help (an unreadable, encrypted, "
                    "unsupported or too complex file).",
                },
            },
            required=["code", "message"],
            description="Why a document or row failed.",
        )
    ),
    "DocumentSummary": obj(
        {
            "id": UUID,
            "filename": TEXT,
            "status": {"type": "string", "enum": [s.value for s in DocumentStatus]},
            "page_count": nullable(COUNT),
            "document_type": nullable(TEXT),
            "extraction_prompt": nullable(TEXT),
            "error": ref("ItemError"),
            "needs_review": {
                "type": "boolean",
                "description": "Completed with a requested field missing or below "
                "REVIEW_CONFIDENCE, and not approved yet.",
            },
        },
        description="A document as a batch lists it.",
    ),
    "Document": {
        "allOf": [
            ref("DocumentSummary"),
            obj(
                {
                    "batch_id": nullable(UUID),
                    "mime_type": TEXT,
                    "size_bytes": COUNT,
                    "sha256": TEXT,
                    "attempts": COUNT,
                    "created_at": TIME,
                    "updated_at": TIME,
                    "completed_at": nullable(TIME),
                    "result": nullable(ref("Result")),
                }
            ),
        ],
        "description": "A document with its result once completed.",
    },
    "Result": obj(
        {
            "document_type": nullable(TEXT),
            "data": {
                "type": "object",
                "description": "Each requested field's value, typed (ISO dates, decimal amounts).",
            },
            "fields": {
                "type": "object",
                "additionalProperties": ref("ResultField"),
                "description": "Each requested field with where it was found.",
            },
            "line_items": {"type": "array", "items": {"type": "object"}},
            "meta": obj(
                {
                    "provider": TEXT,
                    "model": nullable(TEXT),
                    "pages": nullable(COUNT),
                    "duration_ms": nullable(COUNT),
                    "reused_from": {
                        **UUID,
                        "description": "The earlier document this result was copied from.",
                    },
                },
                required=["provider"],
            ),
        },
        description="What was extracted from a completed document.",
    ),
    "ResultField": obj(
        {
            "value": {"description": "The value, typed; null when not found."},
            "confidence": nullable({"type": "number", "minimum": 0, "maximum": 1}),
            "page": nullable({"type": "integer", "minimum": 1}),
            "bbox": nullable(
                {
                    "type": "array",
                    "items": {"type": "number", "minimum": 0, "maximum": 1},
                    "minItems": 4,
                    "maxItems": 4,
                    "description": "[x0, y0, x1, y1] of the value on its page, in fractions "
                    "of the page, origin top left.",
                }
            ),
            "source_text": nullable(TEXT),
            "corrected": {"type": "boolean", "description": "Set by a user's correction."},
            "original": {"description": "The extracted value a correction replaced."},
        },
        required=["value"],
    ),
    "Batch": obj(
        {
            "id": UUID,
            "name": TEXT,
            "description": nullable(TEXT),
            "status": {"type": "string", "enum": [s.value for s in BatchStatus]},
            "prompt_strategy": {"type": "string", "enum": [s.value for s in PromptStrategy]},
            "extraction_prompt": nullable(TEXT),
            "document_count": COUNT,
            "completed_count": COUNT,
            "failed_count": COUNT,
            "cancelled_count": COUNT,
            "reused_count": {
                **COUNT,
                "description": "Completed documents whose result was reused (no pages charged).",
            },
            "needs_review_count": {**COUNT, "description": "Completed documents to review."},
            "total_pages": nullable(COUNT),
            "progress": PROGRESS,
            "created_at": TIME,
            "updated_at": TIME,
            "completed_at": nullable(TIME),
        },
        description="A batch as listed.",
    ),
    "BatchStatus": {
        "allOf": [
            ref("Batch"),
            obj({"documents": {"type": "array", "items": ref("DocumentSummary")}}),
        ],
        "description": "A batch's status JSON with its documents.",
    },
    "ResultCorrection": obj(
        {
            "data": {
                "type": "object",
                "description": "Field name → new value (typed as extraction types it: dates to "
                "ISO, amounts to numbers).",
            },
            "line_items": {"type": "array", "items": {"type": "object"}},
        },
        required=[],
        description="Corrections of a completed document's result.",
    ),
    "ReviewApproval": obj(
        {"approved": {"type": "boolean", "const": True}},
        description="Approve the document after review.",
    ),
    "BatchList": obj({"batches": {"type": "array", "items": ref("Batch")}, **PAGE}),
    "Usage": obj(
        {
            "plan": {"type": "string", "enum": [p.value for p in Plan]},
            "status": TEXT,
            "pages_limit": COUNT,
            "pages_used": COUNT,
            "pages_left": COUNT,
            "period_start": TIME,
            "period_end": TIME,
            "files_per_batch": COUNT,
        },
        description="Plan, limits, and pages used and left this period.",
    ),
    "QuestionSource": obj(
        {
            "document_id": UUID,
            "filename": TEXT,
            "page": nullable({"type": "integer"}),
            "snippet": TEXT,
        },
        required=[],
        description="Where an answer was found.",
    ),
    "QuestionItem": obj(
        {
            "id": UUID,
            "row": {"type": "integer"},
            "chat_id": nullable(TEXT),
            "thread": TEXT,
            "question": TEXT,
            "document": nullable(TEXT),
            "status": {
                "type": "string",
                "enum": [s.value for s in QuestionStatus],
                "description": "`queued` until its conversation's job reaches it, `answering` "
                "while it is asked, then `completed`, `failed` or `cancelled`.",
            },
            "answer": nullable(TEXT),
            "sources": {"type": "array", "items": ref("QuestionSource")},
            "error": ref("ItemError"),
        },
        description="A row of a question batch.",
    ),
    "QuestionBatch": obj(
        {
            "id": UUID,
            "name": TEXT,
            "status": {"type": "string", "enum": [s.value for s in BatchStatus]},
            "scope": {
                "type": "string",
                "description": "`all`, the id of the batch asked about, or `deleted_batch`.",
            },
            "scope_batch_id": nullable(UUID),
            "filename": nullable(TEXT),
            "columns": {"type": "array", "items": TEXT},
            "item_count": COUNT,
            "thread_count": COUNT,
            "completed_count": COUNT,
            "failed_count": COUNT,
            "cancelled_count": COUNT,
            "progress": PROGRESS,
            "created_at": TIME,
            "updated_at": TIME,
            "completed_at": nullable(TIME),
        },
        description="A question batch as listed.",
    ),
    "QuestionBatchStatus": {
        "allOf": [
            ref("QuestionBatch"),
            obj({"items": {"type": "array", "items": ref("QuestionItem")}}),
        ],
        "description": "A question batch's status JSON with every row.",
    },
    "QuestionBatchList": obj(
        {"question_batches": {"type": "array", "items": ref("QuestionBatch")}, **PAGE}
    ),
    "QuestionPreview": obj(
        {
            "valid": {"type": "boolean"},
            "filename": nullable(TEXT),
            "format": nullable(TEXT),
            "columns": {"type": "array", "items": TEXT},
            "row_count": COUNT,
            "thread_count": COUNT,
            "limit": COUNT,
            "rows": {
                "type": "array",
                "items": obj(
                    {
                        "row": {"type": "integer"},
                        "chat_id": nullable(TEXT),
                        "question": TEXT,
                        "document": nullable(TEXT),
                    }
                ),
            },
            "problems": {
                "type": "array",
                "items": obj({"row": nullable({"type": "integer"}), "reason": TEXT}),
            },
            "warnings": {"type": "array", "items": TEXT},
        },
        description="What a question file holds and every problem found; nothing is stored.",
    ),
    "Webhook": obj(
        {
            "id": UUID,
            "url": {"type": "string", "format": "uri"},
            "events": {"type": "array", "items": {"type": "string", "examples": WEBHOOK_EVENTS}},
            "description": TEXT,
            "enabled": {"type": "boolean"},
            "disabled_reason": nullable(TEXT),
            "disabled_at": nullable(TIME),
            "created_at": TIME,
        },
        description="A webhook endpoint (its secret is shown only when it is created); a "
        "disabled one says why.",
    ),
    "WebhookCreated": {
        "allOf": [
            ref("Webhook"),
            obj(
                {
                    "secret": {
                        "type": "string",
                        "pattern": "^whsec_",
                        "description": "Key of the `IngestIO-Signature` HMAC; shown only here.",
                    }
                }
            ),
        ],
        "description": "A new webhook endpoint with its signing secret.",
    },
    "WebhookList": obj({"webhooks": {"type": "array", "items": ref("Webhook")}}),
    "WebhookCreate": obj(
        {
            "url": {"type": "string", "description": "Where events are POSTed."},
            "events": {
                "type": "array",
                "items": {"type": "string", "examples": WEBHOOK_EVENTS},
                "description": "Events to send: " + ", ".join(WEBHOOK_EVENTS) + ".",
            },
            "description": {"type": "string"},
        },
        required=["url"],
        description="`events` defaults to every event but `ping`.",
    ),
    "WebhookPing": obj(
        {"event_id": UUID, "type": {"type": "string", "const": "ping"}},
        description="The `ping` event queued for delivery.",
    ),
    "WebhookDelivery": obj(
        {
            "id": TEXT,
            "event_id": TEXT,
            "type": TEXT,
            "attempt": {"type": "integer", "minimum": 1},
            "status_code": nullable({"type": "integer"}),
            "error": nullable(TEXT),
            "created_at": TIME,
            "delivered_at": nullable(TIME),
        },
        description="One attempt to deliver an event.",
    ),
    "WebhookDeliveryList": obj(
        {"deliveries": {"type": "array", "items": ref("WebhookDelivery")}},
        description="The last 100 attempts, newest first.",
    ),
    "BatchCreate": obj(
        {
            "files": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "description": "PDF or image files, one part per file.",
            },
            "name": {"type": "string", "maxLength": 200},
            "description": {"type": "string", "maxLength": 2000},
            **PROMPT_FIELDS,
            "per_document_prompts": {
                "type": "string",
                "description": "JSON object filename → prompt: required for `per_document`, "
                "with a non-empty prompt for every file.",
            },
        },
        required=["files"],
    ),
    "DocumentCreate": obj(
        {
            "file": {
                "type": "string",
                "format": "binary",
                "description": "One PDF or image (also accepted as `files`).",
            },
            **PROMPT_FIELDS,
        },
        required=["file"],
    ),
    "QuestionFile": obj(QUESTION_FILE, required=["file"]),
    "QuestionBatchCreate": obj(
        {**QUESTION_FILE, "name": {"type": "string", "maxLength": 200}}, required=["file"]
    ),
}
