"""Short notes a commentator can read out, generated from an athlete's splits."""

from __future__ import annotations

from collections.abc import Sequence

from .course import FASTEST_PLAUSIBLE_PACE_S_PER_KM, Course
from .pace import format_duration, format_pace, round_up
from .projection import Passing, Projection

# Gains or losses smaller than this are noise at a mat, not a story.
NOTEWORTHY_GAP_CHANGE_S = 2.0


def notes_for(course: Course, passings: Sequence[Passing], projection: Projection) -> list[str]:
    """Up to three plain sentences about the schedule, the projection and the pace needed.

    Vienna, 25 km in 1:10:59 and 30 km in 1:25:11 against an even 2:00:00 schedule:
    'gained 1.2 s on schedule over the last 5 km', 'on course for 1:59:49, 11 s under the
    target', 'needs 2:51/km from here'.
    """
    ordered = sorted(passings, key=lambda p: p.distance_m)
    notes: list[str] = []
    if len(ordered) >= 2:
        before, last = ordered[-2], ordered[-1]
        gap_before = before.elapsed_s - course.target_elapsed_at(before.distance_m)
        gap_now = last.elapsed_s - course.target_elapsed_at(last.distance_m)
        change = gap_now - gap_before
        span = _distance(last.distance_m - before.distance_m)
        # Whole seconds read better; tenths only where the change is small. Rounded toward
        # losing time, as every figure against the schedule: a gain never looks bigger.
        digits = 0 if abs(change) >= NOTEWORTHY_GAP_CHANGE_S else 1
        shown = round_up(change, digits)
        verb = "gained" if shown < 0 else "lost"
        amount = f"{abs(shown) / 10**digits:.{digits}f}"
        notes.append(f"{verb} {amount} s on schedule over the last {span}")
    if projection.finished:
        notes.append(
            f"finished in {format_duration(projection.projected_finish_s)}, "
            f"{_against_target(projection.projected_margin_s, 1)}"
        )
        return notes
    if projection.projected_finish_s is not None:
        notes.append(
            f"on course for {format_duration(projection.projected_finish_s, tenths=False)}, "
            f"{_against_target(projection.projected_margin_s, 0)}"
        )
    required = projection.required_pace_s_per_km
    if required is not None and required >= FASTEST_PLAUSIBLE_PACE_S_PER_KM:
        notes.append(
            f"needs {format_pace(projection.required_pace_s_per_km, needed=True)}/km from here"
        )
    elif projection.projected_finish_s is not None:
        notes.append("the target is out of reach")
    return notes


def _against_target(margin_s: float, digits: int) -> str:
    """'11 s under the target', rounded toward slower: under only if it shows as under.

    >>> _against_target(-0.04, 1), _against_target(-19.8, 1), _against_target(0.2, 0)
    ('on the target', '19.8 s under the target', '1 s over the target')

    A minute or more reads as a time, not raw seconds:

    >>> _against_target(1915, 0), _against_target(-75.04, 1)
    ('31:55 over the target', '1:15.0 under the target')
    """
    shown = round_up(margin_s, digits)
    if shown == 0:
        return "on the target"
    side = "under" if shown < 0 else "over"
    seconds = abs(shown) / 10**digits
    if seconds < 60:
        return f"{seconds:.{digits}f} s {side} the target"
    minutes, rest = divmod(seconds, 60)
    width = 3 + digits if digits else 2
    return f"{int(minutes)}:{rest:0{width}.{digits}f} {side} the target"


def _distance(metres: float) -> str:
    """'5 km', '1.1 km'."""
    km = metres / 1000
    return f"{km:.0f} km" if abs(km - round(km)) < 0.05 else f"{km:.1f} km"
