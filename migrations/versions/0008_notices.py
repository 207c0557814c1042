"""notices: numbered 通知单 / 告知书 per alert step and county, with the texts they were issued with

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05 10:00:00.000000

Dispatches made before this revision have no notices: their batch page says so (numbers are only ever allocated
when a step is dispatched).
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notice_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dispatch_id', sa.Integer(), nullable=False),
        sa.Column('issuing_body', sa.String(length=100), nullable=False),
        sa.Column('legal_basis', sa.String(length=500), nullable=False),
        sa.Column('consequences', sa.String(length=500), nullable=False),
        sa.Column('contact', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['dispatch_id'], ['dispatch.id'], name=op.f('fk_notice_batch_dispatch_id_dispatch'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_batch')),
        sa.UniqueConstraint('dispatch_id', name=op.f('uq_notice_batch_dispatch_id')),
    )
    op.create_table(
        'notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.CheckConstraint("kind IN ('stop_order', 'notice')", name=op.f('ck_notice_kind')),
        sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_notice_alert_id_alert'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['batch_id'], ['notice_batch.id'], name=op.f('fk_notice_batch_id_notice_batch'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
        sa.UniqueConstraint('alert_id', 'seq', name='uq_notice_alert_seq'),
        sa.UniqueConstraint('batch_id', 'enterprise_id', name='uq_notice_batch_enterprise'),
    )


def downgrade():
    op.drop_table('notice')
    op.drop_table('notice_batch')
