"""Rescoring: an athlete's mat splits recomputed from every stored read, and the
differences applied through the split path (enter, correct, void)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import scoring
from ..domain.race_clock import SplitTime, elapsed_at
from ..domain.refusals import Refusal
from ..models import Athlete, Race, RawRead, Split
from . import live_events
from .courses import course_of
from .splits import correct_split, enter_split, find_checkpoint, void_split


def _officials_times(live: dict[str, Split]) -> dict[str, float]:
    """Checkpoints where an official's time stands, and that time."""
    return {
        code: split.elapsed_ms / 1000
        for code, split in live.items()
        if scoring.officials_time_stands(
            split.source, [(r.action, r.actor) for r in split.revisions]
        )
    }


def _stored_reads(
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


def _live_splits(session: Session, athletes: list[Athlete]) -> dict[int, dict[str, Split]]:
    """These athletes' live splits by athlete id and checkpoint code."""
    by_athlete: dict[int, dict[str, Split]] = {athlete.id: {} for athlete in athletes}
    for split in session.scalars(
        select(Split)
        .where(Split.athlete_id.in_(by_athlete), Split.voided_at.is_(None))
        .options(selectinload(Split.revisions))
    ):
        by_athlete[split.athlete_id][split.checkpoint.code] = split
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
    reads = _stored_reads(session, race, athletes)
    live = _live_splits(session, athletes)
    plans = []
    for athlete in athletes:
        manual = _officials_times(live[athlete.id])
        plans.append(
            (athlete, manual, scoring.score_athlete(course, reads[athlete.id], manual=manual))
        )
    # A scorer's key freed by a void is not reused: the new split gets a key of its own.
    wanted = [
        f"read:{read.key}"
        for athlete, _, scored in plans
        for code, read in scored.passings.items()
        if code not in live[athlete.id]
    ]
    taken = set(
        session.scalars(select(Split.idempotency_key).where(Split.idempotency_key.in_(wanted)))
    )
    verdicts: dict[str, scoring.Verdict] = {}
    for athlete, manual, scored in plans:
        _apply(
            session, race, athlete, scored, live[athlete.id], manual, taken, now, future_tolerance_s
        )
        verdicts.update(scored.verdicts)
    return verdicts


def _apply(
    session: Session,
    race: Race,
    athlete: Athlete,
    scored: scoring.Scored,
    live: dict[str, Split],
    manual: dict[str, float],
    taken: set[str],
    now: datetime,
    future_tolerance_s: float,
) -> None:
    """Make one athlete's mat splits what the scorer found: enter, correct or void."""
    start_ms = None if scored.start_s is None else round(scored.start_s * 1000)
    if start_ms != athlete.chip_start_ms:
        athlete.chip_start_ms = start_ms
        live_events.athlete_changed(session, race, athlete, "start_changed")
    for code, read in scored.passings.items():
        current = live.get(code)
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
    for code, split in live.items():
        if code not in scored.passings and code not in manual:
            void_split(
                session,
                race,
                split,
                reason="no mat read supports it",
                actor=scoring.SCORER,
                now=now,
            )
