"""A race course as the pure core sees it: checkpoints, distance, target and schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# The fastest and slowest paces a runner can hold over a segment (s/km). 2:30/km is faster
# than the 5 km world record (12:35, 2:31/km); 20:00/km is a slow walk. The same bounds
# clean the shared finisher data (../shared/data/README.md) and set the minimum segment
# time of ../shared/docs/TIMING.md §9.7.
FASTEST_PLAUSIBLE_PACE_S_PER_KM = 150.0
SLOWEST_PLAUSIBLE_PACE_S_PER_KM = 1200.0


@dataclass(frozen=True)
class CheckpointMark:
    """One timing point: its code, distance from the start, and optional target split."""

    code: str
    distance_m: float
    target_elapsed_s: float | None = None
    # The mat its reads arrive from, when several checkpoints share one (the laps of a loop
    # course); none: its own code.
    mat: str | None = None

    @property
    def mat_code(self) -> str:
        """The code reads at this checkpoint carry."""
        return self.mat or self.code


@dataclass(frozen=True)
class Course:
    """The checkpoints of a race in distance order, with its target time."""

    distance_m: float
    target_s: float
    checkpoints: tuple[CheckpointMark, ...] = field(default=())

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.checkpoints, key=lambda mark: mark.distance_m))
        object.__setattr__(self, "checkpoints", ordered)

    def checkpoint(self, code: str) -> CheckpointMark:
        """The checkpoint with this code (KeyError when the course has none)."""
        for mark in self.checkpoints:
            if mark.code == code:
                return mark
        raise KeyError(code)

    @cached_property
    def _schedule(self) -> tuple[tuple[float, float], ...]:
        """(distance, target elapsed) from the start through each checkpoint with a target
        to the finish: worked out once per course, not once per projection."""
        points = [(0.0, 0.0)]
        points += [
            (mark.distance_m, mark.target_elapsed_s)
            for mark in self.checkpoints
            if mark.target_elapsed_s is not None and 0 < mark.distance_m < self.distance_m
        ]
        points.append((self.distance_m, self.target_s))
        return tuple(points)

    def schedule(self) -> list[tuple[float, float]]:
        """The target schedule's known points as (distance m, elapsed s), start to finish.

        >>> Course(42195, 7200, (CheckpointMark("HALF", 21097.5, 3590),)).schedule()
        [(0.0, 0.0), (21097.5, 3590), (42195, 7200)]
        """
        return list(self._schedule)

    def target_elapsed_at(self, distance_m: float) -> float:
        """Target elapsed time at a distance: even pace unless checkpoints carry targets.

        With custom targets the schedule runs straight between the known points
        (start, each checkpoint with a target, finish at the target time).

        >>> Course(42195, 7200).target_elapsed_at(21097.5)
        3600.0
        """
        points = self._schedule
        if distance_m >= self.distance_m:
            return self.target_s * distance_m / self.distance_m
        for (d0, t0), (d1, t1) in zip(points, points[1:], strict=False):
            if d0 <= distance_m <= d1:
                return t0 + (t1 - t0) * (distance_m - d0) / (d1 - d0)
        return 0.0
