"""green factories (绿色工厂): enterprise.green_factory, and stagger_rule.green_factory as a rule key

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 21:30:00.000000

Every stored firm starts as not a green factory; every stored rule matches either (NULL). The seeded default that
exempts green factories is added by the seed loader, not here.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('green_factory', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('stagger_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('green_factory', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('stagger_rule', schema=None) as batch_op:
        batch_op.drop_column('green_factory')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('green_factory')
