"""an official may revert a correction or void: split revisions of action revert

Revision ID: a1f3c9d2e7b4
Revises: 6123fa0704fd
Create Date: 2026-11-30 08:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "a1f3c9d2e7b4"
down_revision = "6123fa0704fd"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = "action in ('enter', 'correct', 'void')"
ACTIONS_AFTER = "action in ('enter', 'correct', 'void', 'revert')"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("split_revisions") as batch:
        batch.drop_constraint(op.f("ck_split_revisions_action_known"), type_="check")
        batch.create_check_constraint("action_known", condition)


def upgrade():
    _replace_check(ACTIONS_AFTER)


def downgrade():
    op.execute("DELETE FROM split_revisions WHERE action = 'revert'")
    _replace_check(ACTIONS_BEFORE)
