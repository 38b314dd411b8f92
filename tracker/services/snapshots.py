"""Race state as JSON-ready dicts: what the API returns and the live layer sends."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.athlete_status import in_the_race, status_of
from ..domain.categories import DEFAULT_AGE_GROUPS
from ..domain.commentary import notes_for
from ..domain.course import Course
from ..domain.finish_model import FinishModel
from ..domain.pacing_plan import planned_course
from ..domain.projection import Passing, Projection, not_projected, project
from ..domain.race_clock import wall_clock_at
from ..domain.split_checks import flag_splits
from ..models import Athlete, Race, Split
from .attempt_views import attempt_athlete_view, attempt_race_view, estimate_track
from .courses import course_of
from .finish_models import model_for
from .pacing import pacing_view
from .places import own_start_ms, places_of
from .split_flags import confirmed
from .summary import summary_athletes


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _local(race: Race, instant: datetime | None) -> str | None:
    """An instant in the race's own time zone, as ISO 8601 with its offset."""
    if instant is None:
        return None
    return instant.astimezone(zoneinfo.ZoneInfo(race.timezone)).isoformat()


def race_view(race: Race) -> dict:
    """The race itself, without athletes."""
    course = course_of(race)
    return {
        "slug": race.slug,
        "name": race.name,
        "distance_m": race.distance_m,
        "target_s": race.target_s,
        "timezone": race.timezone,
        "gun_time": _local(race, race.gun_time),
        "clock_rate": race.clock_rate,
        "started": race.gun_time is not None,
        "pace_tolerance_s_per_km": race.pace_tolerance_s_per_km,
        # Null until an official publishes the results: finish times are unofficial till then.
        "results_published_at": _local(race, race.results_published_at),
        **attempt_race_view(race, course),
        "pacing": pacing_view(race),
        "age_groups": list(race.age_groups or DEFAULT_AGE_GROUPS),
        "waves": [
            {"code": wave.code, "name": wave.name, "gun_time": _local(race, wave.gun_time)}
            for wave in race.waves
        ],
        "checkpoints": [
            {
                "code": cp.code,
                "name": cp.name,
                "distance_m": cp.distance_m,
                "target_elapsed_s": _seconds(course.target_elapsed_at(cp.distance_m)),
                "mat": cp.mat or cp.code,
            }
            for cp in race.checkpoints
        ],
    }


def split_view(
    race: Race, split: Split, flag: str | None = None, places: dict | None = None
) -> dict:
    """One split as the API shows it: gun time (`elapsed_s`) and chip time (`net_elapsed_s`,
    from the athlete's own start-mat read; gun time without one)."""
    elapsed_s = split.elapsed_ms / 1000
    start_ms = own_start_ms(split.athlete)
    return {
        "id": str(split.id),
        "bib": split.athlete.bib,
        "checkpoint": split.checkpoint.code,
        "distance_m": split.checkpoint.distance_m,
        "elapsed_s": elapsed_s,
        "gun_elapsed_s": (split.elapsed_ms - split.athlete.gun_offset_ms) / 1000,
        "net_elapsed_s": (split.elapsed_ms - start_ms) / 1000,
        "time": _local(race, wall_clock_at(race.gun_time, elapsed_s, race.clock_rate)),
        "source": split.source,
        "entered_by": split.entered_by,
        "received_at": split.received_at.isoformat(),
        "version": split.version,
        "voided": split.voided_at is not None,
        "flags": [flag] if flag else [],
        "confirmed": confirmed(split),
        "approximate": split.approximate,
        "correction": _last_correction(split),
        "places": places,
    }


def _last_correction(split: Split) -> dict | None:
    """The latest correction of a split (old time, new time, why), for every page to show;
    revisions are only loaded for a split that has been changed."""
    if split.version == 1:
        return None
    corrected = [r for r in split.revisions if r.action == "correct"]
    if not corrected:
        return None
    last = corrected[-1]
    return {
        "elapsed_s_before": last.elapsed_ms_before / 1000,
        "elapsed_s_after": last.elapsed_ms_after / 1000,
        "reason": last.reason,
        "by": last.actor,
    }


