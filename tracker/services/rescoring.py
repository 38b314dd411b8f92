"""Rescoring: an athlete's mat splits recomputed from every stored read, and the
differences applied through the split path (enter, correct, void)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import scoring
from ..domain.race_clock import SplitTime, elapsed_at
from ..domain.refusals import Refusal
from ..models import Athlete, Checkpoint, Race, RawRead, Split, SplitRevision
from . import live_events
from .courses import course_of
from .splits import (
    SplitOutcome,
    correct_split,
    enter_split,
    find_checkpoint,
    restore,
    void_split,
)


def officials_word(split: Split) -> str | None:
    """What an official's word says at this split's checkpoint (`scoring.officials_word`)."""
    return scoring.officials_word(split.source, [(r.action, r.actor) for r in split.revisions])


@dataclass
class _Standing:
    """One athlete's splits as the scorer must respect them."""

    live: dict[str, Split] = field(default_factory=dict)
    manual: dict[str, float] = field(default_factory=dict)  # an official's time stands
    voided: set[str] = field(default_factory=set)  # an official's void stands


def stored_reads(
    session: Session, race: Race, athletes: list[Athlete]
) -> dict[int, list[scoring.Read]]:
    """Every stored read of these athletes' chips, as the scorer sees them, by athlete id."""
    wearer = {chip.code: athlete.id for athlete in athletes for chip in athlete.chips}
    by_athlete: dict[int, list[scoring.Read]] = {athlete.id: [] for athlete in athletes}
    rows = session.execute(
        select(
            RawRead.chip, RawRead.idempotency_key, RawRead.checkpoint, RawRead.read_at, RawRead.line
        ).where(RawRead.race_id == race.id, RawRead.chip.in_(wearer))
    )
    for chip, key, checkpoint, read_at, line in rows:
        elapsed = elapsed_at(race.gun_time, read_at, race.clock_rate)
        by_athlete[wearer[chip]].append(scoring.Read(key, checkpoint, elapsed, line))
    return by_athlete


def _standings(session: Session, athletes: list[Athlete]) -> dict[int, _Standing]:
    """These athletes' live splits, and where an official's time or void stands, by id.

    The revisions are read as (action, actor) rows, not objects: a mass passage rescored
    hundreds of athletes a batch and spent a third of it building revision objects that
    only `scoring.officials_word` reads.
    """
    by_athlete = {athlete.id: _Standing() for athlete in athletes}
    splits = list(
        session.execute(
            select(Split, Checkpoint.code)
            .join(Checkpoint, Checkpoint.id == Split.checkpoint_id)
            .where(Split.athlete_id.in_(by_athlete))
        )
    )
    history: dict[object, list[tuple[str, str]]] = {split.id: [] for split, _ in splits}
    for split_id, action, actor in session.execute(
        select(SplitRevision.split_id, SplitRevision.action, SplitRevision.actor)
        .join(Split, Split.id == SplitRevision.split_id)
        .where(Split.athlete_id.in_(by_athlete))
        .order_by(SplitRevision.split_id, SplitRevision.version)
    ):
        history[split_id].append((action, actor))
    voided_words: dict[tuple[int, str], list[str | None]] = {}
    for split, code in splits:
        standing = by_athlete[split.athlete_id]
        word = scoring.officials_word(split.source, history[split.id])
        if split.voided_at is None:
            standing.live[code] = split
            if word == scoring.OFFICIAL_TIME:
                standing.manual[code] = split.elapsed_ms / 1000
        else:
            voided_words.setdefault((split.athlete_id, code), []).append(word)
    for (athlete_id, code), words in voided_words.items():
        standing = by_athlete[athlete_id]
        if code not in standing.live and scoring.OFFICIAL_VOID in words:
            standing.voided.add(code)
    return by_athlete


