"""pacing plans an official uploads, shown as ghosts

Revision ID: a3f5c9e1d7b2
Revises: d5a8e2c4b6f1
Create Date: 2026-12-03 18:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3f5c9e1d7b2"
down_revision = "d5a8e2c4b6f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ghost_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("finish_s", sa.Double(), nullable=False),
        sa.Column("splits", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("finish_s > 0", name=op.f("ck_ghost_plans_finish_positive")),
        sa.ForeignKeyConstraint(
            ["race_id"],
            ["races.id"],
            name=op.f("fk_ghost_plans_race_id_races"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ghost_plans")),
        sa.UniqueConstraint("race_id", "key", name=op.f("uq_ghost_plans_race_id_key")),
    )
    op.create_index(op.f("ix_ghost_plans_race_id"), "ghost_plans", ["race_id"])


def downgrade():
    op.drop_index(op.f("ix_ghost_plans_race_id"), table_name="ghost_plans")
    op.drop_table("ghost_plans")
