"""What the record-attempt pages add to the race and athlete payloads: the target line and
the athlete's estimate between mats, ghosts, pace discipline and storylines."""

from __future__ import annotations

from ..domain.course import Course
from ..domain.ghost_plans import plan_run
from ..domain.pace_discipline import drifts
from ..domain.projection import Passing, Projection
from ..domain.reference_runs import ReferenceRun, reference_runs_for, seconds_behind
from ..domain.storylines import storylines
from ..domain.target_line import athlete_track, line_track
from ..models import GhostPlan, Race


def uploaded_run(race: Race, plan: GhostPlan) -> ReferenceRun:
    """A plan an official uploaded, as a reference run over the race's distance."""
    return plan_run(
        plan.key,
        plan.name,
        plan.finish_s,
        [(distance, elapsed) for distance, elapsed in plan.splits],
        distance_m=race.distance_m,
        source=f"uploaded by {plan.uploaded_by}",
    )


def ghosts_of(race: Race) -> list[tuple[ReferenceRun, bool]]:
    """Every ghost of the race, the published runs first, each with whether it was uploaded."""
    published = [(run, False) for run in reference_runs_for(race.distance_m)]
    return published + [(uploaded_run(race, plan), True) for plan in race.ghost_plans]


def ghost_view(run: ReferenceRun, uploaded: bool) -> dict:
    """A ghost as the pages and the API show it: its run as a track like the target line."""
    return {
        "key": run.key,
        "name": run.name,
        "finish_s": run.finish_s,
        "source": run.source,
        "uploaded": uploaded,
        "track": [list(point) for point in run.track()],
    }


def attempt_race_view(race: Race, course: Course) -> dict:
    """The target line and the reference runs, as tracks of [elapsed s, distance m]."""
    return {
        # A runner exactly on the target schedule, for the pages to read off the clock.
        "target_line": [list(point) for point in line_track(course)],
        # Reference runs to compare with ("ghosts"), as tracks like the target line.
        "ghosts": [ghost_view(run, uploaded) for run, uploaded in ghosts_of(race)],
    }


def estimate_track(
    course: Course, trusted: list[Passing], recorded_m: float, gun_s: float
) -> list[list]:
    """Where the athlete is estimated to be between mats (empty before a split)."""
    return [list(point) for point in athlete_track(course, trusted, recorded_m, gun_s)]


def attempt_athlete_view(
    race: Race,
    course: Course,
    trusted: list[Passing],
    projection: Projection,
    before: Projection | None,
) -> dict:
    """Storylines, each segment's drift from the schedule, and the gap to each ghost."""
    return {
        "storylines": storylines(course, trusted, projection, before),
        # Each measured segment against the schedule's pace, flagged beyond the tolerance.
        "pace_drift": [
            {
                "checkpoint": d.checkpoint,
                "pace_s_per_km": round(d.pace_s_per_km, 3),
                "target_s_per_km": round(d.target_s_per_km, 3),
                "drift_s_per_km": round(d.drift_s_per_km, 3),
                "outside": d.outside,
            }
            for d in drifts(course, trusted, race.pace_tolerance_s_per_km)
        ],
        # Seconds behind each reference run at every measured checkpoint (negative: ahead).
        "ghost_gaps": {
            run.key: [
                [p.checkpoint, round(seconds_behind(run, p.distance_m, p.elapsed_s), 3)]
                for p in trusted
            ]
            for run, _ in ghosts_of(race)
        },
    }
