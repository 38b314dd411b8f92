"""Start waves: each has its own gun, fired and corrected like the race's (services.gun),
after the race's gun, which the first wave shares. Elapsed times stay measured from the
race's gun; an athlete's `gun_offset_ms` (their wave's gun after the race's) is where their
gun time counts from, and their chip time without a start read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.race_clock import not_started
from ..domain.refusals import Refusal
from ..models import Athlete, Race, Wave
from . import audit, live_events, places
from .races import hold_gun
from .rescoring import rescore


def find_wave(race: Race, code: str, *, field: str | None = None) -> Wave:
    """The race's wave with this code, or a Refusal."""
    for wave in race.waves:
        if wave.code == code:
            return wave
    raise Refusal("unknown_wave", f"The race has no wave {code}.", field=field)


def add_wave(session: Session, race: Race, *, code: str, name: str | None = None) -> Wave:
    """A new start wave, its gun not yet fired."""
    if any(wave.code == code for wave in race.waves):
        raise Refusal("wave_exists", f"Wave {code} exists already.")
    wave = Wave(code=code, name=name or code)
    race.waves.append(wave)
    session.flush()
    audit.record(session, "wave.add", race=race, subject=code, after={"name": wave.name})
    live_events.race_changed(session, race, "wave_added")
    return wave


def offset_ms(race: Race, wave: Wave | None) -> int:
    """A wave's gun in ms of race time after the race's gun (0 unfired or no wave)."""
    if wave is None or wave.gun_time is None or race.gun_time is None:
        return 0
    return round((wave.gun_time - race.gun_time).total_seconds() * race.clock_rate * 1000)


def _move_wave(
    session: Session, race: Race, wave: Wave, at: datetime, *, now: datetime, tolerance_s: float
) -> None:
    """Set the wave's gun, its athletes' offsets, their places, and rescore them (a start
    read counts in the window after their own gun)."""
    if at < race.gun_time:
        raise Refusal("before_start", "A wave's gun cannot be before the race's gun.")
    wave.gun_time = at
    session.execute(
        update(Athlete)
        .where(Athlete.wave_id == wave.id)
        .values(gun_offset_ms=offset_ms(race, wave))
        .execution_options(synchronize_session=False)
    )
    places.refresh_race(session, race)
    session.expire_all()
    athletes = list(session.scalars(select(Athlete).where(Athlete.wave_id == wave.id)))
    rescore(session, race, athletes, now=now, future_tolerance_s=tolerance_s)
    # Every time of the wave's athletes moved: watchers take a fresh snapshot.
    live_events.race_changed(session, race, "gun_corrected")


def fire_wave(
    session: Session, race: Race, wave: Wave, *, at: datetime, now: datetime, tolerance_s: float
) -> bool:
    """Fire a wave's gun (after the race's); the same time again is a harmless retry."""
    hold_gun(session, race, to_change=True)
    refusal = not_started(race.gun_time)
    if refusal is not None:
        raise refusal
    if wave.gun_time == at:
        return False
    if wave.gun_time is not None:
        raise Refusal("race_started", f"Wave {wave.code} started at {wave.gun_time.isoformat()}.")
    audit.record(session, "wave.fire", race=race, subject=wave.code, after={"gun_time": at})
    _move_wave(session, race, wave, at, now=now, tolerance_s=tolerance_s)
    return True


def correct_wave_gun(
    session: Session,
    race: Race,
    wave: Wave,
    *,
    at: datetime,
    reason: str,
    now: datetime,
    tolerance_s: float,
) -> bool:
    """Correct a fired wave's gun: its athletes' gun times (and chip times without a start
    read) move; the audit log keeps both guns."""
    hold_gun(session, race, to_change=True)
    if wave.gun_time is None:
        raise Refusal("race_not_started", f"Wave {wave.code} has not started.")
    if wave.gun_time == at:
        return False
    audit.record(
        session,
        "wave.gun_correct",
        race=race,
        subject=wave.code,
        before={"gun_time": wave.gun_time},
        after={"gun_time": at, "reason": reason},
    )
    _move_wave(session, race, wave, at, now=now, tolerance_s=tolerance_s)
    return True


def refuse_race_gun_after_waves(race: Race, at: datetime) -> None:
    """A corrected race gun may not fall after a later wave's gun: the waves go after the
    race's gun, and a crew that keyed a wave's gun wrong corrects that wave first."""
    for wave in race.waves:
        if wave.gun_time is not None and wave.gun_time != race.gun_time and wave.gun_time < at:
            raise Refusal(
                "gun_after_wave",
                f"Wave {wave.code} started at {wave.gun_time.isoformat()}, before the corrected"
                " gun; correct that wave's gun first, or check the time.",
            )


def shift_offsets(session: Session, race: Race, shift_ms: int, at: datetime) -> list[str]:
    """The race's gun moves to `at`, `shift_ms` earlier: a wave that shared it moves with it
    (one gun, keyed once), every later fired wave's gun stays where it was and so is that
    much further from it (called by services.gun). The codes of the waves moved."""
    shared = [wave for wave in race.waves if wave.gun_time == race.gun_time]
    for wave in shared:
        wave.gun_time = at
    session.flush()  # before the caller expires the session
    later = [wave.id for wave in race.waves if wave.gun_time is not None and wave not in shared]
    if later:
        session.execute(
            update(Athlete)
            .where(Athlete.wave_id.in_(later))
            .values(gun_offset_ms=Athlete.gun_offset_ms + shift_ms)
            .execution_options(synchronize_session=False)
        )
    return [wave.code for wave in shared]
