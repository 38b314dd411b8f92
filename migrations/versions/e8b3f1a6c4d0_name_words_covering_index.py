"""search's name-word index carries the athlete: a prefix range is read from the index alone

Revision ID: e8b3f1a6c4d0
Revises: a3f5c9e1d7b2
Create Date: 2026-12-03 19:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8b3f1a6c4d0"
down_revision = "a3f5c9e1d7b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_athlete_name_words_race_word_athlete",
        "athlete_name_words",
        ["race_id", "word", "athlete_id"],
    )
    op.drop_index("ix_athlete_name_words_race_word", table_name="athlete_name_words")


def downgrade():
    op.create_index("ix_athlete_name_words_race_word", "athlete_name_words", ["race_id", "word"])
    op.drop_index("ix_athlete_name_words_race_word_athlete", table_name="athlete_name_words")
