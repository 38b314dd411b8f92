"""Checks on an athlete's splits that flag times no runner could have run.

A flagged split is kept and shown to officials; it is left out of the projection until
an official corrects it, or confirms it as run (a confirmed split is never flagged).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from .course import FASTEST_PLAUSIBLE_PACE_S_PER_KM, SLOWEST_PLAUSIBLE_PACE_S_PER_KM
from .projection import Passing

IMPLAUSIBLE_PACE = "implausible_pace"
NON_MONOTONIC = "non_monotonic"


def flag_splits(
    passings: Sequence[Passing],
    *,
    fastest_pace: float = FASTEST_PLAUSIBLE_PACE_S_PER_KM,
    slowest_pace: float = SLOWEST_PLAUSIBLE_PACE_S_PER_KM,
    confirmed: Collection[str] = (),
) -> dict[str, str]:
    """Map checkpoint code to a flag for every split that cannot be right.

    Each split is checked against the last unflagged split before it in distance
    (or the gun), so one bad time does not condemn its neighbours. A checkpoint an
    official `confirmed` is taken as run: unflagged, and the anchor for the next.

    >>> flag_splits([Passing("5K", 5000, 850), Passing("10K", 10000, 1000)])
    {'10K': 'implausible_pace'}
    >>> flag_splits([Passing("5K", 5000, 850), Passing("10K", 10000, 1000)], confirmed={"10K"})
    {}
    """
    flags: dict[str, str] = {}
    anchor = Passing("START", 0.0, 0.0)
    for passing in sorted(passings, key=lambda p: p.distance_m):
        if passing.checkpoint in confirmed:
            anchor = passing
            continue
        seconds = passing.elapsed_s - anchor.elapsed_s
        metres = passing.distance_m - anchor.distance_m
        if seconds <= 0:
            flags[passing.checkpoint] = NON_MONOTONIC
            continue
        pace = seconds * 1000.0 / metres if metres > 0 else 0.0
        if not fastest_pace <= pace <= slowest_pace:
            flags[passing.checkpoint] = IMPLAUSIBLE_PACE
            continue
        anchor = passing
    return flags
