"""staggered production (错峰生产): per-season rules putting firms under a seasonal regime

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 17:00:00.000000

Rules without a season are defaults for every season; the defaults are seeded from seed/data/stagger_rules.csv.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stagger_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=True),
    sa.Column('industry_id', sa.Integer(), nullable=True),
    sa.Column('process', sa.String(length=60), nullable=False),
    sa.Column('grade_code', sa.String(length=20), nullable=True),
    sa.Column('category_code', sa.String(length=20), nullable=True),
    sa.Column('regime', sa.String(length=20), nullable=False),
    sa.Column('limit_pct', sa.Float(), nullable=True),
    sa.Column('stop_days', sa.String(length=100), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.CheckConstraint("regime IN ('season_stop', 'limit', 'days', 'exempt')", name=op.f('ck_stagger_rule_regime')),
    sa.CheckConstraint('limit_pct BETWEEN 0 AND 100', name=op.f('ck_stagger_rule_limit_pct')),
    sa.CheckConstraint("regime <> 'limit' OR limit_pct IS NOT NULL", name=op.f('ck_stagger_rule_limit_needs_pct')),
    sa.CheckConstraint("regime <> 'days' OR stop_days <> ''", name=op.f('ck_stagger_rule_days_need_days')),
    sa.CheckConstraint('grade_code IS NULL OR category_code IS NULL',
                       name=op.f('ck_stagger_rule_grade_or_category')),
    sa.ForeignKeyConstraint(['category_code'], ['category.code'],
                            name=op.f('fk_stagger_rule_category_code_category')),
    sa.ForeignKeyConstraint(['grade_code'], ['grade.code'], name=op.f('fk_stagger_rule_grade_code_grade')),
    sa.ForeignKeyConstraint(['industry_id'], ['industry.id'], name=op.f('fk_stagger_rule_industry_id_industry')),
    sa.ForeignKeyConstraint(['season_id'], ['season.id'], name=op.f('fk_stagger_rule_season_id_season'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stagger_rule'))
    )
    with op.batch_alter_table('stagger_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stagger_rule_season_id'), ['season_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stagger_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stagger_rule_season_id'))
    op.drop_table('stagger_rule')
