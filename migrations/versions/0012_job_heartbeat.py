"""job heartbeat: the worker running a job, its heartbeat, the "interrupted" status (a longer status column)
and import preview jobs

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-02 16:00:00.000000

Jobs left "queued" or "running" by a process that died are closed as interrupted, as the app itself would at
its next start.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0013'
branch_labels = None
depends_on = None

KINDS = ("export_list", "export_counties", "export_registry", "export_version", "import")
STATUSES = ("queued", "running", "done", "failed")


def among(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _checks(kinds, statuses):
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_job_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_job_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_job_kind'), among("kind", kinds))
        batch_op.create_check_constraint(op.f('ck_job_status'), among("status", statuses))


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('status', existing_type=sa.String(length=10), type_=sa.String(length=20),
                              existing_nullable=False)
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.alter_column('worker', server_default=None)
    _checks(KINDS + ("import_preview",), STATUSES + ("interrupted",))
    op.execute("UPDATE job SET status = 'interrupted', message = '任务已中断（服务器已重启），请重新发起。' "
               "WHERE status IN ('queued', 'running')")


def downgrade():
    op.execute("UPDATE job SET status = 'failed' WHERE status = 'interrupted'")
    op.execute("DELETE FROM job WHERE kind = 'import_preview'")
    _checks(KINDS, STATUSES)
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=10),
                              existing_nullable=False)
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker')
