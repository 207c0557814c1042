"""version row details: the registry details a published version's national-layout sheet prints

Revision ID: 0015
Revises: 0007
Create Date: 2026-12-02 16:30:00.000000

One new column. Rows frozen before it get an empty text: their workbooks print those details blank.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch copy): the table's append-only triggers stay in place on SQLite.
    op.add_column('list_version_row', sa.Column('details', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('list_version_row', schema=None) as batch_op:
        batch_op.drop_column('details')
