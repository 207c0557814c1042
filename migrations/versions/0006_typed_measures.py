"""typed measures: measure types as data, transport rules, process floors, category reasons, the publishing gate

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00.000000

Vocabularies and the base measure types are spelled out as they were at this revision. Stored measures keep
their meaning: a transport ban written only in the text moves to the new transport column, and texts that name
a typed measure (停产50%以生产线计, 保窑/焖炉, 以热定产) get that type. Published version rows keep what they
said: their labels and counted fractions are filled in from the stored action.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LEVELS = ("yellow", "orange", "red")
TRANSPORTS = ("none", "no_g4", "no_road")
TYPES = [  # code, label, param, fraction, stops_line, order_kind, template, sort_order, provisional, note
    ("stop", "停产", "", 1.0, True, "stop", "", 1, False, "生产线停止生产，按削减100%核算"),
    ("hot_standby", "停产保温（保窑/焖炉）", "", 0.8, True, "stop", "", 2, True,
     "停止投料但保持窑炉温度，按停产削减量的80%核算；暂定比例，待市局核定"),
    ("line_share", "按生产线停产", "pct", 0.0, False, "stop", "停产{value}%（以生产线计）", 3, False,
     "同一工序的生产线中停产的产能（未填产能时按条数）达到该比例"),
    ("limit", "限产", "pct", 0.0, False, "limit", "限产{value}%", 4, False, "限产X%：按削减X%核算"),
    ("coking_time", "延长结焦时间", "hours", 0.0, False, "limit", "延长结焦时间至{value}小时", 5, False,
     "削减比例 = 1 − 正常结焦时间 ÷ N"),
    ("heat_led", "以热定产", "cap", 0.0, False, "capped", "以热定产（负荷不超过{value}%）", 6, False, "削减比例 = 1 − 上限"),
    ("order_led", "以量定产", "cap", 0.0, False, "capped", "以量定产（负荷不超过{value}%）", 7, False, "削减比例 = 1 − 上限"),
    ("other", "其他", "fraction", 0.0, False, "limit", "其他（削减{value}%）", 8, False, "按填报的削减比例核算"),
    ("self", "自主减排", "", 0.0, False, "self", "", 9, False, "A级、引领性企业自主采取减排措施"),
    ("none", "不停限产", "", 0.0, False, "none", "", 10, False, "列入清单但不停产不限产"),
]
LABELS = {code: label for code, label, *_ in TYPES}


def among(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def param_checks():
    return [("limit_pct", "limit_pct BETWEEN 0 AND 100"), ("other_fraction", "other_fraction BETWEEN 0 AND 1"),
            ("hours", "hours BETWEEN 0 AND 240"), ("cap_pct", "cap_pct BETWEEN 0 AND 100"),
            ("transport", among("transport", TRANSPORTS))]


def measure_columns():
    return [sa.Column('hours', sa.Float(), nullable=True), sa.Column('cap_pct', sa.Float(), nullable=True),
            sa.Column('transport', sa.String(length=10), server_default='none', nullable=False)]


SCOPE_KEYS = "(scope = 'graded') = (grade_code IS NOT NULL) AND (scope <> 'graded' OR industry_id IS NOT NULL)"
FLOOR_INDEXES = [
    ("uq_measure_floor_graded", ["industry_id", "grade_code", "level", "process"], "scope = 'graded'"),
    ("uq_measure_floor_industry", ["scope", "industry_id", "level", "process"],
     "scope <> 'graded' AND industry_id IS NOT NULL"),
    ("uq_measure_floor_common", ["scope", "level", "process"], "scope <> 'graded' AND industry_id IS NULL"),
]


def _transport(text):
    if re.search("停止(使用)?公路运输|禁止公路运输|停止道路运输", text or ""):
        return "no_road"
    return "no_g4" if "国四" in (text or "") else "none"


def _typed(action, limit_pct, other_fraction, text):
    """(action, limit_pct, other_fraction, cap_pct) with the type the text names, meaning unchanged."""
    text = text or ""
    share = re.search(r"停产\s*(\d+(?:\.\d+)?)\s*%", text)
    if action == "limit" and share and float(share.group(1)) == limit_pct:
        return "line_share", limit_pct, None, None
    if action == "stop" and re.search("保窑|焖炉|保温", text):
        return "hot_standby", None, None, None
    if action == "other" and other_fraction and re.search("以热定产|以量定产", text):
        kind = "heat_led" if "以热定产" in text else "order_led"
        return kind, None, None, round((1 - other_fraction) * 100, 6)
    if action == "other" and not other_fraction and _transport(text) != "none":
        return "none", None, None, None
    return action, limit_pct, other_fraction, None


def _retype(table):
    """Move transport bans out of the text and give typed texts their type, row by row."""
    bind = op.get_bind()
    t = sa.table(table, sa.column("id"), sa.column("action"), sa.column("limit_pct"), sa.column("other_fraction"),
                 sa.column("cap_pct"), sa.column("transport"), sa.column("text"))
    rows = bind.execute(sa.select(t.c.id, t.c.action, t.c.limit_pct, t.c.other_fraction, t.c.text)).all()
    for row_id, action, pct, fraction, text in rows:
        new_action, new_pct, new_fraction, cap = _typed(action, pct, fraction, text)
        transport = _transport(text)
        if (new_action, new_pct, new_fraction, cap, transport) != (action, pct, fraction, None, "none"):
            bind.execute(t.update().where(t.c.id == row_id).values(
                action=new_action, limit_pct=new_pct, other_fraction=new_fraction, cap_pct=cap, transport=transport))


def _create_reference_tables():
    op.create_table(
        'measure_type',
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=40), nullable=False),
        sa.Column('param', sa.String(length=10), nullable=False),
        sa.Column('fraction', sa.Float(), nullable=False),
        sa.Column('stops_line', sa.Boolean(), nullable=False),
        sa.Column('order_kind', sa.String(length=10), nullable=False),
        sa.Column('template', sa.String(length=60), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.Column('provisional', sa.Boolean(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.CheckConstraint(among("param", ("", "pct", "hours", "cap", "fraction")), name=op.f('ck_measure_type_param')),
        sa.CheckConstraint(among("order_kind", ("stop", "limit", "capped", "self", "none")),
                           name=op.f('ck_measure_type_order_kind')),
        sa.CheckConstraint("fraction BETWEEN 0 AND 1", name=op.f('ck_measure_type_fraction')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_measure_type')),
        sa.UniqueConstraint('label', name=op.f('uq_measure_type_label')),
    )
    columns = ("code", "label", "param", "fraction", "stops_line", "order_kind", "template", "sort_order",
               "provisional", "note")
    op.bulk_insert(sa.table('measure_type', *(sa.column(c) for c in columns)),
                   [dict(zip(columns, row)) for row in TYPES])
    op.create_table(
        'category_reason',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_code', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.String(length=100), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_code'], ['category.code'],
                                name=op.f('fk_category_reason_category_code_category')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_category_reason')),
        sa.UniqueConstraint('category_code', 'reason', name='uq_category_reason_category_reason'),
    )


def _registry_columns():
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_reason', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(op.f('ck_category_industry_scope'), type_='check')
        batch_op.create_check_constraint(op.f('ck_category_industry_scope'),
                                         among("industry_scope", ("key", "nonkey", "any", "livelihood")))
    category = sa.table('category', sa.column('code'), sa.column('needs_reason', sa.Boolean()),
                        sa.column('industry_scope'))
    op.execute(category.update().where(category.c.code.in_(("GUARANTEED", "NON_COMPLIANT"))).values(needs_reason=True))
    op.execute(category.update().where(category.c.code == "LIVELIHOOD").values(industry_scope="livelihood"))
    with op.batch_alter_table('industry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('livelihood_eligible', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    industry = sa.table('industry', sa.column('code'), sa.column('livelihood_eligible', sa.Boolean()))
    op.execute(industry.update().where(industry.c.code.in_(("life_service", "residential_heating")))
               .values(livelihood_eligible=True))
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category_reason', sa.String(length=100), server_default='', nullable=False))
    with op.batch_alter_table('production_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coking_hours', sa.Float(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_production_line_coking_hours'), "coking_hours BETWEEN 0 AND 240")


def _measures():
    with op.batch_alter_table('line_measure', schema=None) as batch_op:
        for column in measure_columns():
            batch_op.add_column(column)
        batch_op.drop_constraint(op.f('ck_line_measure_action'), type_='check')
        batch_op.alter_column('action', existing_type=sa.String(length=10), type_=sa.String(length=20),
                              existing_nullable=False)
    _retype('line_measure')
    with op.batch_alter_table('line_measure', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_line_measure_action_measure_type'), 'measure_type', ['action'], ['code'])
        for name, condition in param_checks()[2:]:
            batch_op.create_check_constraint(op.f(f'ck_line_measure_{name}'), condition)


def _floors():
    with op.batch_alter_table('measure_floor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), server_default='graded', nullable=False))
        batch_op.add_column(sa.Column('process', sa.String(length=60), server_default='', nullable=False))
        for column in measure_columns():
            batch_op.add_column(column)
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('edited_by', sa.String(length=60), server_default='', nullable=False))
        batch_op.drop_constraint('uq_measure_floor_key', type_='unique')
        batch_op.drop_constraint(op.f('ck_measure_floor_action'), type_='check')
        batch_op.alter_column('industry_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('grade_code', existing_type=sa.String(length=20), nullable=True)
        batch_op.alter_column('action', existing_type=sa.String(length=10), type_=sa.String(length=20),
                              existing_nullable=False)
    _retype('measure_floor')
    with op.batch_alter_table('measure_floor', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_measure_floor_action_measure_type'), 'measure_type', ['action'],
                                    ['code'])
        batch_op.create_check_constraint(op.f('ck_measure_floor_scope'),
                                         among("scope", ("graded", "general", "small_micro")))
        batch_op.create_check_constraint(op.f('ck_measure_floor_scope_keys'), SCOPE_KEYS)
        for name, condition in param_checks()[2:]:
            batch_op.create_check_constraint(op.f(f'ck_measure_floor_{name}'), condition)
        for name, columns, condition in FLOOR_INDEXES:
            batch_op.create_index(name, columns, unique=True, sqlite_where=sa.text(condition),
                                  postgresql_where=sa.text(condition))


def _old_verdict(action, limit_pct, other_fraction):
    """A version row's label, order kind and counted fraction as the rules of revision 0005 gave them."""
    if action == "limit":
        return f"限产{limit_pct:g}%", "limit", (limit_pct or 0) / 100
    if action == "other":
        return (f"其他（削减{other_fraction * 100:g}%）" if other_fraction else "其他"), "limit", other_fraction or 0.0
    kinds = {"stop": ("stop", 1.0), "self": ("self", 0.0), "none": ("none", 0.0)}
    kind, cut = kinds.get(action, ("none", 0.0))
    return LABELS.get(action, "未填写"), kind, cut


