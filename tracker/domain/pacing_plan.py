"""An athlete's own pacing plan: the elapsed time they mean to reach checkpoints in, with
their target as the finish. Where given, their schedule runs through it instead of even
pace to the target (the race's own target splits are for the race's target).
"""

from __future__ import annotations

from collections.abc import Mapping

from .course import (
    FASTEST_PLAUSIBLE_PACE_S_PER_KM,
    SLOWEST_PLAUSIBLE_PACE_S_PER_KM,
    CheckpointMark,
    Course,
)
from .pace import format_pace
from .refusals import Refusal

Plan = Mapping[str, float]


def check_plan(course: Course, target_s: float | None, plan: Plan) -> Refusal | None:
    """Why a plan cannot stand, or none: its checkpoints must be the course's, short of the
    finish (the finish is the target), in order, and each stretch at a pace a runner holds.

    >>> course = Course(42195, 7200, (CheckpointMark("10K", 10000), CheckpointMark("30K", 30000)))
    >>> check_plan(course, 12600, {"10K": 2940, "30K": 8900}) is None
    True
    >>> check_plan(course, 12600, {"10K": 3000, "30K": 2900}).detail
    'The plan reaches 30K (2900 s) before 10K (3000 s).'
    >>> check_plan(course, 12600, {"10K": 1200}).detail
    'The plan runs 10K in 1200 s: 2:00/km, faster than anyone runs.'
    """
    if not plan:
        return None
    if target_s is None:
        return _refused("A plan needs the athlete's own target_s: it is the plan's finish.")
    marks = {mark.code: mark for mark in course.checkpoints}
    for code in plan:
        if code not in marks:
            return Refusal(
                "unknown_checkpoint", f"The race has no checkpoint {code}.", field="plan"
            )
        if marks[code].distance_m >= course.distance_m:
            return _refused(f"{code} is the finish: the plan's finish is the target_s.")
    points = [("the start", 0.0, 0.0)]
    points += sorted(
        ((code, marks[code].distance_m, elapsed) for code, elapsed in plan.items()),
        key=lambda point: point[1],
    )
    points.append(("the finish", course.distance_m, target_s))
    for (code0, d0, t0), (code1, d1, t1) in zip(points, points[1:], strict=False):
        if t1 <= t0:
            return _refused(f"The plan reaches {code1} ({t1:g} s) before {code0} ({t0:g} s).")
        pace = (t1 - t0) / (d1 - d0) * 1000
        stretch = code1 if code0 == "the start" else f"{code0} to {code1}"
        if pace < FASTEST_PLAUSIBLE_PACE_S_PER_KM:
            return _refused(
                f"The plan runs {stretch} in {t1 - t0:g} s: {format_pace(pace)}/km,"
                " faster than anyone runs."
            )
        if pace > SLOWEST_PLAUSIBLE_PACE_S_PER_KM:
            return _refused(
                f"The plan runs {stretch} in {t1 - t0:g} s: {format_pace(pace)}/km,"
                " slower than a walk."
            )
    return None


def planned_course(course: Course, target_s: float | None, plan: Plan | None) -> Course:
    """The course against an athlete's own target: through their plan where given, else
    even pace to it; the course itself without a target.

    >>> course = Course(42195, 7200, (CheckpointMark("HALF", 21097.5, 3590),))
    >>> planned_course(course, 12600, None).target_elapsed_at(21097.5)
    6300.0
    >>> planned_course(course, 12600, {"HALF": 6000}).target_elapsed_at(21097.5)
    6000.0
    """
    if target_s is None:
        return course
    plan = plan or {}
    marks = tuple(
        CheckpointMark(mark.code, mark.distance_m, plan.get(mark.code), mark.mat)
        for mark in course.checkpoints
    )
    return Course(distance_m=course.distance_m, target_s=target_s, checkpoints=marks)


def _refused(detail: str) -> Refusal:
    return Refusal("invalid_plan", detail, field="plan")
