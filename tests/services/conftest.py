"""The service tier: the rules that return decisions, called as the edges call them, on a
real database session (SQLite, and PostgreSQL where it runs), without HTTP in between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.db import db
from tracker.demo import vienna
from tracker.services import races
from tracker.transactions import write

GUN = datetime(2019, 10, 12, 6, 15, tzinfo=UTC)


@pytest.fixture
def session(app):
    """The app's session; every change goes through `transactions.write` as at the edges."""
    return db.session


@pytest.fixture
def vienna_race(session):
    """Vienna with its checkpoints and athletes, the gun fired at 08:15 local time."""

    def set_up():
        race = races.create_race(
            session,
            slug="vienna",
            name=vienna.NAME,
            timezone=vienna.TIMEZONE,
            checkpoints=vienna.CHECKPOINTS,
        )
        for athlete in vienna.ATHLETES:
            races.add_athlete(session, race, **athlete)
        races.start_race(session, race, at=GUN)
        return race

    return write(set_up)


def after_gun(seconds: float) -> datetime:
    """The wall-clock instant `seconds` after the gun."""
    return GUN + timedelta(seconds=seconds)
