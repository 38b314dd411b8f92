"""Entering, correcting and voiding splits: the one path every checkpoint time takes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.race_clock import SplitTime, checked_elapsed_ms
from ..domain.refusals import Refusal
from ..models import Athlete, Checkpoint, Race, Split, SplitRevision
from . import audit, live_events, pacing
from . import places as _places  # noqa: F401  (keeps every split's place keys: see there)
from .races import hold_gun

GUN_SHIFT = "gun_shift"  # a revision written by a gun correction (services.gun)


@dataclass(frozen=True)
class SplitOutcome:
    """What became of a split request: the split, and whether this request changed it."""

    split: Split
    changed: bool


def elapsed_ms_of(
    session: Session, race: Race, given: SplitTime, now: datetime, future_tolerance_s: float
) -> int:
    """Seconds from the gun (as ms) of a time given for this race, or its Refusal."""
    hold_gun(session, race)
    decision = checked_elapsed_ms(
        race.gun_time, race.clock_rate, given, now=now, future_tolerance_s=future_tolerance_s
    )
    if isinstance(decision, Refusal):
        raise decision
    return decision


def find_checkpoint(race: Race, code: str) -> Checkpoint:
    """The race's checkpoint with this code, or a Refusal naming the `checkpoint` field."""
    for checkpoint in race.checkpoints:
        if checkpoint.code == code:
            return checkpoint
    raise Refusal("unknown_checkpoint", f"The race has no checkpoint {code}.", field="checkpoint")


def _revise(
    session: Session,
    race: Race,
    split: Split,
    action: str,
    after_ms: int | None,
    *,
    actor: str,
    reason: str | None,
    now: datetime,
) -> None:
    """Add the split's next revision (what it was, what it is now, who, when and why), and
    the audit log's entry for it."""
    was_live = action != "enter" and split.voided_at is None
    before_ms = split.elapsed_ms if was_live else None
    audit.record(
        session,
        f"split.{action}",
        race=race,
        subject=f"{split.athlete.bib}@{split.checkpoint.code}",
        before=None if before_ms is None else {"elapsed_s": before_ms / 1000},
        after={
            "split_id": str(split.id),
            "elapsed_s": None if after_ms is None else after_ms / 1000,
            "by": actor,
            "reason": reason,
        },
    )
    split.version = (split.version or 0) + 1
    split.revisions.append(
        SplitRevision(
            version=split.version,
            action=action,
            elapsed_ms_before=before_ms,
            elapsed_ms_after=after_ms,
            actor=actor,
            reason=reason,
            at=now,
        )
    )


def enter_split(
    session: Session,
    race: Race,
    athlete: Athlete,
    checkpoint: Checkpoint,
    given: SplitTime,
    *,
    source: str,
    entered_by: str,
    now: datetime,
    idempotency_key: str | None,
    split_id: uuid.UUID | None = None,
    future_tolerance_s: float = 5.0,
    approximate: bool = False,
) -> Split:
    """Add a split where the athlete has none at the checkpoint (the caller checked), with
    its first revision, and note the change for the live layer."""
    elapsed_ms = elapsed_ms_of(session, race, given, now, future_tolerance_s)
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
        version=0,
        approximate=approximate,
    )
    _revise(session, race, split, "enter", elapsed_ms, actor=entered_by, reason=None, now=now)
    session.add(split)
    live_events.athlete_changed(session, race, athlete, "split_added", split)
    if athlete.role == "pacer":
        pacing.pacer_passed(session, race, athlete, split)
    return split


def find_split(session: Session, race: Race, split_id: str) -> Split:
    """The race's split with this id, or a Refusal."""
    try:
        key = uuid.UUID(split_id)
    except ValueError:
        key = None
    split = session.get(Split, key) if key else None
    if split is None or split.race_id != race.id:
        raise Refusal("unknown_split", f"The race has no split {split_id}.")
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
        raise Refusal("split_voided", "The split was voided; enter a new one instead.")
    elapsed_ms = elapsed_ms_of(session, race, given, now, future_tolerance_s)
    if elapsed_ms == split.elapsed_ms:
        return SplitOutcome(split, changed=False)
    _revise(session, race, split, "correct", elapsed_ms, actor=actor, reason=reason, now=now)
    split.elapsed_ms = elapsed_ms
    live_events.athlete_changed(session, race, split.athlete, "split_corrected", split)
    _pacing_follows(session, race, split)
    return SplitOutcome(split, changed=True)


def restore(
    session: Session, race: Race, split: Split, *, actor: str, reason: str, now: datetime
) -> None:
    """Record an official's revert on the split, bringing a voided one back at its last time
    (the caller rescores it)."""
    after_ms = split.elapsed_ms
    _revise(session, race, split, "revert", after_ms, actor=actor, reason=reason, now=now)
    split.voided_at = None
    _pacing_follows(session, race, split)


def confirm_split(
    session: Session,
    race: Race,
    split: Split,
    *,
    reason: str,
    actor: str,
    now: datetime,
    flag: str | None,
) -> SplitOutcome:
    """An official's word that a flagged split was run as timed: it counts from now on
    (paces, projection), until its time changes. `flag` is what the checks find on it."""
    if split.voided_at is not None:
        raise Refusal("split_voided", "The split was voided; enter a new one instead.")
    if split.confirmed_ms == split.elapsed_ms:
        return SplitOutcome(split, changed=False)
    if flag is None:
        raise Refusal("split_not_flagged", "The split is not flagged; it counts already.")
    _revise(session, race, split, "confirm", split.elapsed_ms, actor=actor, reason=reason, now=now)
    split.confirmed_ms = split.elapsed_ms
    live_events.athlete_changed(session, race, split.athlete, "split_confirmed", split)
    return SplitOutcome(split, changed=True)


def void_split(
    session: Session, race: Race, split: Split, *, reason: str, actor: str, now: datetime
) -> SplitOutcome:
    """Withdraw a split; it stays in the history, and voiding it again changes nothing."""
    if split.voided_at is not None:
        return SplitOutcome(split, changed=False)
    _revise(session, race, split, "void", None, actor=actor, reason=reason, now=now)
    split.voided_at = now
    live_events.athlete_changed(session, race, split.athlete, "split_voided", split)
    _pacing_follows(session, race, split)
    return SplitOutcome(split, changed=True)


def _pacing_follows(session: Session, race: Race, split: Split) -> None:
    """A pacer's rotations follow the split that put them in."""
    if split.athlete.role == "pacer":
        pacing.pacer_split_changed(session, race, split)


def splits_with_history(session: Session, race: Race) -> list[Split]:
    """Every split of the race, voided ones too, with athlete, checkpoint and revisions,
    in the order they were received."""
    return list(
        session.scalars(
            select(Split)
            .where(Split.race_id == race.id)
            .order_by(Split.received_at, Split.id)
            .options(
                selectinload(Split.athlete),
                selectinload(Split.checkpoint),
                selectinload(Split.revisions),
            )
        )
    )
