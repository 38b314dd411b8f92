"""The schema comes from migrations alone, and commits are durable before they are answered."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event

from conftest import count_rows
from tracker.db import SQLITE_BUSY_TIMEOUT_MS, begin_write, db
from tracker.domain.refusals import Refusal
from tracker.models import Race
from tracker.transactions import WRITE_ATTEMPTS, write


def test_upgrade_head_on_an_empty_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_with_full_sync_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        assert db.session.execute(db.text("SHOW synchronous_commit")).scalar() == "on"
        return
    pragma = lambda name: db.session.execute(db.text(f"PRAGMA {name}")).scalar()  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") >= SQLITE_BUSY_TIMEOUT_MS
    assert pragma("foreign_keys") == 1


def test_a_write_transaction_on_sqlite_begins_immediate(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL locks rows as it writes")
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.rollback()
        begin_write(db.session)
        db.session.execute(db.text("SELECT 1"))
        db.session.rollback()
        db.session.execute(db.text("SELECT 1"))
        db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN"]


def test_a_write_that_collides_on_a_unique_key_every_time_is_refused_not_a_500(app, vienna_race):
    # Overlapping retried batches (a bridge re-sending while its first attempt still waits on
    # the database) can collide on one key after another; each collision is decided again,
    # and one that keeps colliding is a 503 to send again, never an unhandled error.
    attempts = []

    def change():
        attempts.append(1)
        # A race under a slug that is taken, as another request would have stored it.
        db.session.add(Race(slug="vienna", name="Vienna again", distance_m=42195.0))
        db.session.flush()

    with pytest.raises(Refusal) as refused:
        write(change)
    assert refused.value.code == "write_conflict"
    assert len(attempts) == WRITE_ATTEMPTS > 2
    assert count_rows("races") == 1
