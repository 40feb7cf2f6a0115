"""The OpenAPI 3.1 description of /api/v1, built from the app's own routes.

Each view under /api/v1 says what it takes and answers with `@documented(...)`, placed right under
its route decorator::

    @bp.get("/batches/<batch_id>")
    @documented(
        "Status of a batch",
        tag="Batches",
        answers={200: json_answer("BatchStatus", "The batch with its documents.")},
    )
    def batch_status(batch_id): ...

`build(app)` walks `app.url_map`: the path, its path parameters and its method come from the
route itself, the rest from the view's entry. What every API route shares is added here once:
both security schemes, 401 `unauthorized`, 429 `rate_limited` with `Retry-After`, 404 `not_found`
on routes with an id, and 400 `csrf_failed` on session requests that change something. A route
under /api/v1 without an entry is listed by `undocumented(app)` (and a test fails on it).
"""

from dataclasses import dataclass, field
from typing import Any

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask

from app.api.schemas import SCHEMAS, ref
from app.models.enums import ErrorCode

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}

DESCRIPTION = """\
Batch document extraction: upload PDFs and images, poll their status, export the results; ask
questions of your documents in bulk.

Authenticate with `Authorization: Bearer <token>` (a personal API token from the account page) or
with the browser session; session requests that change something also need the `X-CSRFToken`
header. Every error answers `{"error": {"code", "message", "details"}}` with a stable code.
"""

