"""pacer groups, their rotation plan, and the log of groups going in and out

Revision ID: d5a9c3e17b42
Revises: d41a7c2e9b10
Create Date: 2026-12-03 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5a9c3e17b42"
down_revision = "d41a7c2e9b10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pacer_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["race_id"], ["races.id"], name=op.f("fk_pacer_groups_race_id_races"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacer_groups")),
        sa.UniqueConstraint("race_id", "code", name=op.f("uq_pacer_groups_race_id_code")),
    )
    op.create_index(op.f("ix_pacer_groups_race_id"), "pacer_groups", ["race_id"])
    op.create_table(
        "pacer_stints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("in_m", sa.Double(), nullable=False),
        sa.Column("out_m", sa.Double(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("in_m >= 0", name=op.f("ck_pacer_stints_in_not_negative")),
        sa.CheckConstraint("out_m > in_m", name=op.f("ck_pacer_stints_out_after_in")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["pacer_groups.id"], name=op.f("fk_pacer_stints_group_id_pacer_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacer_stints")),
    )
    op.create_index(op.f("ix_pacer_stints_group_id"), "pacer_stints", ["group_id"])
    op.create_table(
        "pacer_rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=3), nullable=False),
        sa.Column("distance_m", sa.Double(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action in ('in', 'out')", name=op.f("ck_pacer_rotations_action_known")),
        sa.CheckConstraint(
            "source in ('official', 'chip', 'split')", name=op.f("ck_pacer_rotations_source_known")
        ),
        sa.CheckConstraint(
            "distance_m >= 0", name=op.f("ck_pacer_rotations_distance_not_negative")
        ),
        sa.CheckConstraint("elapsed_ms >= 0", name=op.f("ck_pacer_rotations_elapsed_not_negative")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["pacer_groups.id"],
            name=op.f("fk_pacer_rotations_group_id_pacer_groups"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["race_id"], ["races.id"], name=op.f("fk_pacer_rotations_race_id_races"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacer_rotations")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_pacer_rotations_idempotency_key")),
    )
    op.create_index(op.f("ix_pacer_rotations_race_id"), "pacer_rotations", ["race_id"])
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(sa.Column("pacer_group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_athletes_pacer_group_id_pacer_groups"), "pacer_groups",
            ["pacer_group_id"], ["id"], ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("athletes") as batch:
        batch.drop_constraint(op.f("fk_athletes_pacer_group_id_pacer_groups"), type_="foreignkey")
        batch.drop_column("pacer_group_id")
    op.drop_index(op.f("ix_pacer_rotations_race_id"), table_name="pacer_rotations")
    op.drop_table("pacer_rotations")
    op.drop_index(op.f("ix_pacer_stints_group_id"), table_name="pacer_stints")
    op.drop_table("pacer_stints")
    op.drop_index(op.f("ix_pacer_groups_race_id"), table_name="pacer_groups")
    op.drop_table("pacer_groups")
