"""Athletes and their chips: entered before the race or on race day, and scored at once
from the chip reads already kept (a late entry's chip may have crossed mats before)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..domain.categories import DEFAULT_AGE_GROUPS, age_in, category_for
from ..domain.names import name_words
from ..domain.pacing_plan import check_plan
from ..domain.refusals import Refusal
from ..models import Athlete, AthleteNameWord, Chip, Race, RawRead
from . import audit, live_events, waves
from .courses import course_of
from .rescoring import rescore
from .summary import forget_field_size
from .unknown_chips import forget_unknown_chip


def _refuse_taken_chips(session: Session, race: Race, chips) -> None:
    for code in chips:
        if session.scalar(select(Chip.id).where(Chip.race_id == race.id, Chip.code == code)):
            raise Refusal("chip_taken", f"Chip {code} is worn by another athlete.")


def _score_kept_reads(
    session: Session, race: Race, athlete: Athlete, chips, now: datetime, tolerance_s: float
) -> None:
    """Rescore the athlete if reads of these chips were kept before they were assigned."""
    if race.gun_time is None or not chips:
        return
    kept = session.scalar(
        select(exists().where(RawRead.race_id == race.id, RawRead.chip.in_(list(chips))))
    )
    if kept:
        for chip in chips:
            forget_unknown_chip(session, race, chip)
        session.flush()
        rescore(session, race, [athlete], now=now, future_tolerance_s=tolerance_s)


def add_athlete(
    session: Session,
    race: Race,
    *,
    bib: str,
    name: str,
    now: datetime,
    country: str | None = None,
    role: str = "athlete",
    featured: bool = False,
    chips: list[str] | tuple = (),
    gender: str | None = None,
    birth_year: int | None = None,
    age: int | None = None,
    category: str | None = None,
    target_s: float | None = None,
    plan: dict[str, float] | None = None,
    wave: str | None = None,
    future_tolerance_s: float = 5.0,
) -> Athlete:
    """An athlete with a bib unique in the race and chips no one else wears, scored at once
    from any reads of those chips kept so far; the category is the one given, else the
    race's age group of gender and age (or birth year)."""
    if (
        session.scalar(select(Athlete.id).where(Athlete.race_id == race.id, Athlete.bib == bib))
        is not None
    ):
        raise Refusal("athlete_exists", f"Bib {bib} is taken in this race.")
    _refuse_taken_chips(session, race, chips)
    start_wave = waves.find_wave(race, wave, field="wave") if wave else None
    plan = plan or None
    if plan is not None and (refusal := check_plan(course_of(race), target_s, plan)):
        raise refusal
    forget_field_size(session)
    race_year = race_year_of(race, now)
    if birth_year is None and age is not None:
        birth_year = race_year - age
    if category is None:
        bounds = race.age_groups or DEFAULT_AGE_GROUPS
        category = category_for(gender, age_in(race_year, birth_year), bounds)
    athlete = Athlete(
        race_id=race.id,
        bib=bib,
        name=name,
        country=country,
        role=role,
        featured=featured,
        gender=gender,
        birth_year=birth_year,
        category=category,
        target_s=target_s,
        plan=plan,
        wave_id=start_wave.id if start_wave else None,
        gun_offset_ms=waves.offset_ms(race, start_wave),
    )
    athlete.chips = [Chip(race_id=race.id, code=code) for code in dict.fromkeys(chips)]
    athlete.name_words = [
        AthleteNameWord(race_id=race.id, word=word[:100])
        for word in dict.fromkeys(name_words(name))
    ]
    # Added by key, not through race.athletes: every autoflush would walk that whole
    # collection, which made importing 20,000 athletes quadratic.
    session.add(athlete)
    audit.record(
        session,
        "athlete.add",
        race=race,
        subject=bib,
        after={
            "bib": bib,
            "name": name,
            "country": country,
            "role": role,
            "featured": featured,
            "chips": list(dict.fromkeys(chips)),
            "gender": gender,
            "birth_year": birth_year,
            "category": category,
            "target_s": target_s,
            "plan": plan,
            "wave": wave,
        },
    )
    live_events.athlete_changed(session, race, athlete, "athlete_added")
    _score_kept_reads(session, race, athlete, chips, now, future_tolerance_s)
    return athlete


def race_year_of(race: Race, now: datetime) -> int:
    """The year ages are counted in: the gun's, or this year before it is fired."""
    return (race.gun_time or now).year


def assign_chip(
    session: Session,
    race: Race,
    athlete: Athlete,
    *,
    chip: str,
    now: datetime,
    future_tolerance_s: float = 5.0,
) -> bool:
    """Give an athlete another chip (a spare, or an unknown chip identified on the day) and
    score its kept reads at once; the same chip given to them again changes nothing."""
    if any(held.code == chip for held in athlete.chips):
        return False
    _refuse_taken_chips(session, race, [chip])
    assigned = Chip(race_id=race.id, code=chip)
    athlete.chips.append(assigned)
    audit.record(session, "chip.assign", race=race, subject=athlete.bib, after={"chip": chip})
    live_events.athlete_changed(session, race, athlete, "chip_assigned")
    _score_kept_reads(session, race, athlete, [chip], now, future_tolerance_s)
    return True
