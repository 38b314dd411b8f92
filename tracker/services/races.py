"""Setting up races: the race, its checkpoints, the gun (athletes: `athletes`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..domain.refusals import Refusal
from ..domain.scoring import START
from ..models import Athlete, Checkpoint, PacerGroup, Race, RawRead, TimingMat
from . import audit, live_events
from .summary import forget_field_size
from .transaction_notes import notes

FINISH_CODE = "FINISH"


def race_named(session: Session, slug: str) -> Race | None:
    """The race with this slug, if there is one."""
    return session.scalar(select(Race).where(Race.slug == slug))


def find_race(session: Session, slug: str) -> Race:
    """The race with this slug, or a Refusal."""
    race = race_named(session, slug)
    if race is None:
        raise Refusal("unknown_race", f"No race has the slug {slug!r}.")
    return race


def find_athlete(session: Session, race: Race, bib: str, *, field: str | None = None) -> Athlete:
    """The race's athlete wearing `bib`, or a Refusal (naming `field` when a request body
    gave the bib, so the edge can tell a bad field from a missing page)."""
    athlete = session.scalar(select(Athlete).where(Athlete.race_id == race.id, Athlete.bib == bib))
    if athlete is None:
        raise Refusal("unknown_bib", f"No athlete wears bib {bib} in this race.", field=field)
    return athlete


def current_seqs(session: Session, slugs: set[str]) -> dict[str, int]:
    """Each named race's live-stream number now."""
    return dict(session.execute(select(Race.slug, Race.seq).where(Race.slug.in_(slugs))).all())


def list_races(session: Session) -> list[Race]:
    """Every race, newest first."""
    return list(session.scalars(select(Race).order_by(Race.created_at.desc(), Race.id.desc())))


def create_race(
    session: Session,
    *,
    slug: str,
    name: str,
    distance_m: float = 42195.0,
    target_s: float = 7200.0,
    timezone: str = "UTC",
    clock_rate: float = 1.0,
    pace_tolerance_s_per_km: float = 1.0,
    checkpoints: list[dict] | tuple = (),
    age_groups: list[int] | None = None,
) -> Race:
    """A new race with its checkpoints; the finish is added when not listed."""
    if session.scalar(select(Race.id).where(Race.slug == slug)) is not None:
        raise Refusal("race_exists", f"A race with the slug {slug!r} exists already.")
    race = Race(
        slug=slug,
        name=name,
        distance_m=distance_m,
        target_s=target_s,
        timezone=timezone,
        clock_rate=clock_rate,
        pace_tolerance_s_per_km=pace_tolerance_s_per_km,
        age_groups=sorted(set(age_groups)) if age_groups else None,
    )
    session.add(race)
    for checkpoint in checkpoints:
        _add_checkpoint(session, race, **checkpoint)
    if not any(cp.distance_m == distance_m for cp in race.checkpoints):
        _add_checkpoint(session, race, code=FINISH_CODE, name="Finish", distance_m=distance_m)
    audit.record(session, "race.create", race=race, subject=slug, after=_race_record(race))
    live_events.race_changed(session, race, "race_created")
    return race


def add_checkpoint(session: Session, race: Race, **checkpoint) -> Checkpoint:
    """A checkpoint on the course, at most at the finish, one per code and distance."""
    added = _add_checkpoint(session, race, **checkpoint)
    audit.record(
        session,
        "checkpoint.add",
        race=race,
        subject=added.code,
        after={
            "code": added.code,
            "name": added.name,
            "distance_m": added.distance_m,
            "mat": added.mat,
        },
    )
    live_events.race_changed(session, race, "checkpoint_added")
    return added


