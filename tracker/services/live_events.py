"""Live events: each change is numbered and described in the transaction that makes it.

The numbers (one stream per race, one per athlete) are taken with an atomic UPDATE, so on
PostgreSQL the race's row stays locked until commit: numbers follow commit order and have
no gaps. The described event waits in the session until `transactions.write` has committed,
and is then published; an event is never sent for a change that did not commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Athlete, Race, Split
from .snapshots import athlete_snapshot, race_view
from .summary import in_summary

PENDING_KEY = "live_events"


@dataclass(frozen=True)
class LiveEvent:
    """A committed change to send: its payload and the rooms that hear it."""

    race_slug: str
    rooms: tuple[str, ...]
    payload: dict


def race_room(slug: str) -> str:
    """Everyone watching a race: race state, leaders, featured athletes."""
    return f"race:{slug}"


def athlete_room(slug: str, bib: str) -> str:
    """Spectators following one athlete."""
    return f"athlete:{slug}:{bib}"


def _bump(session: Session, row: Race | Athlete) -> int:
    """Take the row's next sequence number with one atomic UPDATE … RETURNING."""
    model = type(row)
    seq = session.execute(
        update(model).where(model.id == row.id).values(seq=model.seq + 1).returning(model.seq),
        # Only this row changed: update it in place instead of letting the ORM search the
        # whole identity map (which made a 500-read batch spend most of its time there).
        execution_options={"synchronize_session": False},
    ).scalar_one()
    set_committed_value(row, "seq", seq)
    return seq


def _next_race_seq(session: Session, race: Race) -> int:
    return _bump(session, race)


def _next_athlete_seq(session: Session, athlete: Athlete) -> int:
    return _bump(session, athlete)


def _queue(session: Session, event: LiveEvent) -> LiveEvent:
    session.info.setdefault(PENDING_KEY, []).append(event)
    return event


def race_changed(session: Session, race: Race, change: str) -> LiveEvent:
    """The race itself changed (started, a checkpoint added, reset): every watcher hears."""
    session.flush()
    seq = _next_race_seq(session, race)
    payload = {
        "race": race.slug,
        "seq": seq,
        "kind": "race",
        "change": {"type": change},
        "race_state": race_view(race),
    }
    return _queue(session, LiveEvent(race.slug, (race_room(race.slug),), payload))


def athlete_changed(
    session: Session, race: Race, athlete: Athlete, change: str, split: Split | None = None
) -> LiveEvent:
    """An athlete's splits changed: followers hear it, and the summary if it belongs there."""
    session.flush()
    summary = in_summary(session, race, athlete, split)
    seq = _next_race_seq(session, race) if summary else None
    view = athlete_snapshot(session, race, athlete)
    view["seq"] = _next_athlete_seq(session, athlete)
    payload = {
        "race": race.slug,
        "seq": seq,
        "kind": "athlete",
        "change": {"type": change, "split_id": str(split.id) if split else None},
        "athlete": view,
    }
    rooms = (athlete_room(race.slug, athlete.bib),)
    if summary:
        rooms = (race_room(race.slug), *rooms)
    return _queue(session, LiveEvent(race.slug, rooms, payload))


def take_pending(session: Session) -> list[LiveEvent]:
    """The events of the transaction just committed (or, after a rollback, to be dropped)."""
    return session.info.pop(PENDING_KEY, [])
