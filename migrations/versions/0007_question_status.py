"""Question rows have statuses of their own: queued and answering instead of uploaded and
processing; completed, failed and cancelled stay as they are.

Revision ID: 0007_question_status
Revises: 0006_review
Create Date: 2026-12-04 08:01:24.267309

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_question_status'
down_revision = '0006_review'
branch_labels = None
depends_on = None

# The column is a string with a CHECK constraint named after its enum; the values that change.
DOCUMENT_CHECK = 'ck_question_items_documentstatus'
QUESTION_CHECK = 'ck_question_items_questionstatus'
DOCUMENT_VALUES = ('uploaded', 'processing', 'completed', 'failed', 'cancelled')
QUESTION_VALUES = ('queued', 'answering', 'completed', 'failed', 'cancelled')
RENAMED = (('uploaded', 'queued'), ('processing', 'answering'))


def allowed(values):
    return sa.column('status').in_(values)


def rename(pairs):
    for old, new in pairs:
        op.execute(f"UPDATE question_items SET status = '{new}' WHERE status = '{old}'")


def upgrade():
    with op.batch_alter_table('question_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(DOCUMENT_CHECK), type_='check')
    rename(RENAMED)
    with op.batch_alter_table('question_items', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(QUESTION_CHECK), allowed(QUESTION_VALUES))


def downgrade():
    with op.batch_alter_table('question_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(QUESTION_CHECK), type_='check')
    rename((new, old) for old, new in RENAMED)
    with op.batch_alter_table('question_items', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(DOCUMENT_CHECK), allowed(DOCUMENT_VALUES))
