"""Documents: read, delete, page images, correction and approval of results."""

from flask import Response, jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.openapi import Answer, documented, json_answer, json_body, no_content, query
from app.errors import ApiError, not_found
from app.extensions import db
from app.models import ErrorCode
from app.services import batch_actions, batch_queries, page_images, review
from app.services.serializers import document_json


@bp.get("/documents/<document_id>")
@documented(
    "Status of a document",
    tag="Documents",
    answers={200: json_answer("Document", "The document, with its result once completed.")},
)
def document_status(document_id):
    """A document's status, and its result once completed."""
    doc = batch_queries.owned_document(current_user.id, document_id)
    if doc is None:
        raise not_found()
    resp = jsonify(document_json(doc, batch_queries.document_result(doc)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.delete("/documents/<document_id>")
@documented(
    "Delete a document",
    tag="Documents",
    description="Deletes the upload with its result and stored file; 409 while it is processing.",
    answers={204: no_content("Deleted.")},
    errors={409: [ErrorCode.INVALID_STATE]},
)
def document_delete(document_id):
    """Delete a single upload with its result and stored file."""
    try:
        batch_actions.delete_document(document_id, current_user.id)
    except batch_actions.NotFound:
        raise not_found() from None
    except batch_actions.InvalidState as exc:
        raise ApiError(409, ErrorCode.INVALID_STATE, exc.message) from None
    return Response(status=204)


def _owned_or_404(document_id):
    doc = batch_queries.owned_document(current_user.id, document_id)
    if doc is None:
        raise not_found()
    return doc


def _document_answer(document_id):
    """The document JSON as it is now (after a change made in this request)."""
    db.session.expire_all()
    doc = _owned_or_404(document_id)
    resp = jsonify(document_json(doc, batch_queries.document_result(doc)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.patch("/documents/<document_id>/result")
@documented(
    "Correct a document's result",
    tag="Documents",
    description="Sets field values (and optionally the line items), typed as extraction types "
    "them. Each corrected field gets `corrected: true`, `original` and confidence 1.0; exports "
    "and question answers use the corrected values.",
    body=json_body("ResultCorrection"),
    answers={200: json_answer("Document", "The document with its corrected result.")},
    errors={400: [ErrorCode.INVALID_VALUE], 409: [ErrorCode.INVALID_STATE]},
)
def document_correct(document_id):
    """Correct values of a completed document's result."""
    doc = _owned_or_404(document_id)
    body = request.get_json(silent=True)
    data = body.get("data", {}) if isinstance(body, dict) else None
    items = body.get("line_items") if isinstance(body, dict) else None
    if (
        not isinstance(data, dict)
        or (items is not None and not isinstance(items, list))
        or (not data and items is None)
    ):
        raise ApiError(
            400,
            ErrorCode.INVALID_VALUE,
            'Send a JSON object: {"data": {"field": value, ...}} and/or {"line_items": [...]}.',
            {"field": "data"},
        )
    try:
        review.correct(doc.id, current_user.id, data, items)
    except review.InvalidValue as exc:
        raise ApiError(
            400,
            ErrorCode.INVALID_VALUE,
            f"{exc.field}: {exc.message}",
            {"field": exc.field},
        ) from None
    except review.InvalidState as exc:
        raise ApiError(409, ErrorCode.INVALID_STATE, str(exc)) from None
    except review.Gone:
        raise not_found() from None
    return _document_answer(document_id)


@bp.post("/documents/<document_id>/review")
@documented(
    "Approve a reviewed document",
    tag="Documents",
    description='`{"approved": true}` clears `needs_review` (and the batch\'s count).',
    body=json_body("ReviewApproval"),
    answers={200: json_answer("Document", "The document, approved.")},
    errors={400: [ErrorCode.BAD_REQUEST], 409: [ErrorCode.INVALID_STATE]},
)
def document_review(document_id):
    """Approve a completed document after review."""
    doc = _owned_or_404(document_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("approved") is not True:
        raise ApiError(
            400, ErrorCode.BAD_REQUEST, 'Send {"approved": true}.', {"field": "approved"}
        )
    try:
        review.approve(doc.id, current_user.id)
    except review.InvalidState as exc:
        raise ApiError(409, ErrorCode.INVALID_STATE, str(exc)) from None
    except review.Gone:
        raise not_found() from None
    return _document_answer(document_id)


@bp.get("/documents/<document_id>/pages/<int:page>.png")
@documented(
    "A page of a document as an image",
    tag="Documents",
    description="PNG of page n (from 1), `width` pixels wide (default 1000, at most 2000).",
    params=(
        query(
            "width",
            {"type": "integer", "minimum": page_images.MIN_WIDTH, "maximum": page_images.MAX_WIDTH},
            "Width in pixels.",
        ),
    ),
    answers={
        200: Answer("The page.", {"image/png": {"schema": {"type": "string", "format": "binary"}}})
    },
)
def document_page(document_id, page):
    """One page of the owner's document as a PNG, cached in storage and by the browser."""
    doc = _owned_or_404(document_id)
    try:
        width = page_images.checked_width(request.args.get("width"))
    except (TypeError, ValueError):
        raise ApiError(
            400,
            ErrorCode.BAD_REQUEST,
            f"width must be a whole number of pixels from {page_images.MIN_WIDTH} to "
            f"{page_images.MAX_WIDTH}.",
            {"width": "integer"},
        ) from None
    tag = f'"{doc.sha256[:16]}-{page}-{width}"'
    if tag in request.headers.get("If-None-Match", ""):
        resp = Response(status=304)
    else:
        try:
            data = page_images.page_png(doc.storage_key, doc.mime_type, doc.page_count, page, width)
        except page_images.PageMissing:
            raise not_found() from None
        resp = Response(data, mimetype="image/png")
    resp.headers["ETag"] = tag
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp
