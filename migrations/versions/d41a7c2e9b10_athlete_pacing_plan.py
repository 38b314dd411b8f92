"""an athlete's own pacing plan: elapsed seconds per checkpoint (JSON), beside target_s

Revision ID: d41a7c2e9b10
Revises: c17a0e5b3d21
Create Date: 2026-12-03 18:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d41a7c2e9b10"
down_revision = "c17a0e5b3d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("plan")
