"""On PostgreSQL a gun correction waits for the splits being timed from the old gun, and
shifts them too (SQLite never runs two writes at once)."""

from __future__ import annotations

import threading
import time

import pytest

from racekit import after_gun
from tracker.db import db
from tracker.domain.race_clock import SplitTime
from tracker.services import gun, races
from tracker.services.split_requests import record_split
from tracker.services.splits import splits_with_history
from tracker.transactions import write


def test_a_split_timed_while_the_gun_is_corrected_is_shifted_with_the_rest(
    app, database_url, vienna_race
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite's writes begin with BEGIN IMMEDIATE and never overlap")
    timed, release = threading.Event(), threading.Event()

    def enter_split_and_wait():
        with app.app_context():

            def change():
                race = races.find_race(db.session, "vienna")
                record_split(
                    db.session,
                    race,
                    bib="1",
                    checkpoint_code="5K",
                    given=SplitTime(time=after_gun(850)),
                    source="manual",
                    entered_by="official-ana",
                    now=after_gun(3600),
                )
                timed.set()  # measured from the old gun, not yet committed
                release.wait(10)

            write(change)
            db.session.remove()

    def correct_the_gun():
        with app.app_context():
            write(
                lambda: gun.correct_gun(
                    db.session,
                    races.find_race(db.session, "vienna"),
                    at=after_gun(-2),
                    reason="the starter's clock",
                    actor="official-ana",
                    now=after_gun(3600),
                )
            )
            db.session.remove()

    entering = threading.Thread(target=enter_split_and_wait)
    entering.start()
    assert timed.wait(10)
    correcting = threading.Thread(target=correct_the_gun)
    correcting.start()
    time.sleep(1.0)  # time enough for an unguarded correction to commit first
    release.set()
    entering.join(10)
    correcting.join(10)
    db.session.remove()
    (split,) = splits_with_history(db.session, races.find_race(db.session, "vienna"))
    assert split.elapsed_ms == 852_000
