"""job.retries: how many times a job went back on the queue after its worker process died

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-02 20:20:00.000000

Jobs now run in separate worker processes from a queue (emergency.platform.job_queue); a dead worker's job is
queued again up to ``job_retries`` times before it is recorded as interrupted.
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job') as batch_op:
        batch_op.add_column(sa.Column('retries', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('job') as batch_op:
        batch_op.drop_column('retries')
