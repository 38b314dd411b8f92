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
