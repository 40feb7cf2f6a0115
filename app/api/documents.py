"""Document reads and deletion: GET and DELETE /api/v1/documents/<id>."""

from flask import Response, jsonify
from flask_login import current_user

from app.api import bp
from app.api.openapi import documented, json_answer, no_content
from app.errors import ApiError, not_found
from app.models import ErrorCode
from app.services import batch_actions, batch_queries
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
