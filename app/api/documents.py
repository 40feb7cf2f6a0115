"""Document reads and deletion: GET and DELETE /api/v1/documents/<id>."""

from flask import Response, jsonify
from flask_login import current_user

from app.api import bp
from app.errors import ApiError, not_found
from app.models import ErrorCode
from app.services import batch_actions, batch_queries
from app.services.serializers import document_json


@bp.get("/documents/<document_id>")
def document_status(document_id):
    """A document's status, and its result once completed."""
    doc = batch_queries.owned_document(current_user.id, document_id)
    if doc is None:
        raise not_found()
    resp = jsonify(document_json(doc, batch_queries.document_result(doc)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.delete("/documents/<document_id>")
def document_delete(document_id):
    """Delete a single upload with its result and stored file."""
    try:
        batch_actions.delete_document(document_id, current_user.id)
    except batch_actions.NotFound:
        raise not_found() from None
    except batch_actions.InvalidState as exc:
        raise ApiError(409, ErrorCode.INVALID_STATE, exc.message) from None
    return Response(status=204)
