"""staggered production, continued: rules keyed on a category's reason and optimistically locked, 错峰生产告知书
(stagger_notice), and published versions that freeze what staggering removed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 20:10:00.000000

Versions published before carry no staggered amounts (0 and "").
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

POLLUTANTS = ('so2', 'nox', 'pm', 'vocs')


def upgrade():
    with op.batch_alter_table('stagger_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category_reason', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint('reason_needs_category', "category_reason = '' OR category_code IS NOT NULL")
    with op.batch_alter_table('list_version_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staggered', sa.Float(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('stagger_label', sa.String(length=40), server_default='', nullable=False))
        for pollutant in POLLUTANTS:
            batch_op.add_column(sa.Column(f'{pollutant}_staggered_t_d', sa.Float(), server_default='0',
                                          nullable=False))
    op.create_table(
        'stagger_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('season_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by', sa.String(length=120), nullable=False),
        sa.Column('issuing_body', sa.String(length=100), nullable=False),
        sa.Column('legal_basis', sa.String(length=500), nullable=False),
        sa.Column('contact', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['season_id'], ['season.id'], name=op.f('fk_stagger_notice_season_id_season'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stagger_notice')),
        sa.UniqueConstraint('season_id', 'enterprise_id', name='uq_stagger_notice_season_enterprise'),
        sa.UniqueConstraint('season_id', 'seq', name='uq_stagger_notice_season_seq'),
    )
    with op.batch_alter_table('stagger_notice', schema=None) as batch_op:
        batch_op.create_index('ix_stagger_notice_season_county', ['season_id', 'county_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stagger_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_stagger_notice_season_county')
    op.drop_table('stagger_notice')
    with op.batch_alter_table('list_version_row', schema=None) as batch_op:
        for pollutant in reversed(POLLUTANTS):
            batch_op.drop_column(f'{pollutant}_staggered_t_d')
        batch_op.drop_column('stagger_label')
        batch_op.drop_column('staggered')
    with op.batch_alter_table('stagger_rule', schema=None) as batch_op:
        batch_op.drop_constraint('reason_needs_category', type_='check')
        batch_op.drop_column('version')
        batch_op.drop_column('category_reason')
