"""Finish projection for one athlete from the splits so far.

This module is the one place where a projection is computed: the live server, the
snapshots and the evaluation command (`flask projection evaluate`) all call `project`.
The finish itself comes from `finish_model.estimate_finish`; this module adds the paces,
gaps, the range, the chance of the target and the ETAs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import NamedTuple

from .course import Course
from .finish_model import FinishModel, estimate_finish
from .pace import pace_s_per_km
from .race_clock import wall_clock_at


@dataclass(frozen=True)
class Passing:
    """An athlete's accepted time at a checkpoint, in seconds from the gun."""

    checkpoint: str
    distance_m: float
    elapsed_s: float


class Eta(NamedTuple):
    """When an athlete is expected at a checkpoint still ahead."""

    checkpoint: str
    distance_m: float
    elapsed_s: float
    at: datetime | None


class Projection(NamedTuple):
    """Everything a commentator reads off one athlete's splits.

    A named tuple, like `Eta`: as immutable as a frozen dataclass, whose fifteen checked
    assignments made it several times slower to build (10.7 µs against 1.5 µs here), once
    per athlete of a 40,000-runner race.
    """

    last_checkpoint: str | None
    last_elapsed_s: float | None
    distance_m: float
    finished: bool
    pace_s_per_km: float | None
    last_segment_pace_s_per_km: float | None
    gap_s: float | None
    projected_finish_s: float | None
    projected_margin_s: float | None
    required_pace_s_per_km: float | None
    eta: tuple[Eta, ...]
    # The 80 % range of the finish, the chance of beating the target, and which estimate
    # made them (fitted, elite, blend, baseline; "finished" once across the line).
    projected_low_s: float | None = None
    projected_high_s: float | None = None
    probability_under_target: float | None = None
    method: str | None = None


_BY_DISTANCE = attrgetter("distance_m")


def average_pace_finish(course: Course, passings: Sequence[Passing]) -> float:
    """Projected finish if the average pace so far holds to the line.

    >>> vienna_30k = [Passing("30K", 30000, 5111)]
    >>> round(average_pace_finish(Course(42195, 7200), vienna_30k), 1)   # 1:59:48.6
    7188.6
    """
    last = passings[-1]
    return last.elapsed_s * course.distance_m / last.distance_m


def project(
    course: Course,
    passings: Sequence[Passing],
    *,
    gun_time: datetime | None = None,
    clock_rate: float = 1.0,
    model: FinishModel | None = None,
    own_start_s: float = 0.0,
    gun_s: float = 0.0,
) -> Projection:
    """Project an athlete's finish from accepted passings (any order, one per checkpoint).

    (Over 50 lines only for the one Projection it builds, a field a line.)

    Before the first split the ETAs follow the target schedule. After it: average and
    last-segment pace, gap to the target schedule (negative = ahead), projected finish
    with its 80 % range and margin (negative = under the target), the chance of finishing
    under the target, the pace still required, and ETAs spread evenly between the last
    checkpoint and the projected finish.

    Times are from the race's gun; the athlete's schedule and target count from their own
    gun, `gun_s` after it (their start wave's). `own_start_s` (the athlete's start-mat
    crossing) is taken off before the finish model sees them, since pace is run from one's
    own start.
    """
    ordered = sorted(passings, key=_BY_DISTANCE)
    if not ordered:
        return _before_the_first_split(course, gun_time, clock_rate, gun_s)
    last = ordered[-1]
    previous = ordered[-2] if len(ordered) > 1 else Passing("START", 0.0, gun_s)
    finished = last.distance_m >= course.distance_m
    target_at_s = gun_s + course.target_s  # the target, on the race's clock
    if finished:
        projected = low = high = last.elapsed_s
        chance, method = float(last.elapsed_s < target_at_s), "finished"
    else:
        projected, low, high, chance, method = _finish_estimate(
            course, ordered, model, own_start_s, target_at_s
        )
    required = None if finished else _required_pace(course, last, gun_s)
    return Projection(
        last_checkpoint=last.checkpoint,
        last_elapsed_s=last.elapsed_s,
        distance_m=last.distance_m,
        finished=finished,
        pace_s_per_km=pace_s_per_km(last.elapsed_s - gun_s, last.distance_m),
        last_segment_pace_s_per_km=pace_s_per_km(
            last.elapsed_s - previous.elapsed_s, last.distance_m - previous.distance_m
        ),
        gap_s=last.elapsed_s - gun_s - course.target_elapsed_at(last.distance_m),
        projected_finish_s=projected,
        projected_margin_s=projected - target_at_s,
        required_pace_s_per_km=required,
        eta=()
        if finished
        else _etas(course, last.distance_m, last.elapsed_s, projected, gun_time, clock_rate),
        projected_low_s=low,
        projected_high_s=high,
        probability_under_target=chance,
        method=method,
    )