def _backfill_version_rows():
    """Fill the new verdict columns of published rows, once per distinct stored measure (there are few)."""
    bind = op.get_bind()
    t = sa.table('list_version_row', sa.column('action'), sa.column('limit_pct'), sa.column('other_fraction'),
                 sa.column('label'), sa.column('full_label'), sa.column('order_kind'), sa.column('cut'),
                 sa.column('status'))
    combos = bind.execute(sa.select(t.c.action, t.c.limit_pct, t.c.other_fraction).distinct()).all()
    for action, pct, fraction in combos:
        label, kind, cut = _old_verdict(action, pct, fraction)
        where = [t.c.action.is_(None) if action is None else t.c.action == action,
                 t.c.limit_pct.is_(None) if pct is None else t.c.limit_pct == pct,
                 t.c.other_fraction.is_(None) if fraction is None else t.c.other_fraction == fraction]
        bind.execute(t.update().where(*where).values(label=label, full_label=label, order_kind=kind, cut=cut))
    bind.execute(t.update().where(t.c.status != "ok").values(status="error"))


def _versions():
    with op.batch_alter_table('list_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('errors', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('alert_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.String(length=300), server_default='', nullable=False))
    texts = [('label', 120), ('full_label', 200), ('reason', 300), ('entered_label', 200), ('floor_label', 200),
             ('commitment', 500), ('warnings', 1000)]
    with op.batch_alter_table('list_version_row', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_version_row_action'), type_='check')
        batch_op.drop_constraint(op.f('ck_list_version_row_status'), type_='check')
        batch_op.alter_column('action', existing_type=sa.String(length=10), type_=sa.String(length=20),
                              existing_nullable=True)
        batch_op.alter_column('problem', existing_type=sa.String(length=200), type_=sa.String(length=1000),
                              existing_nullable=False)
        for column in measure_columns():
            batch_op.add_column(column)
        for name, length in texts:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
        batch_op.add_column(sa.Column('order_kind', sa.String(length=10), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('cut', sa.Float(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('imposed', sa.Boolean(), server_default=sa.false(), nullable=False))
    _backfill_version_rows()
    with op.batch_alter_table('list_version_row', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_list_version_row_status'), among("status", ("ok", "warning", "error")))
        batch_op.create_check_constraint(op.f('ck_list_version_row_cut'), "cut BETWEEN 0 AND 1")
        for name, condition in param_checks()[2:]:
            batch_op.create_check_constraint(op.f(f'ck_list_version_row_{name}'), condition)


def upgrade():
    _create_reference_tables()
    _registry_columns()
    _measures()
    _floors()
    _versions()


def downgrade():
    raise NotImplementedError("0006 adds typed measures; restore a backup taken before the upgrade to go back")
