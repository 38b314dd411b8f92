"""a rotation a pacer's split put in follows that split: moved by a correction, withdrawn by a void

Revision ID: c4e8a2f6d913
Revises: b7d2e4f9a1c3
Create Date: 2026-12-03 22:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e8a2f6d913"
down_revision = "b7d2e4f9a1c3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pacer_rotations") as batch:
        batch.add_column(sa.Column("split_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_pacer_rotations_split_id_splits"),
            "splits",
            ["split_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_pacer_rotations_split_id"), ["split_id"])


def downgrade():
    with op.batch_alter_table("pacer_rotations") as batch:
        batch.drop_index(op.f("ix_pacer_rotations_split_id"))
        batch.drop_constraint(op.f("fk_pacer_rotations_split_id_splits"), type_="foreignkey")
        batch.drop_column("withdrawn_at")
        batch.drop_column("split_id")
