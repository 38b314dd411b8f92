"""pacing plans an official uploads, shown as ghosts

Revision ID: a3f5c9e1d7b2
Revises: c17a0e5b3d21
Create Date: 2026-12-03 18:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3f5c9e1d7b2"
down_revision = "c17a0e5b3d21"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pacing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("finish_s", sa.Double(), nullable=False),
        sa.Column("splits", sa.JSON(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("finish_s > 0", name=op.f("ck_pacing_plans_finish_positive")),
        sa.ForeignKeyConstraint(
            ["race_id"],
            ["races.id"],
            name=op.f("fk_pacing_plans_race_id_races"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacing_plans")),
        sa.UniqueConstraint("race_id", "key", name=op.f("uq_pacing_plans_race_id_key")),
    )
    op.create_index(op.f("ix_pacing_plans_race_id"), "pacing_plans", ["race_id"])


def downgrade():
    op.drop_index(op.f("ix_pacing_plans_race_id"), table_name="pacing_plans")
    op.drop_table("pacing_plans")