def _required_pace(course: Course, last: Passing, gun_s: float) -> float | None:
    """The pace still needed to be on schedule at the next point the schedule names (the
    finish, or a checkpoint of a pacing plan); none once that time has gone.

    30 km in 1:25:11 against 2:00:00: 2089 s for the last 12.195 km is 2:51.3/km.

    >>> round(_required_pace(Course(42195, 7200), Passing("30K", 30000, 5111), 0.0), 1)
    171.3
    """
    next_m, next_s = next(
        (d, t) for d, t in course.schedule() if d > last.distance_m or d >= course.distance_m
    )
    time_left = gun_s + next_s - last.elapsed_s
    return pace_s_per_km(time_left, next_m - last.distance_m) if time_left > 0 else None


def not_projected(course: Course, passings: Sequence[Passing], gun_s: float = 0.0) -> Projection:
    """Where an athlete out of the race (dns, dnf, dq) was last seen, and nothing ahead; the
    average pace is run from their wave's gun, `gun_s` after the race's.

    >>> not_projected(Course(42195, 7200), [Passing("10K", 10000, 1800)]).projected_finish_s
    """
    ordered = sorted(passings, key=lambda passing: passing.distance_m)
    last = ordered[-1] if ordered else None
    return Projection(
        last_checkpoint=last.checkpoint if last else None,
        last_elapsed_s=last.elapsed_s if last else None,
        distance_m=last.distance_m if last else 0.0,
        finished=bool(last) and last.distance_m >= course.distance_m,
        pace_s_per_km=pace_s_per_km(last.elapsed_s - gun_s, last.distance_m) if last else None,
        last_segment_pace_s_per_km=None,
        gap_s=None,
        projected_finish_s=None,
        projected_margin_s=None,
        required_pace_s_per_km=None,
        eta=(),
    )


def _before_the_first_split(
    course: Course, gun_time: datetime | None, clock_rate: float, gun_s: float
) -> Projection:
    """Nothing to project yet: the ETAs follow the target schedule."""
    return Projection(
        last_checkpoint=None,
        last_elapsed_s=None,
        distance_m=0.0,
        finished=False,
        pace_s_per_km=None,
        last_segment_pace_s_per_km=None,
        gap_s=None,
        projected_finish_s=None,
        projected_margin_s=None,
        required_pace_s_per_km=None,
        eta=_etas(course, 0.0, gun_s, gun_s + course.target_s, gun_time, clock_rate),
    )


def _finish_estimate(
    course: Course,
    ordered: Sequence[Passing],
    model: FinishModel | None,
    own_start_s: float,
    target_at_s: float,
) -> tuple[float, float, float, float, str]:
    """The finish model's median, 80 % range, chance of the target and method, on the
    athlete's own clock (pace is run from one's own start) and given back from the gun."""
    last = ordered[-1]
    estimate = estimate_finish(
        model,
        course.distance_m / 1000,
        [
            (passing.distance_m / 1000, passing.elapsed_s - own_start_s)
            for passing in ordered
            if passing.elapsed_s > own_start_s
        ]
        or [(last.distance_m / 1000, last.elapsed_s)],
    )
    chance = estimate.probability_under(max(target_at_s - own_start_s, 1.0))
    return (
        own_start_s + estimate.median_s,
        own_start_s + estimate.low_s,
        own_start_s + estimate.high_s,
        chance,
        estimate.method,
    )


def _etas(
    course: Course,
    from_m: float,
    from_s: float,
    finish_s: float,
    gun_time: datetime | None,
    clock_rate: float,
) -> tuple[Eta, ...]:
    """ETAs at the checkpoints beyond `from_m`, on a straight line to the projected finish."""
    seconds_per_m = (finish_s - from_s) / (course.distance_m - from_m)
    return tuple(
        Eta(
            mark.code,
            mark.distance_m,
            elapsed := from_s + (mark.distance_m - from_m) * seconds_per_m,
            None if gun_time is None else wall_clock_at(gun_time, elapsed, clock_rate),
        )
        for mark in course.checkpoints
        if mark.distance_m > from_m
    )
