"""An athlete's pace shape: elapsed times on the 5 km grid and the features the finish
model's regressions read from them (../shared/docs/PROJECTION.md, REG).

Pure and stdlib-only: the fitting tools (numpy) call `pace_features` here, so the live
server and the fit see the same features.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

GRID_KM = (5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0)
# Knots of the piecewise-linear terms: average pace (s/km) and the last segment's pace
# relative to the average.
PACE_KNOTS_S_PER_KM = (210.0, 240.0, 270.0, 300.0, 360.0, 420.0)
TREND_KNOTS = (-0.05, 0.0, 0.05, 0.1)
_LOG_PACE_KNOTS = tuple(math.log(knot) for knot in PACE_KNOTS_S_PER_KM)


@lru_cache(maxsize=64)
def grid_for(distance_km: float) -> tuple[float, ...]:
    """The points whose elapsed times describe a run to `distance_km`: every 5 km before it,
    then the point itself.

    >>> grid_for(21.0975)
    (5.0, 10.0, 15.0, 20.0, 21.0975)
    """
    return tuple(km for km in GRID_KM if km < distance_km - 1e-9) + (distance_km,)


def pace_features(distance_km: float, elapsed_on_grid: Sequence[float]) -> list[float]:
    """The regression's inputs for a run to `distance_km`, from its elapsed times at
    `grid_for(distance_km)`: average pace, each segment's pace relative to it, and a few
    curved terms (a fast runner's fade is not a slow runner's).

    >>> [round(x, 4) for x in pace_features(10.0, [1500.0, 3060.0])[:6]]
    [1.0, 5.7236, -0.0198, 0.0194, -0.1133, 0.1111]
    """
    log = math.log
    average = elapsed_on_grid[-1] / distance_km
    log_average = log(average)
    relative = [
        log((elapsed - before_s) / segment_km / average)
        for elapsed, before_s, segment_km in zip(
            elapsed_on_grid, (0.0, *elapsed_on_grid[:-1]), _segments_km(distance_km), strict=True
        )
    ]
    last = relative[-1]
    previous = relative[-2] if len(relative) > 1 else 0.0
    # Built in place rather than by unpacking lists: this runs once per projection.
    features = [1.0, log_average, *relative]
    features += [log_average * r for r in relative]
    features += (log_average**2, last**2, previous**2, last * previous)
    features += [last - knot if last > knot else 0.0 for knot in TREND_KNOTS]
    features += [
        log_average - log_knot if log_average > log_knot else 0.0 for log_knot in _LOG_PACE_KNOTS
    ]
    return features


@lru_cache(maxsize=64)
def _segments_km(distance_km: float) -> tuple[float, ...]:
    """The length of each step of `grid_for(distance_km)`, the first from the start."""
    grid = grid_for(distance_km)
    return tuple(km - before_km for km, before_km in zip(grid, (0.0, *grid[:-1]), strict=True))


def elapsed_on_grid(passings: Sequence[tuple[float, float]], distance_km: float) -> list[float]:
    """Elapsed times at `grid_for(distance_km)`, interpolated between passings
    ((km, seconds) in distance order, from the athlete's own start): missing mats and
    checkpoints off the 5 km grid become straight lines between the mats that were read.

    >>> [round(t, 1) for t in elapsed_on_grid([(10.0, 3000.0), (21.0975, 6500.0)], 21.0975)]
    [1500.0, 3000.0, 4576.9, 6153.9, 6500.0]
    """
    points = [(0.0, 0.0), *passings]
    last = len(points) - 1
    right, result = 1, []
    for km in grid_for(distance_km):  # both in distance order: one walk along the passings
        while right < last and points[right][0] < km - 1e-9:
            right += 1
        (k0, t0), (k1, t1) = points[right - 1], points[right]
        result.append(t1 if abs(k1 - km) < 1e-9 else t0 + (t1 - t0) * (km - k0) / (k1 - k0))
    return result
