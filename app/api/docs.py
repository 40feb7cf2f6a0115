"""GET /api/v1/openapi.json (the API's OpenAPI 3.1 document) and /api/docs (the same, to read).

Both are public: the document describes the API, not anyone's data. The docs page is rendered on
the server from the document (no script, no outside asset).
"""

import re

from flask import Blueprint, current_app, jsonify, render_template
from markupsafe import Markup, escape

from app.api import openapi
from app.extensions import csrf

bp = Blueprint("api_docs", __name__)
csrf.exempt(bp)

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def document() -> dict:
    """The app's OpenAPI document, built once per process from its routes."""
    cached = current_app.extensions.get("openapi_document")
    if cached is None:
        cached = openapi.build(current_app)
        current_app.extensions["openapi_document"] = cached
    return cached


@bp.get("/api/v1/openapi.json")
@openapi.documented(
    "This API's OpenAPI 3.1 document",
    tag="Reference",
    answers={200: openapi.Answer("The document.", {"application/json": {"schema": {}}})},
    public=True,
)
def openapi_json():
    resp = jsonify(document())
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def codify(text: str) -> Markup:
    """Text with its `backquoted` parts shown as code, everything else escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))


def schema_name(schema: dict) -> str | None:
    """The shared schema a `$ref` names."""
    target = schema.get("$ref", "")
    return target.rsplit("/", 1)[-1] if target else None


def type_text(schema: dict) -> str:
    """A short human reading of a schema: `string (uuid)`, `Batch[]`, `integer or null`."""
    if not schema:
        return "any"
    name = schema_name(schema)
    if name:
        return name
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(type_text(s) for s in schema[key])
    if "allOf" in schema:
        return " and ".join(type_text(s) for s in schema["allOf"] if schema_name(s) or "type" in s)
    kind = schema.get("type", "object")
    if kind == "array":
        return type_text(schema.get("items", {})) + "[]"
    if kind == "null":
        return "null"
    text = kind
    if "format" in schema:
        text += f" ({schema['format']})"
    if "enum" in schema:
        text += ": " + " | ".join(str(v) if v != "" else '""' for v in schema["enum"])
    return text


def fields(schema: dict, schemas: dict) -> list[dict]:
    """The properties of an object schema (following allOf and refs), for a table."""
    name = schema_name(schema)
    if name:
        return fields(schemas.get(name, {}), schemas)
    rows: list[dict] = []
    for part in schema.get("allOf", []):
        rows.extend(fields(part, schemas))
    required = set(schema.get("required", []))
    for prop, sub in schema.get("properties", {}).items():
        rows.append(
            {
                "name": prop,
                "type": type_text(sub),
                "required": prop in required,
                "description": sub.get("description", ""),
            }
        )
    return rows


def operations(doc: dict) -> list[dict]:
    """Every operation of the document with what the page shows of it, grouped by tag order."""
    schemas = doc.get("components", {}).get("schemas", {})
    tag_order = [t["name"] for t in doc.get("tags", [])]
    ops = []
    for path, item in doc.get("paths", {}).items():
        for method in METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            body = None
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                body = {"media": media, "fields": fields(content.get("schema", {}), schemas)}
            answers = []
            for status, answer in op.get("responses", {}).items():
                kinds = [
                    {"media": media, "type": type_text(c.get("schema", {}))}
                    for media, c in answer.get("content", {}).items()
                ]
                answers.append(
                    {
                        "status": status,
                        "description": answer.get("description", ""),
                        "content": kinds,
                        "headers": list(answer.get("headers", {})),
                    }
                )
            tag = (op.get("tags") or ["Other"])[0]
            ops.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "tag": tag,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "public": op.get("security") == [],
                    "params": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "type": type_text(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": body,
                    "answers": answers,
                }
            )
    ops.sort(key=lambda o: tag_order.index(o["tag"]) if o["tag"] in tag_order else len(tag_order))
    return ops


@bp.get("/api/docs")
def reference():
    """The API reference, readable in a browser."""
    doc = document()
    schemas = doc.get("components", {}).get("schemas", {})
    shapes = [
        {"name": name, "description": s.get("description", ""), "fields": fields(s, schemas)}
        for name, s in schemas.items()
    ]
    return render_template(
        "api/docs.html", doc=doc, operations=operations(doc), shapes=shapes, codify=codify
    )