def projection_view(race: Race, projection: Projection, skip: set[str] = frozenset()) -> dict:
    """The projection fields every payload about an athlete carries (no ETA at a checkpoint
    in `skip`, where the athlete already has a time)."""
    return {
        "last_checkpoint": projection.last_checkpoint,
        "last_elapsed_s": _seconds(projection.last_elapsed_s),
        "distance_m": projection.distance_m,
        "finished": projection.finished,
        "pace_s_per_km": _seconds(projection.pace_s_per_km),
        "last_segment_pace_s_per_km": _seconds(projection.last_segment_pace_s_per_km),
        "gap_s": _seconds(projection.gap_s),
        "projected_finish_s": _seconds(projection.projected_finish_s),
        "projected_margin_s": _seconds(projection.projected_margin_s),
        "required_pace_s_per_km": _seconds(projection.required_pace_s_per_km),
        "projected_low_s": _seconds(projection.projected_low_s),
        "projected_high_s": _seconds(projection.projected_high_s),
        "probability_under_target": (
            None
            if projection.probability_under_target is None
            else round(projection.probability_under_target, 3)
        ),
        "projection_method": projection.method,
        "eta": [
            {
                "checkpoint": eta.checkpoint,
                "distance_m": eta.distance_m,
                "elapsed_s": _seconds(eta.elapsed_s),
                "at": _local(race, eta.at),
            }
            for eta in projection.eta
            if eta.checkpoint not in skip
        ],
    }


def athlete_view(
    race: Race,
    course: Course,
    model: FinishModel,
    athlete: Athlete,
    splits: Iterable[Split],
    places: dict | None = None,
) -> dict:
    """An athlete with live splits, their flags, status, places (by split id, those known)
    and the projection from unflagged ones, against their own target when they have one;
    an athlete out of the race (dns, dnf, dq) is not projected."""
    live = sorted(splits, key=lambda split: split.checkpoint.distance_m)
    passings = [
        Passing(split.checkpoint.code, split.checkpoint.distance_m, split.elapsed_ms / 1000)
        for split in live
    ]
    flags = flag_splits(passings, confirmed={s.checkpoint.code for s in live if confirmed(s)})
    # Flagged and approximate times stay out of paces, the projection and the target line.
    estimated = {split.checkpoint.code for split in live if split.approximate}
    trusted = [p for p in passings if p.checkpoint not in flags and p.checkpoint not in estimated]
    course = planned_course(course, athlete.target_s, athlete.plan)

    gun_s = athlete.gun_offset_ms / 1000  # their wave's gun, on the race's clock

    def projected(passings: list[Passing]) -> Projection:
        return project(
            course,
            passings,
            gun_time=race.gun_time,
            clock_rate=race.clock_rate,
            model=model,
            own_start_s=own_start_ms(athlete) / 1000,
            gun_s=gun_s,
        )

    running = in_the_race(athlete.status)
    projection = projected(trusted) if running else not_projected(course, trusted, gun_s)
    # A checkpoint with a time, even one the projection leaves out, is no longer ahead.
    recorded = {split.checkpoint.code for split in live}
    recorded_m = max((split.checkpoint.distance_m for split in live), default=0.0)
    # The projection as it stood at the mat before, for "projection improved 7 s since 30K".
    before = projected(trusted[:-1]) if running and len(trusted) >= 2 else None
    places = places or {}
    finished = any(split.checkpoint.distance_m >= race.distance_m for split in live)
    started = athlete.chip_start_ms is not None or bool(live)
    return {
        "bib": athlete.bib,
        "name": athlete.name,
        "country": athlete.country,
        "role": athlete.role,
        "featured": athlete.featured,
        "seq": athlete.seq,
        "status": status_of(athlete.status, started=started, finished=finished),
        "status_reason": athlete.status_reason,
        "gender": athlete.gender,
        "birth_year": athlete.birth_year,
        "category": athlete.category,
        "target_s": athlete.target_s,
        "plan": athlete.plan,
        "wave": next((w.code for w in race.waves if w.id == athlete.wave_id), None),
        "pacer_group": _pacer_group(race, athlete),
        "chip_start_s": None if athlete.chip_start_ms is None else athlete.chip_start_ms / 1000,
        "splits": [
            split_view(race, s, flags.get(s.checkpoint.code), places.get(s.id)) for s in live
        ],
        "places": places.get(live[-1].id) if live else None,
        "projection": {
            **projection_view(race, projection, skip=recorded),
            # Out of the race (dns, dnf, dq): nowhere on the course to estimate.
            "track": estimate_track(course, trusted, recorded_m, gun_s) if running else [],
        },
        "notes": notes_for(course, trusted, projection) if running else [],
        **attempt_athlete_view(race, course, trusted, projection, before),
    }


