"""The document job (a placeholder until the pipeline lands): claims nothing, only logs."""

import logging

from jobs import in_app_context

log = logging.getLogger(__name__)


@in_app_context
def process_document(document_id: str) -> None:
    """Process one document."""
    log.info("document job received for %s", document_id)
