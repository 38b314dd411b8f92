"""The officials' review queue: what needs a human, kind by kind, paged across kinds.

Overdue athletes (the named safety list) come first, then flagged splits, read-key
conflicts and unknown chips. Each kind counts and pages itself on an index, so a page of
the queue costs a few queries however large the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from ..domain import overdue, scoring
from ..domain.race_clock import elapsed_at
from ..models import Athlete, Race, ReadConflict, Split, UnknownChip
from .courses import course_of
from .snapshots import split_view

OVERDUE, FLAGGED_SPLIT, READ_CONFLICT, UNKNOWN_CHIP = (
    "overdue",
    "flagged_split",
    "read_conflict",
    "unknown_chip",
)
KINDS = (OVERDUE, FLAGGED_SPLIT, READ_CONFLICT, UNKNOWN_CHIP)


@dataclass(frozen=True)
class _Source:
    """One kind of item: how many there are, and a page of them."""

    count: Callable[[], int]
    page: Callable[[int, int], list[dict]]


def review_queue(
    session: Session,
    race: Race,
    *,
    now: datetime,
    kinds: tuple[str, ...] = KINDS,
    overdue_after_s: float = overdue.OVERDUE_AFTER_S,
    offset: int = 0,
    limit: int = 50,
) -> dict:
    """A page of the queue, with the count of every kind asked for."""
    sources = {kind: _source(kind, session, race, now, overdue_after_s) for kind in kinds}
    counts = {kind: source.count() for kind, source in sources.items()}
    items: list[dict] = []
    skip = offset
    for kind, source in sources.items():
        if skip >= counts[kind]:
            skip -= counts[kind]
            continue
        if len(items) >= limit:
            break
        items += source.page(skip, limit - len(items))
        skip = 0
    return {
        "total": sum(counts.values()),
        "counts": counts,
        "offset": offset,
        "limit": limit,
        "overdue_after_s": overdue_after_s,
        "items": items,
    }


def _source(kind: str, session: Session, race: Race, now: datetime, after_s: float) -> _Source:
    if kind == OVERDUE:
        return _overdue_source(session, race, now, after_s)
    if kind == FLAGGED_SPLIT:
        return _flagged_source(session, race)
    if kind == READ_CONFLICT:
        return _conflict_source(session, race)
    return _unknown_chip_source(session, race)


def _flagged_source(session: Session, race: Race) -> _Source:
    """Live splits the checks flag (on the partial index `ix_splits_flagged`)."""
    where = (Split.race_id == race.id, Split.flag.is_not(None), Split.voided_at.is_(None))

    def page(offset: int, limit: int) -> list[dict]:
        splits = session.scalars(
            select(Split)
            .where(*where)
            .order_by(Split.received_at, Split.id)
            .offset(offset)
            .limit(limit)
            .options(selectinload(Split.athlete), selectinload(Split.checkpoint))
        )
        return [
            {
                "id": f"{FLAGGED_SPLIT}:{split.id}",
                "kind": FLAGGED_SPLIT,
                "flag": split.flag,
                "bib": split.athlete.bib,
                "name": split.athlete.name,
                "checkpoint": split.checkpoint.code,
                "split": split_view(race, split, split.flag),
                "actions": ["confirm", "correct", "void"],
            }
            for split in splits
        ]

    return _Source(lambda: _count(session, Split, where), page)


def _conflict_source(session: Session, race: Race) -> _Source:
    """Reads that came under a key the raw log holds with other content (never scored)."""
    where = (ReadConflict.race_id == race.id,)

    def page(offset: int, limit: int) -> list[dict]:
        rows = session.scalars(
            select(ReadConflict).where(*where).order_by(ReadConflict.id).offset(offset).limit(limit)
        )
        return [
            {
                "id": f"{READ_CONFLICT}:{row.id}",
                "kind": READ_CONFLICT,
                "key": row.idempotency_key,
                "chip": row.chip,
                "checkpoint": row.checkpoint,
                "line": row.line,
                "device": row.device,
                "device_time": row.device_time.isoformat(),
                "received_at": row.received_at.isoformat(),
                "reason": row.reason,
                "actions": [],
            }
            for row in rows
        ]

    return _Source(lambda: _count(session, ReadConflict, where), page)


def _unknown_chip_source(session: Session, race: Race) -> _Source:
    """Chips read at the mats that no athlete wears (until one is assigned)."""
    where = (UnknownChip.race_id == race.id,)

    def page(offset: int, limit: int) -> list[dict]:
        rows = session.scalars(
            select(UnknownChip)
            .where(*where)
            .order_by(UnknownChip.first_read_at, UnknownChip.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            {
                "id": f"{UNKNOWN_CHIP}:{row.chip}",
                "kind": UNKNOWN_CHIP,
                "chip": row.chip,
                "reads": row.reads,
                "first_read_at": row.first_read_at.isoformat(),
                "last_read_at": row.last_read_at.isoformat(),
                "last_checkpoint": row.last_checkpoint,
                "actions": ["assign"],
            }
            for row in rows
        ]

    return _Source(lambda: _count(session, UnknownChip, where), page)


def _count(session: Session, model, where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _overdue_source(session: Session, race: Race, now: datetime, after_s: float) -> _Source:
    """Athletes in the race past their expected time at their next mat, by mat in course
    order, the longest overdue first (found once, however often counted and paged)."""
    found: list[dict] = []
    for at in _overdue_at_each_mat(session, race, now, after_s):
        found += at.items()
    return _Source(lambda: len(found), lambda offset, limit: found[offset : offset + limit])


@dataclass(frozen=True)
class _OverdueAt:
    """Who is overdue at one mat: candidates found on an index, then checked one by one."""

    session: Session
    query: object  # rows of (athlete, elapsed ms at the last mat, or None before the first)
    due_at: str
    last_code: str | None
    expected: Callable[[Athlete, int | None], float]
    race_elapsed_s: float
    after_s: float

    def items(self) -> list[dict]:
        found = []
        for athlete, last_ms in self.session.execute(self.query):
            expected_s = self.expected(athlete, last_ms)
            late = overdue.overdue_by_s(expected_s, self.race_elapsed_s, self.after_s)
            if late is None:
                continue
            found.append(
                {
                    "id": f"{OVERDUE}:{athlete.bib}@{self.due_at}",
                    "kind": OVERDUE,
                    "bib": athlete.bib,
                    "name": athlete.name,
                    "checkpoint": self.due_at,
                    "last_checkpoint": self.last_code,
                    "last_elapsed_s": None if last_ms is None else last_ms / 1000,
                    "expected_elapsed_s": round(expected_s, 3),
                    "late_s": round(late, 3),
                    "actions": ["status", "reads"],
                }
            )
        found.sort(key=lambda item: (-item["late_s"], item["bib"]))
        return found


def _overdue_at_each_mat(session: Session, race: Race, now: datetime, after_s: float) -> list:
    """For each mat in course order, who may be overdue there (nobody before the gun)."""
    if race.gun_time is None:
        return []
    race_elapsed_s = elapsed_at(race.gun_time, now, race.clock_rate)
    marks = course_of(race).checkpoints
    ids = {cp.code: cp.id for cp in race.checkpoints}
    waves = [(w.gun_time - race.gun_time).total_seconds() for w in race.waves if w.gun_time]
    latest_start_s = max([0.0, *waves]) + scoring.START_WINDOW_S
    in_race = (Athlete.race_id == race.id, Athlete.status.is_(None))
    found = []
    for index, mark in enumerate(marks):
        beyond = aliased(Split)
        # Seen here or further on: not overdue here (a missed mat is not a missing runner).
        not_beyond = ~exists().where(
            and_(
                beyond.athlete_id == Athlete.id,
                beyond.checkpoint_id.in_([ids[m.code] for m in marks[index:]]),
                beyond.voided_at.is_(None),
            )
        )
        if index == 0:
            # Only who crossed the start mat: without that, nobody knows they are out there.
            latest = race_elapsed_s - after_s - overdue.expected_first_s(0.0, mark.distance_m)
            query = select(Athlete, Athlete.chip_start_ms).where(
                *in_race,
                Athlete.chip_start_ms.is_not(None),
                Athlete.chip_start_ms < _ms_bound(latest),
                not_beyond,
            )

            def expected(athlete, _ms, distance=mark.distance_m):
                return overdue.expected_first_s(athlete.chip_start_ms / 1000, distance)

            found.append(
                _OverdueAt(session, query, mark.code, None, expected, race_elapsed_s, after_s)
            )
            continue
        previous = marks[index - 1]
        bound = overdue.latest_overdue_elapsed_s(
            race_elapsed_s, after_s, previous.distance_m, mark.distance_m, latest_start_s
        )
        query = (
            select(Athlete, Split.elapsed_ms)
            .join(Split, Split.athlete_id == Athlete.id)
            .where(
                *in_race,
                Split.checkpoint_id == ids[previous.code],
                Split.voided_at.is_(None),
                Split.elapsed_ms < _ms_bound(bound),
                not_beyond,
            )
        )

        def expected(athlete, ms, last=previous.distance_m, distance=mark.distance_m):
            return overdue.expected_elapsed_s(_own_start_s(athlete), ms / 1000, last, distance)

        found.append(
            _OverdueAt(session, query, mark.code, previous.code, expected, race_elapsed_s, after_s)
        )
    return found


def _ms_bound(seconds: float) -> int:
    """Seconds as an upper bound in ms that fits the columns (a race long over has every
    time below it)."""
    return min(round(seconds * 1000), 2**31 - 1)


def _own_start_s(athlete: Athlete) -> float:
    start_ms = athlete.chip_start_ms if athlete.chip_start_ms is not None else athlete.gun_offset_ms
    return (start_ms or 0) / 1000
