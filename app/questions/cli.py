"""`flask questions index` and `flask questions sweep`."""

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Document, DocumentPage, DocumentStatus
from app.questions import bp
from app.services.questions import retrieval, upkeep


@bp.cli.command("index")
@click.option("--limit", type=int, default=0, help="Stop after this many documents (0: all).")
def index_command(limit):
    """Store the page text of completed documents that were never indexed for questions."""
    has_pages = sa.exists().where(DocumentPage.document_id == Document.id)
    stmt = (
        sa.select(Document)
        .where(Document.status == DocumentStatus.COMPLETED, ~has_pages)
        .order_by(Document.created_at)
    )
    if limit:
        stmt = stmt.limit(limit)
    count = 0
    for document in db.session.scalars(stmt).all():
        pages = retrieval.index_document(document)
        db.session.commit()
        count += 1
        click.echo(f"{document.id} {document.original_filename}: {pages} page(s)")
    click.echo(f"Indexed {count} document(s).")


@bp.cli.command("sweep")
def sweep_command():
    """Free question rows of lost workers, re-enqueue lost threads, finish completed batches."""
    outcome = upkeep.sweep_question_items()
    click.echo(", ".join(f"{key}: {value}" for key, value in outcome.items()))
