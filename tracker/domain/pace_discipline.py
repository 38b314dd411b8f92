"""Pace discipline: how far each segment drifted from the target schedule's pace.

The INEOS pacers held the line to about a second per km; a race sets its own tolerance, and
a segment outside it is flagged for commentators and officials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .course import Course
from .pace import pace_s_per_km
from .projection import Passing

# A second per km either way: what the Vienna pacers held (seconds per km).
DEFAULT_TOLERANCE_S_PER_KM = 1.0


@dataclass(frozen=True)
class Drift:
    """One segment against the schedule: run and target pace, and whether it was outside."""

    checkpoint: str
    pace_s_per_km: float
    target_s_per_km: float
    drift_s_per_km: float  # positive: slower than the schedule
    outside: bool


def drifts(course: Course, passings: Sequence[Passing], tolerance_s_per_km: float) -> list[Drift]:
    """Each measured segment's drift from the schedule, flagged when beyond the tolerance.

    Vienna's finish: 40 km to the line (2.195 km) in 6:04.2 is 2:45.9/km against the
    schedule's 2:50.6/km, 4.7 s/km fast: outside a tolerance of one second.

    >>> last_two = [Passing("40K", 40000, 6816), Passing("FINISH", 42195, 7180.2)]
    >>> [(d.checkpoint, round(d.drift_s_per_km, 1), d.outside)
    ...  for d in drifts(Course(42195, 7200), last_two, 1.0)]
    [('40K', -0.2, False), ('FINISH', -4.7, True)]
    """
    out: list[Drift] = []
    before = Passing("START", 0.0, 0.0)
    for passing in sorted(passings, key=lambda p: p.distance_m):
        metres = passing.distance_m - before.distance_m
        if metres <= 0:
            continue
        run = pace_s_per_km(passing.elapsed_s - before.elapsed_s, metres)
        planned = course.target_elapsed_at(passing.distance_m) - course.target_elapsed_at(
            before.distance_m
        )
        target = pace_s_per_km(planned, metres)
        drift = run - target
        out.append(Drift(passing.checkpoint, run, target, drift, abs(drift) > tolerance_s_per_km))
        before = passing
    return out
