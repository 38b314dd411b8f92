"""Entering, correcting and voiding splits: the one path every checkpoint time takes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.race_clock import elapsed_at
from ..errors import Problem
from ..models import Athlete, Checkpoint, Race, Split, SplitRevision
from . import live_events


@dataclass(frozen=True)
class SplitTime:
    """A checkpoint time as given: a wall-clock instant or seconds from the gun."""

    time: datetime | None = None
    elapsed_s: float | None = None


@dataclass(frozen=True)
class SplitOutcome:
    """What became of a split request: the split, and whether this request changed it."""

    split: Split
    changed: bool


def checked_elapsed_ms(
    race: Race, given: SplitTime, now: datetime, future_tolerance_s: float
) -> int:
    """Seconds from the gun (as ms), refusing times before the gun or in the future."""
    if race.gun_time is None:
        raise Problem(409, "race_not_started", "The race has not started: fire the gun first.")
    if given.time is not None:
        elapsed = elapsed_at(race.gun_time, given.time, race.clock_rate)
    else:
        elapsed = given.elapsed_s
    if elapsed < 0:
        raise Problem(422, "before_start", "The time is before the gun.")
    race_clock_now = elapsed_at(race.gun_time, now, race.clock_rate)
    if elapsed > race_clock_now + future_tolerance_s * race.clock_rate:
        raise Problem(
            422,
            "future_time",
            f"The time is {elapsed - race_clock_now:.1f} s ahead of the race clock.",
        )
    return round(elapsed * 1000)


def _athlete(session: Session, race: Race, bib: str) -> Athlete:
    athlete = session.scalar(select(Athlete).where(Athlete.race_id == race.id, Athlete.bib == bib))
    if athlete is None:
        raise Problem(422, "unknown_bib", f"No athlete wears bib {bib} in this race.")
    return athlete


def find_checkpoint(race: Race, code: str) -> Checkpoint:
    for checkpoint in race.checkpoints:
        if checkpoint.code == code:
            return checkpoint
    raise Problem(422, "unknown_checkpoint", f"The race has no checkpoint {code}.")


def _live_split(session: Session, athlete: Athlete, checkpoint: Checkpoint) -> Split | None:
    return session.scalar(
        select(Split).where(
            Split.athlete_id == athlete.id,
            Split.checkpoint_id == checkpoint.id,
            Split.voided_at.is_(None),
        )
    )


def _first_entry(split: Split) -> SplitRevision:
    return split.revisions[0]


def record_split(
    session: Session,
    race: Race,
    *,
    bib: str,
    checkpoint_code: str,
    given: SplitTime,
    source: str,
    entered_by: str,
    now: datetime,
    client_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    future_tolerance_s: float = 5.0,
) -> SplitOutcome:
    """Store a split once, however often the request is repeated.

    A repeated key, or the same time again for the same athlete and checkpoint, returns
    the stored split unchanged; a different time where a split exists is a conflict that
    only a correction resolves.
    """
    key = idempotency_key or (str(client_id) if client_id else None)
    athlete = _athlete(session, race, bib)
    checkpoint = find_checkpoint(race, checkpoint_code)
    elapsed_ms = checked_elapsed_ms(race, given, now, future_tolerance_s)

    if key is not None:
        earlier = session.scalar(select(Split).where(Split.idempotency_key == key))
        if earlier is not None:
            first = _first_entry(earlier)
            same = (
                earlier.race_id == race.id
                and earlier.athlete_id == athlete.id
                and earlier.checkpoint_id == checkpoint.id
                and first.elapsed_ms_after == elapsed_ms
            )
            if not same:
                raise Problem(
                    409,
                    "idempotency_conflict",
                    "This id was used for a different split; send a new id.",
                    existing_id=str(earlier.id),
                )
            return SplitOutcome(earlier, changed=False)

    live = _live_split(session, athlete, checkpoint)
    if live is not None:
        if live.elapsed_ms == elapsed_ms:
            return SplitOutcome(live, changed=False)
        raise Problem(
            409,
            "split_conflict",
            f"Bib {bib} already has a different time at {checkpoint.code}; correct it instead.",
            existing_id=str(live.id),
            existing_elapsed_s=live.elapsed_ms / 1000,
        )

    split = enter_split(
        session,
        race,
        athlete,
        checkpoint,
        elapsed_ms,
        source=source,
        entered_by=entered_by,
        now=now,
        idempotency_key=key,
        split_id=client_id,
    )
    return SplitOutcome(split, changed=True)


def enter_split(
    session: Session,
    race: Race,
    athlete: Athlete,
    checkpoint: Checkpoint,
    elapsed_ms: int,
    *,
    source: str,
    entered_by: str,
    now: datetime,
    idempotency_key: str | None,
    split_id: uuid.UUID | None = None,
) -> Split:
    """Add a split where the athlete has none at the checkpoint (the caller checked), with
    its first revision, and note the change for the live layer."""
    split = Split(
        id=split_id or uuid.uuid4(),
        race_id=race.id,
        athlete=athlete,
        checkpoint=checkpoint,
        elapsed_ms=elapsed_ms,
        source=source,
        entered_by=entered_by,
        received_at=now,
        idempotency_key=idempotency_key or f"auto:{uuid.uuid4()}",
        version=1,
    )
    split.revisions.append(
        SplitRevision(
            version=1,
            action="enter",
            elapsed_ms_before=None,
            elapsed_ms_after=elapsed_ms,
            actor=entered_by,
            reason=None,
            at=now,
        )
    )
    session.add(split)
    live_events.athlete_changed(session, race, athlete, "split_added", split)
    return split


def find_split(session: Session, race: Race, split_id: str) -> Split:
    """The race's split with this id, or a 404 Problem."""
    try:
        key = uuid.UUID(split_id)
    except ValueError:
        key = None
    split = session.get(Split, key) if key else None
    if split is None or split.race_id != race.id:
        raise Problem(404, "unknown_split", f"The race has no split {split_id}.")
    return split


