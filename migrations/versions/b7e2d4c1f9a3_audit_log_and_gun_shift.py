"""the audit log (append-only), and split revisions for a corrected gun

Revision ID: b7e2d4c1f9a3
Revises: a1f3c9d2e7b4
Create Date: 2026-11-30 08:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2d4c1f9a3"
down_revision = "a1f3c9d2e7b4"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = "action in ('enter', 'correct', 'void', 'revert')"
ACTIONS_AFTER = "action in ('enter', 'correct', 'void', 'revert', 'gun_shift')"

# The database itself refuses to change or remove an audit entry.
POSTGRES_GUARD = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""
SQLITE_GUARDS = [
    f"""CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"""
    for verb in ("UPDATE", "DELETE")
]


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("split_revisions") as batch:
        batch.drop_constraint(op.f("ck_split_revisions_action_known"), type_="check")
        batch.create_check_constraint("action_known", condition)


def upgrade():
    _replace_check(ACTIONS_AFTER)
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("origin", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("race_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["race_id"],
            ["races.id"],
            name=op.f("fk_audit_entries_race_id_races"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_race_id_id", "audit_entries", ["race_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_GUARD)
    else:
        for guard in SQLITE_GUARDS:
            op.execute(guard)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_index("ix_audit_entries_race_id_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.execute("DELETE FROM split_revisions WHERE action = 'gun_shift'")
    _replace_check(ACTIONS_BEFORE)