def rescore(
    session: Session,
    race: Race,
    athletes: list[Athlete],
    *,
    now: datetime,
    future_tolerance_s: float,
) -> dict[str, scoring.Verdict]:
    """Recompute these athletes' mat splits from every stored read and apply the differences.

    Everything the scorer needs is loaded for all of them at once, so a batch of reads
    costs a handful of queries, not a handful per athlete.
    """
    course = course_of(race)
    reads = stored_reads(session, race, athletes)
    standings = _standings(session, athletes)
    plans = []
    for athlete in athletes:
        standing = standings[athlete.id]
        scored = scoring.score_athlete(
            course,
            reads[athlete.id],
            manual=standing.manual,
            voided=standing.voided,
            gun_s=athlete.gun_offset_ms / 1000,
        )
        plans.append((athlete, standing, scored))
    # A scorer's key freed by a void is not reused: the new split gets a key of its own.
    wanted = [
        f"read:{read.key}"
        for athlete, standing, scored in plans
        for code, read in scored.passings.items()
        if code not in standing.live
    ]
    taken = set(
        session.scalars(select(Split.idempotency_key).where(Split.idempotency_key.in_(wanted)))
    )
    verdicts: dict[str, scoring.Verdict] = {}
    for athlete, standing, scored in plans:
        _apply(session, race, athlete, scored, standing, taken, now, future_tolerance_s)
        verdicts.update(scored.verdicts)
    return verdicts


def athlete_verdicts(session: Session, race: Race, athlete: Athlete) -> dict[str, scoring.Verdict]:
    """What the scorer makes of each stored read of one athlete now, by read key (the
    officials' raw-read view), without changing anything."""
    standing = _standings(session, [athlete])[athlete.id]
    scored = scoring.score_athlete(
        course_of(race),
        stored_reads(session, race, [athlete])[athlete.id],
        manual=standing.manual,
        voided=standing.voided,
        gun_s=athlete.gun_offset_ms / 1000,
    )
    return scored.verdicts


def _apply(
    session: Session,
    race: Race,
    athlete: Athlete,
    scored: scoring.Scored,
    standing: _Standing,
    taken: set[str],
    now: datetime,
    future_tolerance_s: float,
) -> None:
    """Make one athlete's mat splits what the scorer found: enter, correct or void.

    A little over the house's 50 lines: the own start, then each passing, then the voids,
    in the order they must happen, read best in one piece.
    """
    start_ms = None if scored.start_s is None else round(scored.start_s * 1000)
    if start_ms != athlete.chip_start_ms:
        athlete.chip_start_ms = start_ms
        live_events.athlete_changed(session, race, athlete, "start_changed")
    for code, read in scored.passings.items():
        current = standing.live.get(code)
        given = SplitTime(elapsed_s=read.elapsed_s)
        try:
            if current is None:
                key = f"read:{read.key}"
                enter_split(
                    session,
                    race,
                    athlete,
                    find_checkpoint(race, code),
                    given,
                    source="mat",
                    entered_by=scoring.SCORER,
                    now=now,
                    idempotency_key=None if key in taken else key,
                    future_tolerance_s=future_tolerance_s,
                )
            elif round(read.elapsed_s * 1000) != current.elapsed_ms:
                correct_split(
                    session,
                    race,
                    current,
                    given=given,
                    reason="recomputed from mat reads",
                    actor=scoring.SCORER,
                    now=now,
                    future_tolerance_s=future_tolerance_s,
                )
        except Refusal as refusal:
            scored.verdicts[read.key] = scoring.Verdict(refusal.code, refusal.detail)
    for code, split in standing.live.items():
        if code not in scored.passings and code not in standing.manual:
            void_split(
                session,
                race,
                split,
                reason="no mat read supports it",
                actor=scoring.SCORER,
                now=now,
            )


def revert_split(
    session: Session,
    race: Race,
    split: Split,
    *,
    reason: str,
    actor: str,
    now: datetime,
    future_tolerance_s: float,
) -> SplitOutcome:
    """Withdraw an official's correction or void: the mats govern the checkpoint again.

    A voided split comes back at its last time, then the athlete is rescored from the
    stored reads at once, so the split follows them (or is voided if none supports it).
    """
    if officials_word(split) is None:
        raise Refusal("nothing_to_revert", "No official's correction or void stands on this split.")
    if split.voided_at is not None:
        standing = _standings(session, [split.athlete])[split.athlete_id]
        other = standing.live.get(split.checkpoint.code)
        if other is not None:
            raise Refusal(
                "split_conflict",
                f"Bib {split.athlete.bib} has another split at {split.checkpoint.code};"
                " void it first.",
                existing_id=str(other.id),
            )
    restore(session, race, split, actor=actor, reason=reason, now=now)
    live_events.athlete_changed(session, race, split.athlete, "split_reverted", split)
    session.flush()
    rescore(session, race, [split.athlete], now=now, future_tolerance_s=future_tolerance_s)
    return SplitOutcome(split, changed=True)
