"""Change notices for the status cache: triggers that NOTIFY when a batch, one of its documents
or an API token is written (PostgreSQL only; SQLite has no notices and needs nothing).

Revision ID: 0002_change_notices
Revises: 0001_initial
Create Date: 2026-12-01 23:23:08.582601

"""
from alembic import op

from app.models import change_notices

# revision identifiers, used by Alembic.
revision = '0002_change_notices'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in change_notices.statements():
            op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in change_notices.drop_statements():
            op.execute(statement)
