"""Live events: each change is numbered and described in the transaction that makes it.

The numbers (one stream per race, one per athlete) are taken with an atomic UPDATE, so on
PostgreSQL the race's row stays locked until commit: numbers follow commit order and have
no gaps. The described event waits in the session until `transactions.write` has committed,
and is then published; an event is never sent for a change that did not commit.

An athlete's changes are noted as they happen and described once, when the transaction is
about to commit (`describe_changes`): a batch of 500 reads touching 400 athletes then costs
a few statements for all of them, and each athlete's event carries its final state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..live.vocabulary import athlete_room, race_room
from ..models import Athlete, Race, Split
from .snapshots import athlete_views, race_view
from .split_flags import keep_flags
from .summary import SummaryCheck
from .transaction_notes import forget, notes


@dataclass
class _AthleteChange:
    """What happened to one athlete in this transaction, so far."""

    race: Race
    athlete: Athlete
    change: str
    split: Split | None
    splits: list[Split] = field(default_factory=list)


@dataclass(frozen=True)
class LiveEvent:
    """A committed change to send: its payload and the rooms that hear it."""

    race_slug: str
    rooms: tuple[str, ...]
    payload: dict


def _bump(session: Session, row: Race, by: int = 1) -> int:
    """Take the row's next `by` sequence numbers with one atomic UPDATE … RETURNING; the
    last is returned."""
    model = type(row)
    seq = session.execute(
        update(model).where(model.id == row.id).values(seq=model.seq + by).returning(model.seq),
        # Only this row changed: update it in place instead of letting the ORM search the
        # whole identity map (which made a 500-read batch spend most of its time there).
        execution_options={"synchronize_session": False},
    ).scalar_one()
    set_committed_value(row, "seq", seq)
    return seq


# Ids per UPDATE: well under SQLite's limit of 32,766 bound parameters.
BUMP_CHUNK = 5_000


def _bump_athletes(session: Session, athletes: list[Athlete]) -> None:
    """Each athlete's next sequence number, a few thousand athletes per statement."""
    by_id = {athlete.id: athlete for athlete in athletes}
    ids = list(by_id)
    for start in range(0, len(ids), BUMP_CHUNK):
        rows = session.execute(
            update(Athlete)
            .where(Athlete.id.in_(ids[start : start + BUMP_CHUNK]))
            .values(seq=Athlete.seq + 1)
            .returning(Athlete.id, Athlete.seq),
            execution_options={"synchronize_session": False},
        )
        for athlete_id, seq in rows:
            set_committed_value(by_id[athlete_id], "seq", seq)


def _queue(session: Session, event: LiveEvent) -> LiveEvent:
    notes(session).events.append(event)
    return event


def race_changed(session: Session, race: Race, change: str) -> LiveEvent:
    """The race itself changed (started, a checkpoint added, reset): every watcher hears."""
    describe_changes(session)  # athletes changed before this keep their place in the order
    return _race_event(session, race, change)


def race_changed_later(session: Session, race: Race, change: str) -> None:
    """Note a change to the race's own state (a pacer group went in) made among athletes'
    changes (a mass of reads): announced once, after them, in its state at the end."""
    notes(session).races[race.id] = (race, change)


def _race_event(session: Session, race: Race, change: str) -> LiveEvent:
    session.flush()
    seq = _bump(session, race)
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
) -> None:
    """Note that an athlete's splits changed; followers hear it once the transaction ends,
    and the race's watchers too if the change belongs in its summary."""
    noted = notes(session).athletes.setdefault(
        id(athlete), _AthleteChange(race, athlete, change, split)
    )
    noted.change, noted.split = change, split
    if split is not None:
        noted.splits.append(split)


def describe_changes(session: Session) -> None:
    """Number and describe every athlete change noted in this transaction, in the order
    they were first noted: one event per athlete, carrying its state at the end."""
    changes = notes(session).athletes
    notes(session).athletes = {}
    if changes:
        session.flush()
        by_race: dict[int, list[_AthleteChange]] = {}
        for noted in changes.values():
            by_race.setdefault(noted.race.id, []).append(noted)
        for group in by_race.values():
            _describe_race_group(session, group)
    later = notes(session).races
    notes(session).races = {}
    for race, change in later.values():
        _race_event(session, race, change)


def _describe_race_group(session: Session, group: list[_AthleteChange]) -> None:
    race = group[0].race
    # Flags first: they are part of the state described, and of the review queue.
    live = keep_flags(session, race, [noted.athlete for noted in group])
    check = SummaryCheck(session, race)
    in_summary = [check.includes(noted.athlete, noted.splits) for noted in group]
    last_race_seq = _bump(session, race, by=sum(in_summary)) if any(in_summary) else 0
    race_seq = last_race_seq - sum(in_summary)
    athletes = [noted.athlete for noted in group]
    _bump_athletes(session, athletes)
    views = athlete_views(session, race, athletes, live=live)
    for noted, summary, view in zip(group, in_summary, views, strict=True):
        if summary:
            race_seq += 1
        split = noted.split
        payload = {
            "race": race.slug,
            "seq": race_seq if summary else None,
            "kind": "athlete",
            "change": {"type": noted.change, "split_id": str(split.id) if split else None},
            "athlete": view,
        }
        rooms = (athlete_room(race.slug, noted.athlete.bib),)
        if summary:
            rooms = (race_room(race.slug), *rooms)
        _queue(session, LiveEvent(race.slug, rooms, payload))


def take_pending(session: Session) -> list[LiveEvent]:
    """The events of the transaction just committed (or, after a rollback, to be dropped)."""
    events = notes(session).events
    forget(session)
    return events
