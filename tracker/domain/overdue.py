"""Overdue athletes: who should have reached a mat by now and has not, for the officials'
named safety list. Pure: the caller turns the bound given here into one indexed range.
"""

from __future__ import annotations

from .course import SLOWEST_PLAUSIBLE_PACE_S_PER_KM

OVERDUE_AFTER_S = 900.0  # listed once this much later than expected at the next mat


def expected_elapsed_s(
    start_s: float, last_elapsed_s: float, last_distance_m: float, distance_m: float
) -> float:
    """When an athlete is expected at `distance_m` (seconds from the gun), at their average
    pace since their own start.

    10 km in 40:00 after starting 60 s behind the gun: 15 km expected at 60 + 2400 × 1.5.

    >>> expected_elapsed_s(60.0, 2460.0, 10_000, 15_000)
    3660.0
    """
    return start_s + (last_elapsed_s - start_s) * distance_m / last_distance_m


def expected_first_s(start_s: float, distance_m: float) -> float:
    """When an athlete who crossed the start is expected at the first mat: at the slowest
    plausible pace (without a mat behind them there is no pace of their own to go on).

    >>> expected_first_s(0.0, 5_000)
    6000.0
    """
    return start_s + distance_m / 1000 * SLOWEST_PLAUSIBLE_PACE_S_PER_KM


def latest_overdue_elapsed_s(
    race_elapsed_s: float,
    after_s: float,
    last_distance_m: float,
    distance_m: float,
    latest_start_s: float,
) -> float:
    """The latest time at the previous mat of anyone overdue at this one now: a bound for
    one range on an indexed column, exact for an athlete who started with the gun and
    loose by at most the latest start's share for the others (checked one by one).

    >>> latest_overdue_elapsed_s(4500.0, 900.0, 10_000, 15_000, 0.0)
    2400.0
    """
    ratio = distance_m / last_distance_m
    return (race_elapsed_s - after_s) / ratio + latest_start_s * (1 - 1 / ratio)


def overdue_by_s(expected_s: float, race_elapsed_s: float, after_s: float) -> float | None:
    """How far past the threshold an athlete expected at `expected_s` is, or None.

    >>> overdue_by_s(3000.0, 4000.0, 900.0), overdue_by_s(3000.0, 3800.0, 900.0)
    (1000.0, None)
    """
    late = race_elapsed_s - expected_s
    return late if late > after_s else None
