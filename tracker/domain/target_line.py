"""The target line between mats: where a runner exactly on the target schedule is, and
where the athlete is estimated to be, at any moment of the race clock.

Both are tracks of (elapsed s, distance m) points, straight between points and held
after the last: the server sends them and the pages only interpolate them from the
synced clock, so the estimate has one definition, here.
"""

from __future__ import annotations

from collections.abc import Sequence

from .course import Course
from .projection import Passing

Track = tuple[tuple[float, float], ...]

# The athlete has not been read at the next mat yet, so the estimate stops short of it.
SHORT_OF_NEXT_MAT_M = 1.0


def line_track(course: Course) -> Track:
    """The target line: a runner on the target schedule, mat by mat.

    >>> line_track(Course(42195, 7200))
    ((0.0, 0.0), (7200, 42195))
    """
    return tuple((elapsed, distance) for distance, elapsed in course.schedule())


def athlete_track(
    course: Course, passings: Sequence[Passing], recorded_m: float = 0.0, gun_s: float = 0.0
) -> Track:
    """The athlete's estimate: from the last mat at the last segment's pace (the average
    pace after a single split, run from their wave's gun, `gun_s` after the race's), held
    just short of the next mat until it reads them.

    `recorded_m` is the furthest checkpoint with any time for them, even one the estimate
    does not stand on (approximate or flagged): the estimate runs on past it to the next.

    Vienna, 30 km in 1:25:11 after 25 km in 1:10:59 (2:50.4/km): 35 km less a metre is
    reached 852 s later, at 5962.8 s.

    >>> from tracker.domain.course import CheckpointMark
    >>> vienna = [Passing("25K", 25000, 4259), Passing("30K", 30000, 5111)]
    >>> athlete_track(Course(42195, 7200, (CheckpointMark("35K", 35000),)), vienna)
    ((5111, 30000), (5962.8296, 34999.0))
    >>> athlete_track(Course(42195, 7200), [])
    ()
    """
    ordered = sorted(passings, key=lambda passing: passing.distance_m)
    if not ordered:
        return ()
    last = ordered[-1]
    if last.distance_m >= course.distance_m:
        return ((last.elapsed_s, course.distance_m),)
    before = ordered[-2] if len(ordered) > 1 else Passing("START", 0.0, gun_s)
    seconds_per_m = (last.elapsed_s - before.elapsed_s) / (last.distance_m - before.distance_m)
    reached = max(last.distance_m, recorded_m)
    ahead = [mark.distance_m for mark in course.checkpoints if mark.distance_m > reached]
    stop_m = (ahead[0] if ahead else course.distance_m) - SHORT_OF_NEXT_MAT_M
    reached_s = last.elapsed_s + (stop_m - last.distance_m) * seconds_per_m
    return ((last.elapsed_s, last.distance_m), (round(reached_s, 4), stop_m))


def along(track: Track, elapsed_s: float) -> float | None:
    """The distance on a track at a moment: straight between points, held at either end.

    >>> along(((0.0, 0.0), (7200, 42195)), 3600), along(((5111, 30000),), 6000)
    (21097.5, 30000)
    """
    if not track:
        return None
    if elapsed_s <= track[0][0]:
        return track[0][1]
    for (t0, d0), (t1, d1) in zip(track, track[1:], strict=False):
        if elapsed_s <= t1:
            return d0 + (d1 - d0) * (elapsed_s - t0) / (t1 - t0)
    return track[-1][1]


def metres_ahead(course: Course, passings: Sequence[Passing], elapsed_s: float) -> float | None:
    """How far the athlete's estimate is ahead of the target line (negative: behind).

    Vienna at 1:26:00, 49 s after the 30 km mat (1:25:11, 2:50.4/km over the last 5 km):
    the athlete is about 30,287.6 m out, the line at 30,239.8 m: 47.8 m ahead of it.

    >>> vienna = [Passing("25K", 25000, 4259), Passing("30K", 30000, 5111)]
    >>> round(metres_ahead(Course(42195, 7200), vienna, 5160), 1)
    47.8
    """
    athlete = along(athlete_track(course, passings), elapsed_s)
    if athlete is None:
        return None
    return athlete - along(line_track(course), elapsed_s)
