"""Chip reads in: stored once in the raw log, then scored into splits (`rescoring`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from ..domain import scoring
from ..domain.race_clock import not_started
from ..models import Athlete, Chip, Race, RawRead, ReadConflict
from .races import hold_gun
from .rescoring import rescore
from .timing_devices import MatRead, clock_offsets_ms, note_mat_reads
from .unknown_chips import note_unknown_chips


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

    @property
    def content(self) -> tuple[str, int, str, str]:
        """What a read says: two reads under one key saying the same are one read."""
        return _content(self.chip, self.time, self.checkpoint, self.line)


def _content(chip: str, time: datetime, checkpoint: str, line: str) -> tuple[str, int, str, str]:
    return (chip, round(time.timestamp() * 1000), checkpoint, line)


@dataclass(frozen=True)
class ReadResult:
    """What became of one read of a batch."""

    key: str
    result: str  # accepted | duplicate | conflict (kept for review, never scored)
    status: str  # used, duplicate, implausible, unknown_chip, ... (TIMING.md §9.10)
    reason: str = ""
    bib: str | None = None


def ingest_reads(
    session: Session, race: Race, reads: list[ReadIn], *, now: datetime, future_tolerance_s: float
) -> list[ReadResult]:
    """Store new reads (a known key with the same content is a no-op; with other content, a
    conflict kept for review), rescore the athletes they touch, report."""
    hold_gun(session, race)
    refusal = not_started(race.gun_time)
    if refusal is not None:
        raise refusal
    keys = [read.key for read in reads]
    known = {
        key: _content(chip, device_time, checkpoint, line)
        for key, chip, device_time, checkpoint, line in session.execute(
            select(
                RawRead.idempotency_key,
                RawRead.chip,
                RawRead.device_time,
                RawRead.checkpoint,
                RawRead.line,
            ).where(RawRead.idempotency_key.in_(keys))
        )
    }
    fresh: dict[str, ReadIn] = {}
    outcomes, conflicts = [], {}
    for read in reads:
        held = known.get(read.key) or (fresh[read.key].content if read.key in fresh else None)
        if held is None:
            fresh[read.key] = read
            outcomes.append("accepted")
        elif held == read.content:
            outcomes.append("duplicate")
        else:
            conflicts[read] = _conflict_reason(read, held)
            outcomes.append("conflict")
    _store(session, race, fresh, now)
    _keep_conflicts(session, race, conflicts, now)
    scored = [read for read, outcome in zip(reads, outcomes, strict=True) if outcome != "conflict"]
    wearers = _wearers(session, race, {read.chip for read in scored})
    touched = list(dict.fromkeys(wearers[read.chip] for read in scored if read.chip in wearers))
    note_unknown_chips(
        session,
        race,
        ((r.chip, r.checkpoint, r.time) for r in fresh.values() if r.chip not in wearers),
    )
    verdicts = rescore(session, race, touched, now=now, future_tolerance_s=future_tolerance_s)
    return [
        ReadResult(read.key, "conflict", "conflict", conflicts[read])
        if outcome == "conflict"
        else _result(read, outcome, wearers.get(read.chip), verdicts)
        for read, outcome in zip(reads, outcomes, strict=True)
    ]


def _conflict_reason(read: ReadIn, held: tuple[str, int, str, str]) -> str:
    chip, millis, checkpoint, line = held
    held_at = datetime.fromtimestamp(millis / 1000, read.time.tzinfo).isoformat()
    return (
        f"{read.key} already holds chip {chip} at {held_at} at {checkpoint} ({line}); this "
        "different read is kept for review, not scored. A bridge that restarts its numbering "
        "needs a new source (e.g. with a boot id)."
    )


def _keep_conflicts(
    session: Session, race: Race, conflicts: dict[ReadIn, str], now: datetime
) -> None:
    """Append conflicting reads for review; one sent again is kept once."""
    rows = {}
    for read, reason in conflicts.items():
        fingerprint = hashlib.sha256(repr((read.key, read.content)).encode()).hexdigest()
        rows[fingerprint] = ReadConflict(
            **_as_sent(read, race, now), reason=reason, fingerprint=fingerprint
        )
    if not rows:
        return
    kept = set(
        session.scalars(
            select(ReadConflict.fingerprint).where(ReadConflict.fingerprint.in_(rows.keys()))
        )
    )
    session.add_all(row for fingerprint, row in rows.items() if fingerprint not in kept)
    session.flush()


def _as_sent(read: ReadIn, race: Race, now: datetime) -> dict:
    """The columns a read keeps exactly as its source sent it (the log and the conflicts)."""
    return {
        "race_id": race.id,
        "idempotency_key": read.key,
        "source": read.source,
        "device": read.device,
        "seq": read.seq,
        "checkpoint": read.checkpoint,
        "line": read.line,
        "chip": read.chip,
        "device_time": read.time,
        "received_at": now,
        "raw": read.raw,
    }


def _store(session: Session, race: Race, fresh: dict[str, ReadIn], now: datetime) -> None:
    """Append the new reads to the log, corrected by their device's clock offset, and add
    them to their mats' totals.

    One multi-row INSERT, not one ORM object per read: the log is append-only and nothing
    in the transaction reads the rows back as objects, and a 500-read batch spent most of
    its time building and flushing them.
    """
    offsets = clock_offsets_ms(session, race, (read.device for read in fresh.values()))
    stored, mat_reads = [], []
    for read in fresh.values():
        offset_ms = offsets.get(read.device, 0)
        read_at = read.time + timedelta(milliseconds=offset_ms)
        stored.append(
            {**_as_sent(read, race, now), "clock_offset_ms": offset_ms, "read_at": read_at}
        )
        mat_reads.append(MatRead(read.device, read.checkpoint, read.line, read_at))
    if stored:
        session.execute(insert(RawRead), stored)
    note_mat_reads(session, race, mat_reads, now)
    session.flush()


def _result(read: ReadIn, outcome: str, athlete, verdicts) -> ReadResult:
    """What became of one stored (or already stored) read of the batch."""
    if athlete is None:
        verdict = scoring.Verdict(
            "unknown_chip", f"no athlete wears chip {read.chip}; kept, scored once assigned"
        )
    else:
        verdict = verdicts.get(read.key)
    return ReadResult(
        key=read.key,
        result=outcome,
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
