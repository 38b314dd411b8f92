"""a city marathon: athlete status, gender, age and category, personal targets, places by
chip time at every checkpoint, name search, start waves with their own guns, laps of a
loop course (checkpoints sharing a mat)

Revision ID: c17a0e5b3d21
Revises: 5b1e7c0d2a94
Create Date: 2026-12-03 15:00:00

"""
import sqlalchemy as sa
from alembic import op

from tracker.domain.names import name_words

# revision identifiers, used by Alembic.
revision = "c17a0e5b3d21"
down_revision = "5b1e7c0d2a94"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkpoints") as batch:
        batch.add_column(sa.Column("mat", sa.String(length=32), nullable=True))
    with op.batch_alter_table("races") as batch:
        batch.add_column(sa.Column("age_groups", sa.JSON(), nullable=True))
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("gun_time", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["race_id"], ["races.id"], name=op.f("fk_waves_race_id_races"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waves")),
        sa.UniqueConstraint("race_id", "code", name=op.f("uq_waves_race_id_code")),
    )
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(sa.Column("wave_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("gun_offset_ms", sa.Integer(), server_default="0", nullable=False)
        )
        batch.create_foreign_key(
            op.f("fk_athletes_wave_id_waves"), "waves", ["wave_id"], ["id"], ondelete="SET NULL"
        )
        batch.add_column(sa.Column("status", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
        batch.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("category", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("target_s", sa.Double(), nullable=True))
        batch.create_check_constraint("status_known", "status in ('dns', 'dnf', 'dq')")
        batch.create_check_constraint("gender_known", "gender in ('M', 'F', 'X')")
        batch.create_check_constraint("target_positive", "target_s > 0")
    with op.batch_alter_table("splits") as batch:
        batch.add_column(sa.Column("place_ms", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
        batch.add_column(sa.Column("category", sa.String(length=16), nullable=True))
        batch.create_index("ix_splits_place_overall", ["checkpoint_id", "place_ms"])
        batch.create_index("ix_splits_place_gender", ["checkpoint_id", "gender", "place_ms"])
        batch.create_index(
            "ix_splits_place_category", ["checkpoint_id", "category", "place_ms"]
        )
    # Every live split ranks by its chip time (no athlete has a status or category yet).
    op.execute(
        "UPDATE splits SET place_ms = elapsed_ms - COALESCE((SELECT chip_start_ms FROM"
        " athletes WHERE athletes.id = splits.athlete_id), 0) WHERE voided_at IS NULL"
    )
    words = op.create_table(
        "athlete_name_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_athlete_name_words_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["race_id"],
            ["races.id"],
            name=op.f("fk_athlete_name_words_race_id_races"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athlete_name_words")),
    )
    op.create_index(
        op.f("ix_athlete_name_words_athlete_id"), "athlete_name_words", ["athlete_id"]
    )
    op.create_index("ix_athlete_name_words_race_word", "athlete_name_words", ["race_id", "word"])
    athletes = op.get_bind().execute(sa.text("SELECT id, race_id, name FROM athletes"))
    rows = [
        {"race_id": race_id, "athlete_id": athlete_id, "word": word[:100]}
        for athlete_id, race_id, name in athletes
        for word in dict.fromkeys(name_words(name))
    ]
    if rows:
        op.bulk_insert(words, rows)


def downgrade():
    op.drop_index("ix_athlete_name_words_race_word", table_name="athlete_name_words")
    op.drop_index(op.f("ix_athlete_name_words_athlete_id"), table_name="athlete_name_words")
    op.drop_table("athlete_name_words")
    with op.batch_alter_table("splits") as batch:
        batch.drop_index("ix_splits_place_category")
        batch.drop_index("ix_splits_place_gender")
        batch.drop_index("ix_splits_place_overall")
        batch.drop_column("category")
        batch.drop_column("gender")
        batch.drop_column("place_ms")
    with op.batch_alter_table("athletes") as batch:
        batch.drop_constraint(op.f("ck_athletes_target_positive"), type_="check")
        batch.drop_constraint(op.f("ck_athletes_gender_known"), type_="check")
        batch.drop_constraint(op.f("ck_athletes_status_known"), type_="check")
        batch.drop_column("target_s")
        batch.drop_column("category")
        batch.drop_column("birth_year")
        batch.drop_column("gender")
        batch.drop_column("status_reason")
        batch.drop_column("status")
        batch.drop_constraint(op.f("fk_athletes_wave_id_waves"), type_="foreignkey")
        batch.drop_column("gun_offset_ms")
        batch.drop_column("wave_id")
    op.drop_table("waves")
    with op.batch_alter_table("checkpoints") as batch:
        batch.drop_column("mat")
    with op.batch_alter_table("races") as batch:
        batch.drop_column("age_groups")
