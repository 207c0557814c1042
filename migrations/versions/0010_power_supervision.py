"""power supervision: electricity accounts and daily readings, inspections with photos and downgrade
proposals, the positive list

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 15:46:06.851935

New tables only; nothing else changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('positive_list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('added_by', sa.String(length=60), nullable=False),
    sa.CheckConstraint('expires_on >= added_on', name=op.f('ck_positive_list_entry_dates')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_positive_list_entry_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_positive_list_entry')),
    sa.UniqueConstraint('enterprise_id', name=op.f('uq_positive_list_entry_enterprise_id'))
    )
    op.create_table('power_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_power_account_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['production_line.id'], name=op.f('fk_power_account_line_id_production_line'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_account')),
    sa.UniqueConstraint('number', name=op.f('uq_power_account_number'))
    )
    with op.batch_alter_table('power_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_power_account_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('power_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kwh', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.CheckConstraint("source IN ('import', 'demo')", name=op.f('ck_power_reading_source')),
    sa.CheckConstraint('kwh >= 0', name=op.f('ck_power_reading_kwh')),
    sa.ForeignKeyConstraint(['account_id'], ['power_account.id'], name=op.f('fk_power_reading_account_id_power_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_reading')),
    sa.UniqueConstraint('account_id', 'day', name='uq_power_reading_account_day')
    )
    with op.batch_alter_table('power_reading', schema=None) as batch_op:
        batch_op.create_index('ix_power_reading_day', ['day'], unique=False)

    op.create_table('inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(), nullable=False),
    sa.Column('inspectors', sa.String(length=200), nullable=False),
    sa.Column('finding', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('proposal', sa.String(length=10), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=60), nullable=False),
    sa.Column('history_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("finding IN ('implemented', 'not_implemented', 'rectifying')", name=op.f('ck_inspection_finding')),
    sa.CheckConstraint("proposal IN ('open', 'approved', 'rejected')", name=op.f('ck_inspection_proposal')),
    sa.CheckConstraint("proposal IS NULL OR finding = 'not_implemented'", name=op.f('ck_inspection_proposal_finding')),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_inspection_alert_id_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspection_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_inspection_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['history_id'], ['grade_history.id'], name=op.f('fk_inspection_history_id_grade_history'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('inspection_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_photo_inspection_id_inspection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_photo')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_inspection_photo_stored_name'))
    )
    with op.batch_alter_table('inspection_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_photo_inspection_id'), ['inspection_id'], unique=False)



def downgrade():
    with op.batch_alter_table('inspection_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_photo_inspection_id'))

    op.drop_table('inspection_photo')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_alert_id'))

    op.drop_table('inspection')
    with op.batch_alter_table('power_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_power_reading_day')

    op.drop_table('power_reading')
    with op.batch_alter_table('power_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_power_account_enterprise_id'))

    op.drop_table('power_account')
    op.drop_table('positive_list_entry')
