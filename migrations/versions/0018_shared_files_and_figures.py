"""state any host can read: kept files in the database (stored_file, stored_chunk) and the dashboard's shared
figures with their compute lease (shared_figure)

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-02 17:10:00.000000

The tables are empty until STORAGE_BACKEND=database / FIGURES_BACKEND=database turn them on
(emergency.platform.storage, emergency.dashboard.shared_store). Files already in the local folders stay there
and are read from there while the local backend is configured.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("area IN ('attachments', 'jobs', 'imports')", name=op.f('ck_stored_file_area')),
        sa.CheckConstraint('size >= 0', name=op.f('ck_stored_file_size_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
        sa.UniqueConstraint('area', 'name', name='uq_stored_file_area_name'),
    )
    op.create_table(
        'stored_chunk',
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_stored_chunk_file_id_stored_file'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('file_id', 'seq', name=op.f('pk_stored_chunk')),
    )
    op.create_table(
        'shared_figure',
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('generation', sa.String(length=64), nullable=True),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.Column('lease_holder', sa.String(length=100), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_shared_figure')),
    )


def downgrade():
    op.drop_table('shared_figure')
    op.drop_table('stored_chunk')
    op.drop_table('stored_file')
