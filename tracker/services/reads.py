"""Chip reads in: stored once in the raw log, then scored into splits through the split path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import scoring
from ..domain.race_clock import elapsed_at
from ..errors import Problem
from ..models import Athlete, Chip, Race, RawRead, Split
from .courses import course_of
from .splits import SplitTime, correct_split, record_split, void_split

# Corrections the scorer makes are signed so; any other correction is an official's, and
# an official's word overrides the mats at that checkpoint.
SCORER = "scorer"


@dataclass(frozen=True)
class ReadIn:
    """One read as a source sent it."""

    source: str
    chip: str
    time: datetime
    checkpoint: str
    seq: int | None = None
    line: str = scoring.MAIN
    device: str | None = None
    raw: str = ""

    @property
    def key(self) -> str:
        """The idempotency key (TIMING.md §8): source and sequence, else the read itself."""
        if self.seq is not None:
            return f"{self.source}:{self.seq}"
        millis = round(self.time.timestamp() * 1000)
        return f"{self.source}:{self.chip}:{millis}:{self.checkpoint}:{self.line}"


@dataclass(frozen=True)
class ReadResult:
    """What became of one read of a batch."""

    key: str
    result: str  # accepted | duplicate
    status: str  # used, duplicate, implausible, unknown_chip, ... (TIMING.md §9.10)
    reason: str = ""
    bib: str | None = None


def ingest_reads(
    session: Session, race: Race, reads: list[ReadIn], *, now: datetime, future_tolerance_s: float
) -> list[ReadResult]:
    """Store new reads (a known key is a no-op), rescore the athletes they touch, report."""
    if race.gun_time is None:
        raise Problem(409, "race_not_started", "The race has not started: fire the gun first.")
    keys = [read.key for read in reads]
    known = set(
        session.scalars(select(RawRead.idempotency_key).where(RawRead.idempotency_key.in_(keys)))
    )
    fresh: dict[str, ReadIn] = {}
    for read in reads:
        if read.key not in known and read.key not in fresh:
            fresh[read.key] = read
    session.add_all(
        RawRead(
            race_id=race.id,
            source=read.source,
            device=read.device,
            seq=read.seq,
            checkpoint=read.checkpoint,
            line=read.line,
            chip=read.chip,
            read_at=read.time,
            received_at=now,
            raw=read.raw,
            idempotency_key=key,
        )
        for key, read in fresh.items()
    )
    session.flush()

    wearers = _wearers(session, race, {read.chip for read in reads})
    verdicts: dict[str, scoring.Verdict] = {}
    for athlete in {wearers[read.chip] for read in reads if read.chip in wearers}:
        verdicts.update(
            rescore(session, race, athlete, now=now, future_tolerance_s=future_tolerance_s)
        )

    results = []
    for read in reads:
        athlete = wearers.get(read.chip)
        verdict = (
            verdicts.get(read.key)
            if athlete
            else scoring.Verdict(
                "unknown_chip", f"no athlete wears chip {read.chip}; kept, scored once assigned"
            )
        )
        results.append(
            ReadResult(
                key=read.key,
                result="duplicate" if read.key in known else "accepted",
                status=verdict.status if verdict else "unscored",
                reason=verdict.reason if verdict else "",
                bib=athlete.bib if athlete else None,
            )
        )
    return results


def _wearers(session: Session, race: Race, chips: set[str]) -> dict[str, Athlete]:
    rows = session.execute(
        select(Chip.code, Athlete)
        .join(Athlete, Chip.athlete_id == Athlete.id)
        .where(Chip.race_id == race.id, Chip.code.in_(chips))
    )
    return {code: athlete for code, athlete in rows}


def _is_officials(split: Split) -> bool:
    if split.source != "mat":
        return True
    return any(r.action == "correct" and r.actor != SCORER for r in split.revisions)


def _athlete_reads(session: Session, race: Race, athlete: Athlete) -> list[scoring.Read]:
    chips = [chip.code for chip in athlete.chips]
    stored = session.scalars(
        select(RawRead).where(RawRead.race_id == race.id, RawRead.chip.in_(chips))
    )
    return [
        scoring.Read(
            raw.idempotency_key,
            raw.checkpoint,
            elapsed_at(race.gun_time, raw.read_at, race.clock_rate),
            raw.line,
        )
        for raw in stored
    ]


def _officials_times(live: dict[str, Split]) -> dict[str, float]:
    """Checkpoints where an official's time stands, and that time."""
    return {code: split.elapsed_ms / 1000 for code, split in live.items() if _is_officials(split)}


def _live_splits(session: Session, athlete: Athlete) -> dict[str, Split]:
    return {
        split.checkpoint.code: split
        for split in session.scalars(
            select(Split)
            .where(Split.athlete_id == athlete.id, Split.voided_at.is_(None))
            .options(selectinload(Split.revisions), selectinload(Split.checkpoint))
        )
    }


def stored_verdicts(session: Session, race: Race, athlete: Athlete) -> dict[str, scoring.Verdict]:
    """The verdicts on an athlete's reads as they stand, changing nothing."""
    live = _live_splits(session, athlete)
    manual = _officials_times(live)
    return scoring.score_athlete(
        course_of(race), _athlete_reads(session, race, athlete), manual=manual
    ).verdicts


def rescore(
    session: Session, race: Race, athlete: Athlete, *, now: datetime, future_tolerance_s: float
) -> dict[str, scoring.Verdict]:
    """Recompute one athlete's mat splits from every stored read and apply the differences."""
    chips = [chip.code for chip in athlete.chips]
    stored = session.scalars(
        select(RawRead).where(RawRead.race_id == race.id, RawRead.chip.in_(chips))
    )
    reads = [
        scoring.Read(
            raw.idempotency_key,
            raw.checkpoint,
            elapsed_at(race.gun_time, raw.read_at, race.clock_rate),
            raw.line,
        )
        for raw in stored
    ]
    live = {
        split.checkpoint.code: split
        for split in session.scalars(
            select(Split)
            .where(Split.athlete_id == athlete.id, Split.voided_at.is_(None))
            .options(selectinload(Split.revisions), selectinload(Split.checkpoint))
        )
    }
    manual = _officials_times(live)
    scored = scoring.score_athlete(course_of(race), reads, manual=manual)
    actor = SCORER
    for code, read in scored.passings.items():
        current = live.get(code)
        try:
            if current is None:
                record_split(
                    session,
                    race,
                    bib=athlete.bib,
                    checkpoint_code=code,
                    given=SplitTime(elapsed_s=read.elapsed_s),
                    source="mat",
                    entered_by=actor,
                    now=now,
                    idempotency_key=f"read:{read.key}",
                    future_tolerance_s=future_tolerance_s,
                )
            elif round(read.elapsed_s * 1000) != current.elapsed_ms:
                correct_split(
                    session,
                    race,
                    current,
                    given=SplitTime(elapsed_s=read.elapsed_s),
                    reason="recomputed from mat reads",
                    actor=actor,
                    now=now,
                    future_tolerance_s=future_tolerance_s,
                )
        except Problem as problem:
            scored.verdicts[read.key] = scoring.Verdict(problem.code, problem.detail)
    for code, split in live.items():
        if code not in scored.passings and code not in manual:
            void_split(session, race, split, reason="no mat read supports it", actor=actor, now=now)
    return scored.verdicts