def correct_split(
    session: Session,
    race: Race,
    split: Split,
    *,
    given: SplitTime,
    reason: str,
    actor: str,
    now: datetime,
    future_tolerance_s: float = 5.0,
) -> SplitOutcome:
    """Change a split's time, keeping the old value, who, when and why in its history."""
    if split.voided_at is not None:
        raise Problem(409, "split_voided", "The split was voided; enter a new one instead.")
    elapsed_ms = checked_elapsed_ms(race, given, now, future_tolerance_s)
    if elapsed_ms == split.elapsed_ms:
        return SplitOutcome(split, changed=False)
    split.version += 1
    split.revisions.append(
        SplitRevision(
            version=split.version,
            action="correct",
            elapsed_ms_before=split.elapsed_ms,
            elapsed_ms_after=elapsed_ms,
            actor=actor,
            reason=reason,
            at=now,
        )
    )
    split.elapsed_ms = elapsed_ms
    live_events.athlete_changed(session, race, split.athlete, "split_corrected", split)
    return SplitOutcome(split, changed=True)


def void_split(
    session: Session, race: Race, split: Split, *, reason: str, actor: str, now: datetime
) -> SplitOutcome:
    """Withdraw a split; it stays in the history, and voiding it again changes nothing."""
    if split.voided_at is not None:
        return SplitOutcome(split, changed=False)
    split.version += 1
    split.revisions.append(
        SplitRevision(
            version=split.version,
            action="void",
            elapsed_ms_before=split.elapsed_ms,
            elapsed_ms_after=None,
            actor=actor,
            reason=reason,
            at=now,
        )
    )
    split.voided_at = now
    live_events.athlete_changed(session, race, split.athlete, "split_voided", split)
    return SplitOutcome(split, changed=True)
