"""Each live split's flag (`split_checks`), stored on the split so the officials' review
queue finds the flagged ones on an index instead of checking the whole field's splits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.projection import Passing
from ..domain.split_checks import flag_splits
from ..models import Athlete, Race, Split


def confirmed(split: Split) -> bool:
    """Whether an official confirmed the split at the time it has now."""
    return split.confirmed_ms is not None and split.confirmed_ms == split.elapsed_ms


def flags_of(splits: Iterable[Split]) -> dict[str, str]:
    """One athlete's flags by checkpoint code, from their live splits (confirmed ones
    count as run)."""
    live = list(splits)
    passings = [
        Passing(split.checkpoint.code, split.checkpoint.distance_m, split.elapsed_ms / 1000)
        for split in live
    ]
    return flag_splits(passings, confirmed={s.checkpoint.code for s in live if confirmed(s)})


def keep_flags(session: Session, race: Race, athletes: list[Athlete]) -> dict[int, list[Split]]:
    """Store the flag of every live split of these athletes (called once a transaction's
    changes are described: one query for all of them, writes only where a flag moved).
    Returns the live splits by athlete id, for the description to reuse."""
    named = {athlete.id: athlete for athlete in athletes}
    checkpoints = {checkpoint.id: checkpoint for checkpoint in race.checkpoints}
    by_athlete: dict[int, list[Split]] = {athlete_id: [] for athlete_id in named}
    ids = list(named)
    # A few thousand ids a statement: under SQLite's limit of bound parameters.
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        query = select(Split).where(Split.athlete_id.in_(chunk), Split.voided_at.is_(None))
        for split in session.scalars(query):
            _note(split, checkpoints, named, by_athlete)
    for splits in by_athlete.values():
        flags = flags_of(splits)
        for split in splits:
            flag = flags.get(split.checkpoint.code)
            if split.flag != flag:
                split.flag = flag
    return by_athlete


def _note(split: Split, checkpoints: dict, named: dict, by_athlete: dict) -> None:
    """Hand a loaded split its (already loaded) checkpoint and athlete, and file it."""
    set_committed_value(split, "checkpoint", checkpoints[split.checkpoint_id])
    set_committed_value(split, "athlete", named[split.athlete_id])
    by_athlete[split.athlete_id].append(split)


def flag_now(session: Session, split: Split) -> str | None:
    """What the checks find on this split now, among its athlete's live splits."""
    live = session.scalars(
        select(Split).where(Split.athlete_id == split.athlete_id, Split.voided_at.is_(None))
    )
    return flags_of(live).get(split.checkpoint.code)
