"""On PostgreSQL a request and its retry can run side by side; the second must find the
first's split however their statements interleave (SQLite never runs two writes at once)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import event

from racekit import after_gun
from tracker.db import db
from tracker.domain.race_clock import SplitTime
from tracker.services import races
from tracker.services.split_requests import record_split
from tracker.services.splits import splits_with_history
from tracker.transactions import write


def _enter(split_id: uuid.UUID):
    race = races.find_race(db.session, "vienna")
    return record_split(
        db.session,
        race,
        bib="1",
        checkpoint_code="5K",
        given=SplitTime(time=after_gun(850)),
        source="manual",
        entered_by="official-ana",
        now=after_gun(3600),
        client_id=split_id,
    )


def test_a_retry_whose_twin_commits_after_its_key_lookup_is_a_repeat_not_a_conflict(
    app, database_url, vienna_race
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite's writes begin with BEGIN IMMEDIATE and never overlap")
    split_id = uuid.uuid4()
    retry_thread = threading.get_ident()
    twin_done = threading.Event()

    def twin():
        with app.app_context():
            write(lambda: _enter(split_id))
            db.session.remove()
        twin_done.set()

    def after_key_lookup(conn, cursor, statement, parameters, context, executemany):
        # The retry has just looked for its key and found nothing: now the twin commits.
        if threading.get_ident() != retry_thread or twin_done.is_set():
            return
        if "splits.idempotency_key =" in statement:
            runner = threading.Thread(target=twin)
            runner.start()
            runner.join(10)

    event.listen(db.engine, "after_cursor_execute", after_key_lookup)
    try:
        outcome = write(lambda: _enter(split_id))
    finally:
        event.remove(db.engine, "after_cursor_execute", after_key_lookup)
    assert twin_done.is_set()
    assert outcome.split.id == split_id
    assert not outcome.changed
    db.session.remove()
    (split,) = splits_with_history(db.session, races.find_race(db.session, "vienna"))
    assert split.id == split_id
