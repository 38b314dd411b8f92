"""Storylines for the commentary board: what changed in an athlete's race at the last mat.

"projection improved 7 s since 30K", "fastest segment so far", "behind the schedule for the
first time since 15K". Figures round toward slower, as every figure against the target.
"""

from __future__ import annotations

from collections.abc import Sequence

from .course import Course
from .pace import format_pace, pace_s_per_km, round_up
from .projection import Passing, Projection


def storylines(
    course: Course,
    passings: Sequence[Passing],
    projection: Projection,
    before: Projection | None,
) -> list[str]:
    """Up to three storylines from the splits so far and the projection at the mat before.

    >>> course = Course(42195, 7200)
    >>> splits = [Passing(f"{k}K", k * 1000, t) for k, t in ((5, 850), (10, 1700), (15, 2570))]
    >>> storylines(course, splits, _projected(7230), _projected(7237, "10K"))
    ['projection improved 7 s since 10K', 'behind the schedule for the first time']
    """
    ordered = sorted(passings, key=lambda p: p.distance_m)
    lines: list[str] = []
    trend = _projection_trend(projection, before)
    if trend:
        lines.append(trend)
    fastest = _fastest_segment(ordered)
    if fastest:
        lines.append(fastest)
    side = _schedule_side(course, ordered)
    if side:
        lines.append(side)
    return lines


def _projection_trend(projection: Projection, before: Projection | None) -> str | None:
    """'projection improved 7 s since 30K' (whole seconds, an improvement rounded down)."""
    if projection.finished or before is None or before.projected_finish_s is None:
        return None
    if projection.projected_finish_s is None:
        return None
    shown = round_up(projection.projected_finish_s - before.projected_finish_s)
    if shown == 0:
        return None
    verb = "improved" if shown < 0 else "slipped"
    return f"projection {verb} {abs(shown)} s since {before.last_checkpoint}"


def _fastest_segment(ordered: Sequence[Passing]) -> str | None:
    """'fastest segment so far (2:49/km)' when the last of three or more is the fastest."""
    paces = []
    before = Passing("START", 0.0, 0.0)
    for passing in ordered:
        paces.append(
            pace_s_per_km(
                passing.elapsed_s - before.elapsed_s, passing.distance_m - before.distance_m
            )
        )
        before = passing
    if len(paces) < 3 or paces[-1] >= min(paces[:-1]):
        return None
    return f"fastest segment so far ({format_pace(paces[-1])}/km)"


def _schedule_side(course: Course, ordered: Sequence[Passing]) -> str | None:
    """'behind the schedule for the first time since 15K' when the last mat changed sides.

    Behind is any gap that shows as behind to the tenth (rounded toward slower).
    """
    if len(ordered) < 2:
        return None
    behind = [
        round_up(p.elapsed_s - course.target_elapsed_at(p.distance_m), 1) > 0 for p in ordered
    ]
    if behind[-1] == behind[-2]:
        return None
    side = "behind" if behind[-1] else "ahead of"
    earlier = [
        p.checkpoint for p, b in zip(ordered[:-1], behind[:-1], strict=True) if b == behind[-1]
    ]
    since = f" since {earlier[-1]}" if earlier else ""
    return f"{side} the schedule for the first time{since}"


def _projected(finish_s: float, checkpoint: str = "15K") -> Projection:
    """A projection with only a finish and a checkpoint, for the examples above."""
    return Projection(checkpoint, None, 0.0, False, None, None, None, finish_s, None, None, ())
