"""enterprise output value: 年产值 (万元), optional, for the target solver's lost-production objective

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-02 16:00:00.000000

One nullable column with a non-negative CHECK; nothing else changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('output_value', sa.Float(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_enterprise_output_value'), 'output_value >= 0')


def downgrade():
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_enterprise_output_value'), type_='check')
        batch_op.drop_column('output_value')