def _pacer_group(race: Race, athlete: Athlete) -> str | None:
    """The code of a pacer's group (no query for anyone else)."""
    if athlete.pacer_group_id is None:
        return None
    return next((g.code for g in race.pacer_groups if g.id == athlete.pacer_group_id), None)


def _live_splits(session: Session, race: Race, athlete_ids: list[int] | None = None) -> list[Split]:
    query = (
        select(Split)
        .where(Split.race_id == race.id, Split.voided_at.is_(None))
        .options(selectinload(Split.checkpoint), selectinload(Split.athlete))
    )
    if athlete_ids is not None:
        query = query.where(Split.athlete_id.in_(athlete_ids))
    return list(session.scalars(query))


def athlete_snapshot(session: Session, race: Race, athlete: Athlete) -> dict:
    """One athlete's current state."""
    splits = _live_splits(session, race, [athlete.id])
    places = places_of(session, splits)
    return athlete_view(race, course_of(race), model_for(session, race), athlete, splits, places)


# Past this many athletes, load the race's splits whole rather than naming every athlete.
NAMED_ATHLETES_LIMIT = 500


def athlete_views(
    session: Session,
    race: Race,
    athletes: list[Athlete],
    *,
    with_places: bool = False,
    live: dict[int, list[Split]] | None = None,
) -> list[dict]:
    """Several athletes' current states, their splits loaded in one query.

    Places only on request (the API's reads): the live state leaves them out, since a
    split moves the places of everyone behind it and a delta carries one athlete; a
    snapshot plus its deltas must equal a fresh snapshot. `live`: these athletes' live
    splits by athlete id, when the caller has just loaded them.
    """
    by_athlete: dict[int, list[Split]] = defaultdict(list)
    course, model = course_of(race), model_for(session, race)
    if live is not None:
        splits = [split for athlete in athletes for split in live.get(athlete.id, [])]
    elif len(athletes) <= NAMED_ATHLETES_LIMIT:
        # The athletes and the race's checkpoints are loaded already: each split is handed
        # its own, with no eager-loading queries and no lazy load per split (together they
        # cost a mass passage's batch a tenth).
        query = select(Split).where(
            Split.athlete_id.in_([a.id for a in athletes]), Split.voided_at.is_(None)
        )
        splits = list(session.scalars(query))
        checkpoints = {checkpoint.id: checkpoint for checkpoint in race.checkpoints}
        named = {athlete.id: athlete for athlete in athletes}
        for split in splits:
            set_committed_value(split, "checkpoint", checkpoints[split.checkpoint_id])
            set_committed_value(split, "athlete", named[split.athlete_id])
    else:
        splits = _live_splits(session, race)
    for split in splits:
        by_athlete[split.athlete_id].append(split)
    # Each athlete's places where they are now: at their furthest live split.
    furthest = [
        max(by_athlete[a.id], key=lambda split: split.checkpoint.distance_m)
        for a in athletes
        if by_athlete[a.id]
    ]
    places = places_of(session, furthest) if with_places else {}
    return [athlete_view(race, course, model, a, by_athlete[a.id], places) for a in athletes]


def race_snapshot(session: Session, race: Race) -> dict:
    """The whole race: the race, its checkpoints, every athlete with splits and projection."""
    seq = race.seq
    athletes = list(
        session.scalars(select(Athlete).where(Athlete.race_id == race.id).order_by(Athlete.bib))
    )
    return {
        "race": race_view(race),
        "seq": seq,
        "athletes": athlete_views(session, race, athletes),
    }


def live_snapshot(session: Session, race: Race, followed: list[str]) -> dict:
    """What a watcher starts from: the race's summary (with the leaders) and whom they follow.

    `seq` is read first, so the athletes are at least that fresh; a delta the client
    then receives for a change already included replaces an athlete with the same state.
    """
    seq = race.seq
    athletes = summary_athletes(session, race, followed)
    return {
        "race": race_view(race),
        "seq": seq,
        "athletes": athlete_views(session, race, athletes),
        "following": followed,
    }
