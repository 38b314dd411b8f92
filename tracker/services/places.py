"""Places by chip time: each split carries what ranks it, so a place is a count on an index.

A split's `place_ms` is its chip time while it is live and its athlete is placed (none
once voided, or the athlete is dns/dnf/dq or a pacer in a pacer group), with the athlete's
gender and category beside it. `keep_place_keys` holds them true before every flush,
whichever path changed a split or an athlete, so a late or corrected split, a new start
read, a status or a category moves the places at once, without a rescan of the field: an
athlete's place at a checkpoint is one more than the ranked splits there with a smaller
chip time.
"""

from __future__ import annotations

from bisect import bisect_left

from sqlalchemy import Integer, case, event, func, inspect, literal, select, union_all, update
from sqlalchemy.orm import Session

from ..domain.athlete_status import placed
from ..models import Athlete, Race, Split

# The athlete's columns a split's place keys follow.
_FOLLOWED = ("chip_start_ms", "gun_offset_ms", "status", "gender", "category", "pacer_group_id")
PLACE_GROUPS = ("overall", "gender", "category")
# The two kinds of row of the one places statement: a count ahead, a chip time between.
_AHEAD, _BETWEEN = 0, 1


def place_ms_of(split: Split, athlete: Athlete) -> int | None:
    """What ranks a split: its chip time, or none when it does not count for places."""
    if split.voided_at is not None or not _placed(athlete):
        return None
    return split.elapsed_ms - own_start_ms(athlete)


def _placed(athlete: Athlete) -> bool:
    return placed(athlete.status, in_pacer_group=athlete.pacer_group_id is not None)


def own_start_ms(athlete: Athlete) -> int:
    """Where an athlete's chip time counts from, in ms after the race's gun: their start
    read, else their wave's gun (the race's gun without waves)."""
    if athlete.chip_start_ms is not None:
        return athlete.chip_start_ms
    return athlete.gun_offset_ms or 0


def _changed(athlete: Athlete) -> bool:
    state = inspect(athlete)
    return any(state.attrs[name].history.has_changes() for name in _FOLLOWED)


@event.listens_for(Session, "before_flush")
def keep_place_keys(session: Session, flush_context, instances) -> None:
    """Before a flush: the place keys of every new or changed split, and of every split of
    an athlete whose start, status, gender or category changed (one UPDATE each, and the
    ones loaded in the session set alike)."""
    moved = {
        obj.id: obj
        for obj in session.dirty
        if isinstance(obj, Athlete) and obj.id is not None and _changed(obj)
    }
    for athlete in moved.values():
        session.execute(_rekey(athlete))
    touched = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Split)]
    if moved:
        touched += [
            obj
            for obj in session.identity_map.values()
            if isinstance(obj, Split) and obj.athlete_id in moved
        ]
    for split in touched:
        athlete = split.athlete or session.get(Athlete, split.athlete_id)
        if athlete is not None:
            split.place_ms = place_ms_of(split, athlete)
            split.gender, split.category = athlete.gender, athlete.category


def _rekey(athlete: Athlete):
    """The UPDATE that gives all of an athlete's splits their place keys."""
    chip_time = Split.elapsed_ms - own_start_ms(athlete)
    ranked = _placed(athlete)
    return (
        update(Split)
        .where(Split.athlete_id == athlete.id)
        .values(
            place_ms=case((Split.voided_at.is_(None), chip_time), else_=None) if ranked else None,
            gender=athlete.gender,
            category=athlete.category,
        )
        .execution_options(synchronize_session=False)
    )


def refresh_race(session: Session, race: Race) -> None:
    """Recompute every ranked split's chip time in one statement (after a bulk change such
    as a gun correction, which moves elapsed times and wave guns past the ORM)."""
    start = (
        select(func.coalesce(Athlete.chip_start_ms, Athlete.gun_offset_ms))
        .where(Athlete.id == Split.athlete_id)
        .scalar_subquery()
    )
    session.execute(
        update(Split)
        .where(Split.race_id == race.id, Split.place_ms.is_not(None))
        .values(place_ms=Split.elapsed_ms - start)
        .execution_options(synchronize_session=False)
    )


def _places_in(
    session: Session, checkpoint_id: int, asked: dict[tuple, list[int]]
) -> dict[tuple, dict[int, int]]:
    """Places among the ranked splits at a checkpoint, for each (group, value) asked (the
    group overall, or a gender or category) of its chip times, by chip time: a count before
    the fastest of them and the chip times between the fastest and the slowest, both on an
    index; ties share a place.

    However many times and groups are asked for, one statement (a round trip each was most
    of a results page's time on PostgreSQL): a batch of splits at one mat, a page of
    results, or a whole checkpoint for a CSV.
    """
    parts = []
    for part, ((group, value), chip_times) in enumerate(asked.items()):
        where = [Split.checkpoint_id == checkpoint_id]
        if group != "overall":
            where.append(getattr(Split, group) == value)
        low, high = min(chip_times), max(chip_times)
        tag = literal(part, Integer)
        parts.append(
            select(tag, literal(_AHEAD, Integer), func.count()).where(*where, Split.place_ms < low)
        )
        parts.append(
            select(tag, literal(_BETWEEN, Integer), Split.place_ms).where(
                *where, Split.place_ms >= low, Split.place_ms <= high
            )
        )
    ahead: dict[int, int] = {}
    between: dict[int, list[int]] = {part: [] for part in range(len(asked))}
    for part, kind, number in session.execute(union_all(*parts)):
        if kind == _AHEAD:
            ahead[part] = number
        else:
            between[part].append(number)
    found = {}
    for part, (group_value, chip_times) in enumerate(asked.items()):
        times = sorted(between[part])
        found[group_value] = {t: ahead[part] + bisect_left(times, t) + 1 for t in chip_times}
    return found


def place_table(session: Session, checkpoint_id: int, keyed: list[tuple]) -> list[dict]:
    """Places (overall, gender, category) of ranked splits at one checkpoint, given as
    (chip time, gender, category), in the same order."""
    if not keyed:
        return []
    asked: dict[tuple, list[int]] = {}
    for index, group in enumerate(PLACE_GROUPS):
        for key in keyed:
            if group == "overall":
                asked.setdefault((group, None), []).append(key[0])
            elif key[index] is not None:
                asked.setdefault((group, key[index]), []).append(key[0])
    found = _places_in(session, checkpoint_id, asked)
    return [
        places_view(
            gender,
            category,
            found["overall", None][chip_time],
            found["gender", gender][chip_time] if gender else None,
            found["category", category][chip_time] if category else None,
        )
        for chip_time, gender, category in keyed
    ]


def places_view(gender: str | None, category: str | None, overall, by_gender, by_category):
    """The `places` an athlete or a result carries (a group the athlete has no part in
    has no place)."""
    return {
        "overall": overall,
        "gender": by_gender if gender else None,
        "category": by_category if category else None,
    }


def places_of(session: Session, splits) -> dict:
    """Places (overall, gender, category) of these splits, by split id; a split that does
    not rank has none. A few queries per checkpoint, whatever the number of splits."""
    session.flush()
    by_checkpoint: dict[int, list[Split]] = {}
    places: dict = {}
    for split in splits:
        places[split.id] = None
        if split.place_ms is not None:
            by_checkpoint.setdefault(split.checkpoint_id, []).append(split)
    for checkpoint_id, ranked in by_checkpoint.items():
        keyed = [(split.place_ms, split.gender, split.category) for split in ranked]
        for split, found in zip(ranked, place_table(session, checkpoint_id, keyed), strict=True):
            places[split.id] = found
    return places