HEADERS = {
    "Retry-After": {
        "description": "Whole seconds until the limit allows the request again.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "ETag": {
        "description": "Tag of this exact answer; send it back in `If-None-Match`.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "Address of the created resource.", "schema": {"type": "string"}},
    "Content-Disposition": {
        "description": "`attachment` with the file's name.",
        "schema": {"type": "string"},
    },
}


@dataclass(frozen=True)
class Answer:
    """One documented answer: a description, an optional body and the headers it carries."""

    description: str
    content: dict | None = None
    headers: tuple[str, ...] = ()
    links: dict | None = None

    def render(self) -> dict:
        out: dict[str, Any] = {"description": self.description}
        if self.content is not None:
            out["content"] = self.content
        if self.headers:
            out["headers"] = {
                name: {"$ref": f"#/components/headers/{name}"} for name in self.headers
            }
        if self.links:
            out["links"] = self.links
        return out


def json_answer(schema: str, description: str, headers: tuple[str, ...] = (), links=None):
    """An answer whose body is a shared JSON schema."""
    return Answer(description, {"application/json": {"schema": ref(schema)}}, headers, links)


def links_to(parameter: str, **operations: str) -> dict:
    """Links from a created resource's answer to the operations that take its id.

    `links_to("batch_id", GetBatch="batch_status")` lets clients and tools follow the answer's
    `id` to the operation whose operationId (the view's name) is `batch_status`.
    """
    return {
        name: {"operationId": operation_id, "parameters": {parameter: "$response.body#/id"}}
        for name, operation_id in operations.items()
    }


def no_content(description: str) -> Answer:
    return Answer(description)


def not_modified() -> Answer:
    return Answer("Unchanged since the tag sent in `If-None-Match`; no body.", headers=("ETag",))


def download(description: str) -> Answer:
    """A file download in any of the export formats."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return Answer(
        description,
        {
            "application/json": {"schema": {}},
            "text/csv": binary,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": binary,
        },
        ("Content-Disposition",),
    )


@dataclass(frozen=True)
class Param:
    """A query or header parameter."""

    name: str
    schema: dict
    description: str = ""
    location: str = "query"

    def render(self) -> dict:
        out = {"name": self.name, "in": self.location, "schema": self.schema}
        if self.description:
            out["description"] = self.description
        return out


def query(name: str, schema: dict, description: str = "") -> Param:
    return Param(name, schema, description)


IF_NONE_MATCH = Param(
    "If-None-Match",
    {"type": "string"},
    "The `ETag` of the last answer: 304 without a body when nothing changed.",
    "header",
)
PAGE_PARAMS = (
    query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."),
    query(
        "per_page",
        {"type": "integer", "minimum": 1},
        "Items per page (20 by default; more than 100 is answered with 100).",
    ),
)

# What a create request may be refused with, besides the answers every route has.
CREATE_ERRORS = {
    400: [ErrorCode.BAD_REQUEST, ErrorCode.INVALID_PROMPT],
    402: [ErrorCode.QUOTA_EXCEEDED],
    403: [ErrorCode.UPGRADE_REQUIRED],
    413: [ErrorCode.FILE_TOO_LARGE],
}


@dataclass(frozen=True)
class Operation:
    """What a view documents about itself; the route supplies the path and method."""

    summary: str
    tag: str
    answers: dict[int, Answer]
    description: str = ""
    params: tuple[Param, ...] = ()
    body: dict | None = None
    errors: dict[int, list[str]] = field(default_factory=dict)
    public: bool = False

    def render(self, endpoint: str, method: str, path_params: list[dict]) -> dict:
        out: dict[str, Any] = {
            "operationId": endpoint.split(".")[-1],
            "summary": self.summary,
            "tags": [self.tag],
            "parameters": path_params + [p.render() for p in self.params],
            "responses": {str(s): a.render() for s, a in sorted(self.answers.items())},
        }
        if self.description:
            out["description"] = self.description
        if self.body is not None:
            out["requestBody"] = self.body
        for status, codes in sorted(self.error_codes(method, bool(path_params)).items()):
            out["responses"][str(status)] = error_answer(status, codes)
        if self.public:
            out["security"] = []
        return out

    def error_codes(self, method: str, has_id: bool) -> dict[int, list[str]]:
        """The route's own error codes plus those every API route shares."""
        codes: dict[int, list[str]] = {s: [str(c) for c in cs] for s, cs in self.errors.items()}

        def add(status: int, code: str) -> None:
            listed = codes.setdefault(status, [])
            if str(code) not in listed:
                listed.append(str(code))

        if not self.public:
            add(401, ErrorCode.UNAUTHORIZED)
            add(429, ErrorCode.RATE_LIMITED)
            if method not in READ_METHODS:
                add(400, ErrorCode.CSRF_FAILED)
        if has_id:
            add(404, ErrorCode.NOT_FOUND)
        if any(p.location == "query" for p in self.params):
            add(400, ErrorCode.BAD_REQUEST)
        return codes


def error_answer(status: int, codes: list[str]) -> dict:
    """An error answer listing the codes this route gives with this status."""
    schema = {
        "allOf": [
            ref("Error"),
            {"properties": {"error": {"properties": {"code": {"enum": sorted(codes)}}}}},
        ]
    }
    answer = Answer(
        "Error: " + ", ".join(f"`{c}`" for c in sorted(codes)) + ".",
        {"application/json": {"schema": schema}},
        ("Retry-After",) if status == 429 else (),
    )
    return answer.render()


def documented(summary: str, *, tag: str, answers: dict[int, Answer], **options):
    """Attach the route's description to its view (see the module's docstring)."""
    operation = Operation(summary, tag, answers, **options)

    def attach(view):
        view.openapi = operation
        return view

    return attach


def multipart(schema: str) -> dict:
    """A multipart/form-data request body; file parts are sent as files."""
    return {
        "required": True,
        "content": {"multipart/form-data": {"schema": ref(schema)}},
    }


def json_body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


def path_parameter(name: str, converter: str) -> dict:
    """A path parameter: an id of ours is a UUID, an int converter an integer."""
    if converter == "IntegerConverter":
        schema = {"type": "integer", "minimum": 0}
    elif converter == "UUIDConverter" or name == "id" or name.endswith("_id"):
        schema = {"type": "string", "format": "uuid"}
    else:
        schema = {"type": "string"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def api_rules(app: Flask):
    """The routes under /api/v1 with their views, in path order."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.rule == PREFIX or rule.rule.startswith(PREFIX + "/"):
            yield rule, app.view_functions[rule.endpoint]


def undocumented(app: Flask) -> list[str]:
    """ "METHOD path" of every /api/v1 route whose view has no description."""
    return [
        f"{method} {rule.rule}"
        for rule, view in api_rules(app)
        if getattr(view, "openapi", None) is None
        for method in sorted((rule.methods or set()) - IGNORED_METHODS)
    ]


def build(app: Flask) -> dict:
    """The OpenAPI 3.1 document of every documented /api/v1 route of `app`."""
    spec = APISpec(
        title="IngestIO API",
        version="1",
        openapi_version="3.1.0",
        plugins=[FlaskPlugin()],
        info={"description": DESCRIPTION},
        servers=[{"url": "/"}],
        security=[{"bearerAuth": []}, {"sessionCookie": []}],
    )
    spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "A personal API token."},
    )
    spec.components.security_scheme(
        "sessionCookie",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config.get("SESSION_COOKIE_NAME") or "session",
            "description": "The browser session after logging in.",
        },
    )
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    tags: list[str] = []
    for rule, view in api_rules(app):
        operation: Operation | None = getattr(view, "openapi", None)
        if operation is None:
            continue
        converters = rule._converters  # noqa: SLF001 - werkzeug keeps no public name for them
        path_params = [
            path_parameter(name, type(conv).__name__) for name, conv in converters.items()
        ]
        operations = {
            method.lower(): operation.render(rule.endpoint, method, path_params)
            for method in sorted((rule.methods or set()) - IGNORED_METHODS)
        }
        spec.path(view=view, app=app, operations=operations)
        if operation.tag not in tags:
            tags.append(operation.tag)
    for tag in tags:
        spec.tag({"name": tag})
    return spec.to_dict()
