"""A race as the pure core sees it."""

from __future__ import annotations

from ..domain.course import CheckpointMark, Course
from ..models import Race


def course_of(race: Race) -> Course:
    """The pure core's view of a race's course."""
    return Course(
        distance_m=race.distance_m,
        target_s=race.target_s,
        checkpoints=tuple(
            CheckpointMark(cp.code, cp.distance_m, cp.target_elapsed_s, cp.mat)
            for cp in race.checkpoints
        ),
    )


def personal_course(course: Course, target_s: float | None) -> Course:
    """The course against an athlete's own target: even pace to it (the race's custom
    target splits are for the race's target); the course itself without one."""
    if target_s is None:
        return course
    marks = tuple(
        CheckpointMark(mark.code, mark.distance_m, mat=mark.mat) for mark in course.checkpoints
    )
    return Course(distance_m=course.distance_m, target_s=target_s, checkpoints=marks)
