"""Enqueueing document jobs on RQ, always after the commit that created them."""

import logging
import uuid
from collections.abc import Iterable

from redis.exceptions import RedisError

from app.extensions import get_queue

log = logging.getLogger(__name__)

DOCUMENT_JOB = "jobs.documents.process_document"


def document_job_id(document_id: uuid.UUID | str) -> str:
    """The deterministic RQ job id of a document, so it is never queued twice at once."""
    return f"document-{document_id}"


def enqueue_documents(document_ids: Iterable[uuid.UUID | str]) -> int:
    """Enqueue one job per document; Redis being down is logged, the sweeper catches up later."""
    ids = [str(i) for i in document_ids]
    if not ids:
        return 0
    try:
        queue = get_queue("documents")
        with queue.connection.pipeline() as pipe:
            for doc_id in ids:
                queue.enqueue(DOCUMENT_JOB, doc_id, job_id=document_job_id(doc_id), pipeline=pipe)
            pipe.execute()
    except RedisError as exc:
        log.warning("could not enqueue %d document(s): %s; the sweeper will retry", len(ids), exc)
        return 0
    return len(ids)
