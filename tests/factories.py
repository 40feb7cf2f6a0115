"""Factories for rows used across the tests."""

import hashlib
import io
import itertools

from app.extensions import db
from app.models import Batch, BatchStatus, Document, DocumentStatus, PromptStrategy, User
from app.services import accounts
from app.storage import get_storage

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


def make_user(
    email: str | None = None, plan: str = "growth", admin: bool = False, password: str = PASSWORD
) -> User:
    """A committed user on a plan."""
    user = accounts.create_user(
        email or f"user{next(_seq)}@example.com", password, plan=plan, is_admin=admin
    )
    db.session.commit()
    return user


def make_token(user: User, name: str = "test") -> str:
    """A committed API token for the user; returns the plain token."""
    _row, plain = accounts.issue_token(user, name)
    db.session.commit()
    return plain


def make_batch(
    user: User,
    name: str = "Batch",
    status: BatchStatus = BatchStatus.QUEUED,
    strategy: PromptStrategy = PromptStrategy.GLOBAL,
    prompt: str | None = "Extract the invoice number, date and total",
) -> Batch:
    """A committed batch row with no documents yet."""
    batch = Batch(
        user_id=user.id,
        name=name,
        prompt_strategy=strategy,
        extraction_prompt=prompt if strategy == PromptStrategy.GLOBAL else None,
        status=status,
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def make_document(
    user: User,
    batch: Batch | None = None,
    content: bytes = b"%PDF-1.4\n",
    filename: str | None = None,
    mime_type: str = "application/pdf",
    page_count: int = 1,
    status: DocumentStatus = DocumentStatus.UPLOADED,
    prompt: str | None = None,
) -> Document:
    """A committed document whose file is really stored; batch counters follow."""
    stored = get_storage().save(io.BytesIO(content), mime_type)
    doc = Document(
        user_id=user.id,
        batch_id=batch.id if batch else None,
        original_filename=filename or f"doc{next(_seq)}.pdf",
        storage_key=stored.key,
        mime_type=mime_type,
        size_bytes=stored.size,
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=page_count,
        extraction_prompt=prompt,
        status=status,
    )
    db.session.add(doc)
    if batch is not None:
        batch.document_count += 1
        batch.total_pages += page_count
    db.session.commit()
    return doc
