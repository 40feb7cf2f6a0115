"""POST /api/v1/batches and POST /api/v1/documents: multipart create through the intake service."""

from flask import jsonify, request
from flask_login import current_user

from app import intake
from app.api import bp
from app.api.openapi import CREATE_ERRORS, documented, json_answer, links_to, multipart
from app.errors import error_response
from app.models import ErrorCode
from app.rate_limits import limit_creations
from app.services import serializers

INTAKE_ERRORS = {
    **CREATE_ERRORS,
    400: [
        *CREATE_ERRORS[400],
        ErrorCode.NO_FILES,
        ErrorCode.TOO_MANY_FILES,
        ErrorCode.UNSUPPORTED_FILE,
    ],
}


def request_uploads(*names: str) -> list[intake.Upload]:
    """The uploaded file parts of this request under the given field names."""
    parts = [part for name in names for part in request.files.getlist(name)]
    return intake.uploads_from(parts)


@bp.post("/batches")
@documented(
    "Create a batch",
    tag="Batches",
    description="Upload files with what to extract; the batch is queued and processed in the "
    "background. Poll its status at the `Location`.",
    body=multipart("BatchCreate"),
    answers={
        202: json_answer(
            "BatchStatus",
            "Accepted and queued.",
            ("Location",),
            links_to(
                "batch_id",
                GetBatch="batch_status",
                CancelBatch="batch_cancel",
                RetryBatch="batch_retry",
                ResumeBatch="batch_resume",
                ExportBatch="batch_export",
                DeleteBatch="batch_delete",
            ),
        )
    },
    errors=INTAKE_ERRORS,
)
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
@documented(
    "Create a single document",
    tag="Documents",
    description="One file without a batch (also accepted as `files`); same fields as a batch.",
    body=multipart("DocumentCreate"),
    answers={
        202: json_answer(
            "Document",
            "Accepted and queued.",
            ("Location",),
            links_to(
                "document_id", GetDocument="document_status", DeleteDocument="document_delete"
            ),
        )
    },
    errors=INTAKE_ERRORS,
)
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
