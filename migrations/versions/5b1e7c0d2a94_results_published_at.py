"""a race's results published (finish times official from then on); approximate splits;
a race's pace tolerance

Revision ID: 5b1e7c0d2a94
Revises: 9022f3a9ac35
Create Date: 2026-12-03 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c0d2a94'
down_revision = '9022f3a9ac35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('races', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('pace_tolerance_s_per_km', sa.Double(), server_default='1.0', nullable=False))
    with op.batch_alter_table('splits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approximate', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('races', schema=None) as batch_op:
        batch_op.drop_column('pace_tolerance_s_per_km')
    with op.batch_alter_table('splits', schema=None) as batch_op:
        batch_op.drop_column('approximate')
    with op.batch_alter_table('races', schema=None) as batch_op:
        batch_op.drop_column('results_published_at')
