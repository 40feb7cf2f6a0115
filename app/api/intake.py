"""POST /api/v1/batches and POST /api/v1/documents: multipart create through the intake service."""

from flask import jsonify, request
from flask_login import current_user

from app.api import bp
from app.errors import error_response
from app.services import intake, serializers
from app.services.limits import limit_creations


def request_uploads(*names: str) -> list[intake.Upload]:
    """The uploaded file parts of this request under the given field names."""
    parts = [part for name in names for part in request.files.getlist(name)]
    return intake.uploads_from(parts)


@bp.post("/batches")
@limit_creations
def create_batch():
    """Create a batch: 202, the batch JSON with its documents, and its Location."""
    try:
        result = intake.create_batch(
            current_user._get_current_object(), request_uploads("files"), request.form
        )
    except intake.IntakeError as err:
        return error_response(err, err.headers)
    resp = jsonify(serializers.batch_json(result.batch, result.documents))
    resp.status_code = 202
    resp.headers["Location"] = f"/api/v1/batches/{result.batch.id}"
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/documents")
@limit_creations
def create_document():
    """Create a single document without a batch: 202, the document JSON and its Location."""
    try:
        result = intake.create_document(
            current_user._get_current_object(), request_uploads("files", "file"), request.form
        )
    except intake.IntakeError as err:
        return error_response(err, err.headers)
    doc = result.documents[0]
    resp = jsonify(serializers.document_json(doc))
    resp.status_code = 202
    resp.headers["Location"] = f"/api/v1/documents/{doc.id}"
    resp.headers["Cache-Control"] = "no-store"
    return resp
