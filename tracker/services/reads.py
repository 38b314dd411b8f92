"""Chip reads in: stored once in the raw log, then scored into splits (`rescoring`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain import scoring
from ..domain.race_clock import not_started
from ..models import Athlete, Chip, Race, RawRead
from .rescoring import rescore
from .timing_devices import MatRead, clock_offsets_ms, note_mat_reads


@dataclass(frozen=True)
class ReadIn:
    """One read as a source sent it, with the device it belongs to
    (`mat_health.device_name`: the crew's name for it, else the link it arrived on)."""

    source: str
    chip: str
    time: datetime
    checkpoint: str
    device: str
    seq: int | None = None
    line: str = scoring.MAIN
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
    refusal = not_started(race.gun_time)
    if refusal is not None:
        raise refusal
    keys = [read.key for read in reads]
    known = set(
        session.scalars(select(RawRead.idempotency_key).where(RawRead.idempotency_key.in_(keys)))
    )
    fresh: dict[str, ReadIn] = {}
    for read in reads:
        if read.key not in known and read.key not in fresh:
            fresh[read.key] = read
    _store(session, race, fresh, now)
    wearers = _wearers(session, race, {read.chip for read in reads})
    touched = list(dict.fromkeys(wearers[read.chip] for read in reads if read.chip in wearers))
    verdicts = rescore(session, race, touched, now=now, future_tolerance_s=future_tolerance_s)
    return [_result(read, known, wearers.get(read.chip), verdicts) for read in reads]


def _store(session: Session, race: Race, fresh: dict[str, ReadIn], now: datetime) -> None:
    """Append the new reads to the log, corrected by their device's clock offset, and add
    them to their mats' totals."""
    offsets = clock_offsets_ms(session, race, (read.device for read in fresh.values()))
    stored, mat_reads = [], []
    for key, read in fresh.items():
        offset_ms = offsets.get(read.device, 0)
        read_at = read.time + timedelta(milliseconds=offset_ms)
        stored.append(
            RawRead(
                race_id=race.id,
                source=read.source,
                device=read.device,
                seq=read.seq,
                checkpoint=read.checkpoint,
                line=read.line,
                chip=read.chip,
                device_time=read.time,
                clock_offset_ms=offset_ms,
                read_at=read_at,
                received_at=now,
                raw=read.raw,
                idempotency_key=key,
            )
        )
        mat_reads.append(MatRead(read.device, read.checkpoint, read.line, read_at))
    session.add_all(stored)
    note_mat_reads(session, race, mat_reads, now)
    session.flush()


def _result(read: ReadIn, known: set[str], athlete, verdicts) -> ReadResult:
    """What became of one read of the batch."""
    if athlete is None:
        verdict = scoring.Verdict(
            "unknown_chip", f"no athlete wears chip {read.chip}; kept, scored once assigned"
        )
    else:
        verdict = verdicts.get(read.key)
    return ReadResult(
        key=read.key,
        result="duplicate" if read.key in known else "accepted",
        status=verdict.status if verdict else "unscored",
        reason=verdict.reason if verdict else "",
        bib=athlete.bib if athlete else None,
    )


def stored_seqs(session: Session, race: Race, *, device: str, source_like: str) -> list[int]:
    """The sequence numbers stored for a device's reads whose source matches `source_like`
    (an SQL LIKE pattern: a RACE RESULT passing file is `rr:<box>:<file>`)."""
    return [
        seq
        for seq in session.scalars(
            select(RawRead.seq).where(
                RawRead.race_id == race.id,
                RawRead.device == device,
                RawRead.source.like(source_like),
            )
        )
        if seq is not None
    ]


def _wearers(session: Session, race: Race, chips: set[str]) -> dict[str, Athlete]:
    rows = session.execute(
        select(Chip.code, Athlete)
        .join(Athlete, Chip.athlete_id == Athlete.id)
        .where(Chip.race_id == race.id, Chip.code.in_(chips))
        .options(selectinload(Athlete.chips))
    )
    return {code: athlete for code, athlete in rows}
