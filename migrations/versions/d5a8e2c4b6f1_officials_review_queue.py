"""officials' review: a split's flag and an official's confirmation, confirm revisions,
unknown chips kept for review, a mat's reads by time, hand-entered splits by race, and
an athlete's splits (voided ones too) by athlete

Revision ID: d5a8e2c4b6f1
Revises: d5a9c3e17b42
Create Date: 2026-12-03 18:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5a8e2c4b6f1"
down_revision = "d5a9c3e17b42"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = "action in ('enter', 'correct', 'void', 'revert', 'gun_shift')"
ACTIONS_AFTER = "action in ('enter', 'correct', 'void', 'revert', 'gun_shift', 'confirm')"
FLAGGED = "flag IS NOT NULL AND voided_at IS NULL"
BY_HAND = "source <> 'mat' AND voided_at IS NULL"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("split_revisions") as batch:
        batch.drop_constraint(op.f("ck_split_revisions_action_known"), type_="check")
        batch.create_check_constraint("action_known", condition)


def upgrade():
    _replace_check(ACTIONS_AFTER)
    with op.batch_alter_table("splits") as batch:
        batch.add_column(sa.Column("flag", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("confirmed_ms", sa.Integer(), nullable=True))
    op.create_index(
        "ix_splits_flagged",
        "splits",
        ["race_id"],
        sqlite_where=sa.text(FLAGGED),
        postgresql_where=sa.text(FLAGGED),
    )
    op.create_index("ix_splits_athlete", "splits", ["athlete_id"])
    op.create_index(
        "ix_splits_by_hand",
        "splits",
        ["race_id"],
        sqlite_where=sa.text(BY_HAND),
        postgresql_where=sa.text(BY_HAND),
    )
    op.create_index(
        "ix_raw_reads_race_checkpoint_read", "raw_reads", ["race_id", "checkpoint", "read_at"]
    )
    op.create_table(
        "unknown_chips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("chip", sa.String(length=64), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("first_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checkpoint", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["race_id"],
            ["races.id"],
            name=op.f("fk_unknown_chips_race_id_races"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unknown_chips")),
        sa.UniqueConstraint("race_id", "chip", name=op.f("uq_unknown_chips_race_id_chip")),
    )
    # Chips already read that no athlete wears join the queue.
    op.execute(
        "INSERT INTO unknown_chips (race_id, chip, reads, first_read_at, last_read_at,"
        " last_checkpoint) SELECT r.race_id, r.chip, COUNT(*), MIN(r.read_at), MAX(r.read_at),"
        " MAX(r.checkpoint) FROM raw_reads r WHERE NOT EXISTS (SELECT 1 FROM chips c"
        " WHERE c.race_id = r.race_id AND c.code = r.chip) GROUP BY r.race_id, r.chip"
    )


def downgrade():
    op.drop_table("unknown_chips")
    op.drop_index("ix_raw_reads_race_checkpoint_read", table_name="raw_reads")
    op.drop_index("ix_splits_by_hand", table_name="splits")
    op.drop_index("ix_splits_athlete", table_name="splits")
    op.drop_index("ix_splits_flagged", table_name="splits")
    with op.batch_alter_table("splits") as batch:
        batch.drop_column("confirmed_ms")
        batch.drop_column("flag")
    op.execute("DELETE FROM split_revisions WHERE action = 'confirm'")
    _replace_check(ACTIONS_BEFORE)