def _add_checkpoint(
    session: Session,
    race: Race,
    *,
    code: str,
    distance_m: float,
    name: str | None = None,
    target_elapsed_s: float | None = None,
    mat: str | None = None,
) -> Checkpoint:
    if code == START:
        raise Refusal(
            "validation_error",
            f"{START} is the start mat's code (it gives chip time); name the checkpoint otherwise.",
            errors=[{"field": "code", "code": "reserved", "detail": f"{START} is reserved."}],
        )
    if distance_m > race.distance_m:
        raise Refusal(
            "validation_error",
            f"Checkpoint {code} at {distance_m:g} m lies beyond the finish"
            f" ({race.distance_m:g} m).",
            errors=[
                {
                    "field": "distance_m",
                    "code": "beyond_finish",
                    "detail": "The distance is beyond the finish.",
                }
            ],
        )
    for existing in race.checkpoints:
        if existing.code == code or existing.distance_m == distance_m:
            raise Refusal(
                "checkpoint_exists",
                f"Checkpoint {existing.code} at {existing.distance_m:g} m exists already.",
            )
    if target_elapsed_s is not None and target_elapsed_s >= race.target_s * 1.5:
        raise Refusal("validation_error", "The target split is far beyond the race's target time.")
    if any(cp.mat == code for cp in race.checkpoints) or (
        mat is not None and mat != code and any(cp.code == mat for cp in race.checkpoints)
    ):
        raise Refusal(
            "validation_error",
            "A shared mat and a checkpoint may not have the same code.",
            errors=[{"field": "mat", "code": "taken", "detail": "a checkpoint's code"}],
        )
    checkpoint = Checkpoint(
        code=code,
        name=name or code,
        distance_m=distance_m,
        target_elapsed_s=target_elapsed_s,
        mat=mat,
    )
    race.checkpoints.append(checkpoint)
    session.flush()
    return checkpoint


def _race_record(race: Race) -> dict:
    """What the audit log keeps of a race's set-up."""
    return {
        "slug": race.slug,
        "name": race.name,
        "distance_m": race.distance_m,
        "target_s": race.target_s,
        "timezone": race.timezone,
        "clock_rate": race.clock_rate,
        "age_groups": race.age_groups,
        "checkpoints": [(cp.code, cp.distance_m) for cp in race.checkpoints],
    }


def clear_field(session: Session, race: Race) -> None:
    """Remove every athlete, pacer group, chip read and mat total of the race (the demo's
    next lap).

    Splits, their history and chips go with the athletes (ON DELETE CASCADE); the last
    lap's chip reads must not score the new athletes wearing the same chips.
    """
    session.execute(delete(Athlete).where(Athlete.race_id == race.id))
    # The pacer groups, their plan and rotations belong to the field, not the course.
    session.execute(delete(PacerGroup).where(PacerGroup.race_id == race.id))
    session.execute(delete(RawRead).where(RawRead.race_id == race.id))
    session.execute(delete(TimingMat).where(TimingMat.race_id == race.id))
    audit.record(session, "race.clear_field", race=race, subject=race.slug)
    session.expire(race)
    forget_field_size(session)


# Advisory lock keys: this namespace plus the race's id.
GUN_LOCK_BASE = 0x67756E << 32


def hold_gun(session: Session, race: Race, *, to_change: bool = False) -> None:
    """Make the race's gun time safe to use (or, `to_change`, to change) until commit.

    On PostgreSQL every write that times something from the gun holds a shared advisory
    lock on it and reads the gun afresh, and firing or correcting the gun holds it
    exclusively: a split can never be measured from a gun that a concurrent correction is
    replacing (the correction would not see the split to shift it). SQLite needs nothing:
    its writes begin with BEGIN IMMEDIATE and never overlap.
    """
    held = notes(session).guns_held
    if session.get_bind().dialect.name != "postgresql":
        return
    if race.id in held and (held[race.id] or not to_change):
        return
    lock = "pg_advisory_xact_lock" if to_change else "pg_advisory_xact_lock_shared"
    session.execute(select(getattr(func, lock)(GUN_LOCK_BASE + race.id)))
    held[race.id] = to_change
    if race not in session.new and not session.is_modified(race):
        session.refresh(race, ["gun_time", "clock_rate"])


def start_race(session: Session, race: Race, *, at: datetime) -> Race:
    """Fire the gun; a race starts once, and the same gun time again is a harmless retry."""
    hold_gun(session, race, to_change=True)
    if race.gun_time == at:
        return race
    if race.gun_time is not None:
        raise Refusal("race_started", f"The race started at {race.gun_time.isoformat()} already.")
    race.gun_time = at
    audit.record(session, "gun.fire", race=race, subject=race.slug, after={"gun_time": at})
    live_events.race_changed(session, race, "race_started")
    return race


def publish_results(session: Session, race: Race, *, now: datetime) -> Race:
    """Make the race's finish times official; publishing again changes nothing."""
    if race.gun_time is None:
        raise Refusal("race_not_started", "The race has not started: no results to publish.")
    if race.results_published_at is not None:
        return race
    race.results_published_at = now
    audit.record(session, "results.publish", race=race, subject=race.slug, after={"at": now})
    live_events.race_changed(session, race, "results_published")
    return race
