"""read-key conflicts are resolved by an official: scored as a read of its own, or dismissed

Revision ID: b7d2e4f9a1c3
Revises: e8b3f1a6c4d0
Create Date: 2026-12-03 21:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d2e4f9a1c3"
down_revision = "e8b3f1a6c4d0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("read_conflicts") as batch:
        batch.add_column(sa.Column("resolution", sa.String(8), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(
            op.f("ck_read_conflicts_resolution_known"), "resolution is null or resolution in ('accept', 'dismiss')"
        )


def downgrade():
    with op.batch_alter_table("read_conflicts") as batch:
        batch.drop_constraint(op.f("ck_read_conflicts_resolution_known"), type_="check")
        batch.drop_column("resolved_at")
        batch.drop_column("resolved_by")
        batch.drop_column("resolution")
