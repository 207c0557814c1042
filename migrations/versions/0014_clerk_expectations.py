"""what a clerk expects: enterprises sort by the pinyin of their names; users' names, units and phones; a
dispatch's first download by its county

Revision ID: 0014
Revises: 0007
Create Date: 2026-12-02 16:00:00.000000

``enterprise.name_sort`` holds the name's pinyin (models.enterprise.pinyin_key), filled here for the enterprises
already stored and kept up to date on every write by the model. Users get 姓名, 单位 and 电话 (blank for the
accounts that exist: an admin fills them in). A dispatch records when its county first downloaded it; dispatches
already signed for count as downloaded at their receipt.
"""
import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin

revision = '0014'
down_revision = '0011'
branch_labels = None
depends_on = None

SORT_KEY_LENGTH = 400


def _key(name):
    # The model's pinyin_key as of this revision, copied so that later changes to the model do not alter history.
    syllables = lazy_pinyin(name or "", style=Style.NORMAL, errors="default")
    return " ".join(s.strip().lower() for s in syllables if s.strip())[:SORT_KEY_LENGTH]


def upgrade():
    op.add_column('enterprise', sa.Column('name_sort', sa.String(length=SORT_KEY_LENGTH), server_default='',
                                          nullable=False))
    op.create_index(op.f('ix_enterprise_name_sort'), 'enterprise', ['name_sort'], unique=False)
    conn = op.get_bind()
    enterprise = sa.table('enterprise', sa.column('id', sa.Integer), sa.column('name', sa.String),
                          sa.column('name_sort', sa.String))
    rows = conn.execute(sa.select(enterprise.c.id, enterprise.c.name)).all()
    if rows:
        conn.execute(enterprise.update().where(enterprise.c.id == sa.bindparam('key_id'))
                     .values(name_sort=sa.bindparam('key')), [{'key_id': i, 'key': _key(n)} for i, n in rows])
    for column, length in (('real_name', 40), ('unit', 100), ('phone', 40)):
        op.add_column('user', sa.Column(column, sa.String(length=length), server_default='', nullable=False))
    op.add_column('dispatch', sa.Column('downloaded_at', sa.DateTime(), nullable=True))
    op.add_column('dispatch', sa.Column('downloaded_by', sa.String(length=60), server_default='', nullable=False))
    op.execute("UPDATE dispatch SET downloaded_at = received_at, downloaded_by = received_by "
               "WHERE received_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.drop_column('downloaded_by')
        batch_op.drop_column('downloaded_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('unit')
        batch_op.drop_column('real_name')
    op.drop_index(op.f('ix_enterprise_name_sort'), table_name='enterprise')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('name_sort')
