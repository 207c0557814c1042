"""the baseline as data: seasons, the whole-society baseline per source type, non-industrial reductions; the
registry fields a provincial list needs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:00:00.000000

Baselines stored before this revision were one whole-society figure per county and pollutant, with no season
and no split by source type. They are kept, numbers unchanged, as the source type 其他 ("other") of a season
created for them: the autumn-winter season (1 October – 31 March) in which the upgrade runs, or the last one
before it. The accounting's baseline is the sum over source types, so every target share stays as it was.
Their free-text ``source`` column goes; its distinct values are kept in that season's note.
"""
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0009'
branch_labels = None
depends_on = None

LEVELS = ("yellow", "orange", "red")
POLLUTANTS = ("so2", "nox", "pm", "vocs")
SOURCE_TYPES = ("industrial", "dust", "mobile", "other")
MIGRATED_TYPE = "other"
NOTE_MAX = 300


def among(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _season_table():
    op.create_table(
        'season',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_season_dates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_season')),
        sa.UniqueConstraint('name', name=op.f('uq_season_name')),
    )


def _migrated_season(sources):
    """Insert the season that the baselines stored so far belong to; return its id."""
    today = (datetime.now(UTC) + timedelta(hours=8)).date()      # Beijing date
    first = today.year if today.month >= 10 else today.year - 1
    note = "由升级（0007）创建：此前录入的全社会排放量未区分季节和源类型，按“其他”源类型保存，合计不变"
    if sources:
        note += "。原数据来源：" + "；".join(sources)
    season = sa.table('season', sa.column('id'), sa.column('name'), sa.column('starts_on'), sa.column('ends_on'),
                      sa.column('note'))
    op.execute(season.insert().values(name=f"{first}–{first + 1}年秋冬季", starts_on=date(first, 10, 1),
                                      ends_on=date(first + 1, 3, 31), note=note[:NOTE_MAX]))
    return op.get_bind().execute(sa.select(season.c.id)).scalar()


def _baselines():
    with op.batch_alter_table('whole_society_emission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('season_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_type', sa.String(length=12), server_default=MIGRATED_TYPE,
                                      nullable=False))
    bind = op.get_bind()
    table = sa.table('whole_society_emission', sa.column('season_id'), sa.column('source'))
    if bind.execute(sa.select(sa.func.count()).select_from(table)).scalar():
        sources = [s for (s,) in bind.execute(sa.select(table.c.source).distinct().order_by(table.c.source)) if s]
        op.execute(table.update().values(season_id=_migrated_season(sources)))
    with op.batch_alter_table('whole_society_emission', schema=None) as batch_op:
        batch_op.alter_column('season_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('source_type', existing_type=sa.String(length=12), server_default=None)
        batch_op.drop_constraint('uq_whole_society_emission_county_pollutant', type_='unique')
        batch_op.create_unique_constraint('uq_whole_society_emission_key',
                                          ['season_id', 'county_id', 'source_type', 'pollutant'])
        batch_op.create_foreign_key(op.f('fk_whole_society_emission_season_id_season'), 'season', ['season_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_index(op.f('ix_whole_society_emission_season_id'), ['season_id'], unique=False)
        batch_op.create_check_constraint(op.f('ck_whole_society_emission_source_type'),
                                         among("source_type", SOURCE_TYPES))
        batch_op.drop_column('source')


def _non_industrial():
    op.create_table(
        'non_industrial_reduction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('season_id', sa.Integer(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('source_type', sa.String(length=12), nullable=False),
        sa.Column('pollutant', sa.String(length=10), nullable=False),
        sa.Column('reduction_t_per_day', sa.Float(), nullable=False),
        sa.CheckConstraint(among("level", LEVELS), name=op.f('ck_non_industrial_reduction_level')),
        sa.CheckConstraint(among("source_type", SOURCE_TYPES[1:]), name=op.f('ck_non_industrial_reduction_source_type')),
        sa.CheckConstraint(among("pollutant", POLLUTANTS), name=op.f('ck_non_industrial_reduction_pollutant')),
        sa.CheckConstraint('reduction_t_per_day >= 0', name=op.f('ck_non_industrial_reduction_reduction_t_per_day')),
        sa.ForeignKeyConstraint(['county_id'], ['county.id'], name=op.f('fk_non_industrial_reduction_county_id_county')),
        sa.ForeignKeyConstraint(['season_id'], ['season.id'], name=op.f('fk_non_industrial_reduction_season_id_season'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_non_industrial_reduction')),
        sa.UniqueConstraint('season_id', 'county_id', 'level', 'source_type', 'pollutant',
                            name='uq_non_industrial_reduction_key'),
    )
    with op.batch_alter_table('non_industrial_reduction', schema=None) as batch_op:
        batch_op.create_index(op.f('ix_non_industrial_reduction_season_id'), ['season_id'], unique=False)


def _registry_fields():
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('permit_number', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('transport_mode', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('heavy_trucks_per_day', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('access_control', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(op.f('ck_enterprise_longitude'), 'longitude BETWEEN 73 AND 136')
        batch_op.create_check_constraint(op.f('ck_enterprise_latitude'), 'latitude BETWEEN 3 AND 54')
        batch_op.create_check_constraint(op.f('ck_enterprise_heavy_trucks_per_day'), 'heavy_trucks_per_day >= 0')
    with op.batch_alter_table('production_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('main_products', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('output', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('output_unit', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('treatment_facilities', sa.String(length=300), server_default='',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_production_line_output'), 'output >= 0')


def upgrade():
    _season_table()
    _baselines()
    _non_industrial()
    _registry_fields()


def downgrade():
    raise NotImplementedError("0007 splits the baseline by season and source type; restore a backup taken before "
                              "the upgrade to go back")
