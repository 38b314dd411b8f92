"""Reference runs a live athlete can be compared with (a "ghost"): published 5 km splits.

Elapsed seconds from the gun at each distance, as listed in ../shared/data/elite_splits.csv,
with the sources it names. Vienna 2019's half-way time is left out: the sources disagree
(59:35 to 59:54). Berlin 2022 (2:01:09) and Chicago 2023 (2:00:35) carry only the points two
race reports agree on (no full 5 km table was at hand to check against); between points a
ghost runs at even pace, so its gap is exact at those points and an estimate between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .target_line import Track


@dataclass(frozen=True)
class ReferenceRun:
    """A published race run: who, where, the finish, the splits and where they come from."""

    key: str
    name: str
    finish_s: float
    source: str
    splits: tuple[tuple[float, float], ...]  # (distance m, elapsed s), start excluded

    def track(self) -> Track:
        """The run as a track of (elapsed s, distance m) points from the gun."""
        return ((0.0, 0.0), *((elapsed, distance) for distance, elapsed in self.splits))


def _at(finish: float, **elapsed_at_km: float) -> tuple:
    """Points at the distances a source gives: `_at(7269, k5=854, half=3591)`."""
    points = [
        (21097.5 if key == "half" else 1000.0 * float(key[1:]), t)
        for key, t in elapsed_at_km.items()
    ]
    return (*sorted(points), (42195.0, finish))


def _every_5k(*elapsed: float, half: float | None = None, finish: float) -> tuple:
    points = [(5000.0 * (i + 1), t) for i, t in enumerate(elapsed)]
    if half is not None:
        points.append((21097.5, half))
    points.append((42195.0, finish))
    return tuple(sorted(points))


REFERENCE_RUNS = (
    ReferenceRun(
        "vienna-2019",
        "Kipchoge, Vienna 2019",
        7180.2,
        "therunningplan.com official splits list; 40 km thesportsexaminer.com; finish Wikipedia",
        _every_5k(850, 1700, 2554, 3407, 4259, 5111, 5963, 6816, finish=7180.2),
    ),
    ReferenceRun(
        "monza-2017",
        "Kipchoge, Breaking2 Monza 2017",
        7225.0,
        "FloTrack 5K split table (milesplit.com); half and finish World Athletics",
        _every_5k(854, 1701, 2554, 3409, 4263, 5120, 5977, 6844, half=3597, finish=7225),
    ),
    ReferenceRun(
        "berlin-2018",
        "Kipchoge, Berlin 2018 (world record)",
        7299.0,
        "World Athletics race report; 20 and 35 km FloTrack km-split table",
        _every_5k(864, 1741, 2618, 3476, 4344, 5205, 6061, 6932, half=3666, finish=7299),
    ),
    ReferenceRun(
        "berlin-2022",
        "Kipchoge, Berlin 2022 (world record)",
        7269.0,
        "race reports: germanroadraces.de (5 and 10 km), informereastafrica.com (half, 30 km"
        " and finish); no 15, 20, 25, 35 or 40 km time",
        _at(7269, k5=854, k10=1703, half=3591, k30=5140),
    ),
    ReferenceRun(
        "chicago-2023",
        "Kiptum, Chicago 2023 (world record)",
        7235.0,
        "race reports: letsrun.com and runabc.co.uk (half 1:00:48, finish); half and finish only",
        _at(7235, half=3648),
    ),
)

# Ghosts only make sense over the distance they ran.
MARATHON_M = 42195.0


def reference_runs_for(distance_m: float) -> tuple[ReferenceRun, ...]:
    """The reference runs over this race's distance (none for other distances).

    >>> [run.key for run in reference_runs_for(42195.0)][:1], reference_runs_for(10000.0)
    (['vienna-2019'], ())
    """
    return REFERENCE_RUNS if abs(distance_m - MARATHON_M) < 1.0 else ()


def seconds_behind(run: ReferenceRun, distance_m: float, elapsed_s: float) -> float:
    """Seconds behind the reference run at a distance (negative: ahead of it).

    Vienna 2019 at 30 km in 1:25:20 against Berlin 2018 (1:26:45 there): 85 s ahead.

    >>> seconds_behind(REFERENCE_RUNS[2], 30000.0, 5120.0)
    -85.0
    """
    points = run.track()
    for (t0, d0), (t1, d1) in zip(points, points[1:], strict=False):
        if d0 <= distance_m <= d1:
            return elapsed_s - (t0 + (t1 - t0) * (distance_m - d0) / (d1 - d0))
    return elapsed_s - points[-1][0]
