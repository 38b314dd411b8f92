"""Correcting the gun: a typo'd or late-keyed gun time, put right by an official.

Every split is a measured instant less the gun, so a corrected gun shifts every elapsed
time (and every chip start) by the same amount: the athletes passed when they passed. Each
split keeps the shift in its history, the audit log keeps the old and new gun, and every
watcher is told to take a fresh snapshot (projections and ETAs all move).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, insert, literal, select, update
from sqlalchemy.orm import Session

from ..domain.race_clock import not_started
from ..domain.refusals import Refusal
from ..models import Athlete, Race, Split, SplitRevision
from . import audit, live_events, places, waves
from .races import hold_gun
from .splits import GUN_SHIFT


def correct_gun(
    session: Session, race: Race, *, at: datetime, reason: str, actor: str, now: datetime
) -> bool:
    """Move the race's gun to `at`; True when it changed (the same time again is a retry)."""
    hold_gun(session, race, to_change=True)
    refusal = not_started(race.gun_time)
    if refusal is not None:
        raise refusal
    if race.gun_time == at:
        return False
    shift_ms = round((race.gun_time - at).total_seconds() * race.clock_rate * 1000)
    earliest = session.scalar(
        select(func.min(Split.elapsed_ms)).where(
            Split.race_id == race.id, Split.voided_at.is_(None)
        )
    )
    if earliest is not None and earliest + shift_ms < 0:
        raise Refusal(
            "gun_after_splits",
            f"The corrected gun is {-(earliest + shift_ms) / 1000:.1f} s after the race's first"
            " split; correct or void that split first, or check the time.",
        )
    waves.refuse_race_gun_after_waves(race, at)
    before = race.gun_time
    moved = _shift_splits(session, race, shift_ms, at, actor=actor, reason=reason, now=now)
    race.gun_time = at
    audit.record(
        session,
        "gun.correct",
        race=race,
        subject=race.slug,
        before={"gun_time": before},
        after={"gun_time": at, "shift_s": shift_ms / 1000, "reason": reason, "waves": moved},
    )
    live_events.race_changed(session, race, "gun_corrected")
    return True


def _shift_splits(
    session: Session,
    race: Race,
    shift_ms: int,
    at: datetime,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> list[str]:
    """Every split of the race (voided ones keep their last time too) and every chip start,
    shifted in a few statements, each split's revision written alongside; the waves that
    shared the gun move to `at` (their codes returned)."""
    session.flush()
    # A voided split keeps its last time; one that the new gun would put before the start
    # is kept at 0 (its real value stays in its history).
    shifted = case((Split.elapsed_ms + shift_ms < 0, 0), else_=Split.elapsed_ms + shift_ms)
    revisions = select(
        Split.id,
        Split.version + 1,
        literal(GUN_SHIFT),
        Split.elapsed_ms,
        shifted,
        literal(actor),
        literal(f"gun corrected: {reason}"),
        literal(now, type_=SplitRevision.at.type),
    ).where(Split.race_id == race.id)
    columns = ["split_id", "version", "action", "elapsed_ms_before", "elapsed_ms_after"]
    session.execute(
        insert(SplitRevision).from_select([*columns, "actor", "reason", "at"], revisions)
    )
    session.execute(
        update(Split)
        .where(Split.race_id == race.id)
        .values(
            elapsed_ms=shifted,
            version=Split.version + 1,
            # An official's confirmation moves with the time it confirmed (none stays none).
            confirmed_ms=case(
                (Split.confirmed_ms + shift_ms < 0, 0), else_=Split.confirmed_ms + shift_ms
            ),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Athlete)
        .where(Athlete.race_id == race.id, Athlete.chip_start_ms.is_not(None))
        .values(chip_start_ms=Athlete.chip_start_ms + shift_ms)
        .execution_options(synchronize_session=False)
    )
    moved = waves.shift_offsets(session, race, shift_ms, at)
    places.refresh_race(session, race)
    session.expire_all()
    return moved
