"""Overdue athletes: the officials' named safety list of who should have reached a mat by
now and has not (`domain.overdue`), one indexed range per mat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from ..domain import overdue, scoring
from ..domain.race_clock import elapsed_at
from ..models import Athlete, Race, Split
from .courses import course_of

OVERDUE = "overdue"


def overdue_athletes(session: Session, race: Race, *, now: datetime, after_s: float) -> list[dict]:
    """Athletes in the race past their expected time at their next mat by more than
    `after_s`, by mat in course order, the longest overdue first."""
    found: list[dict] = []
    for at in _overdue_at_each_mat(session, race, now, after_s):
        found += at.items()
    return found


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
    # domain.athlete_status.due_at_mats, as SQL: in the race and in no pacer group.
    in_race = (
        Athlete.race_id == race.id,
        Athlete.status.is_(None),
        Athlete.pacer_group_id.is_(None),
    )
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
