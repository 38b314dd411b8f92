"""Places by chip time: each split carries what ranks it, so a place is a count on an index.

A split's `place_ms` is its chip time while it is live and its athlete is in the race
(none once voided, or the athlete is dns/dnf/dq), with the athlete's gender and category
beside it. `keep_place_keys` holds them true before every flush, whichever path changed a
split or an athlete, so a late or corrected split, a new start read, a status or a category
moves the places at once, without a rescan of the field: an athlete's place at a checkpoint
is one more than the ranked splits there with a smaller chip time.
"""

from __future__ import annotations

from sqlalchemy import case, event, func, inspect, select, update
from sqlalchemy.orm import Session, aliased

from ..domain.athlete_status import in_the_race
from ..models import Athlete, Race, Split

# The athlete's columns a split's place keys follow.
_FOLLOWED = ("chip_start_ms", "status", "gender", "category")
PLACE_GROUPS = ("overall", "gender", "category")


def place_ms_of(split: Split, athlete: Athlete) -> int | None:
    """What ranks a split: its chip time, or none when it does not count for places."""
    if split.voided_at is not None or not in_the_race(athlete.status):
        return None
    return split.elapsed_ms - (athlete.chip_start_ms or 0)


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
    chip_time = Split.elapsed_ms - (athlete.chip_start_ms or 0)
    ranked = in_the_race(athlete.status)
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
    as a gun correction, which moves elapsed times past the ORM)."""
    start = (
        select(func.coalesce(Athlete.chip_start_ms, 0))
        .where(Athlete.id == Split.athlete_id)
        .scalar_subquery()
    )
    session.execute(
        update(Split)
        .where(Split.race_id == race.id, Split.place_ms.is_not(None))
        .values(place_ms=Split.elapsed_ms - start)
        .execution_options(synchronize_session=False)
    )


# Up to this many splits at one checkpoint are placed by counting ahead of each on the
# index; more (a live batch at a busy mat, a whole field) by ranking the checkpoint once.
COUNTED_SPLITS = 20


def _count_ahead(group: str):
    """A correlated count: ranked splits at the same checkpoint (and group) with a smaller
    chip time; one more is the split's place."""
    other = aliased(Split)
    query = select(func.count()).where(
        other.checkpoint_id == Split.checkpoint_id, other.place_ms < Split.place_ms
    )
    if group != "overall":
        query = query.where(getattr(other, group) == getattr(Split, group))
    return query.scalar_subquery() + 1


def _rank(group: str):
    """A window rank: the place among the checkpoint's ranked splits (ties share one)."""
    partition = [Split.checkpoint_id] + ([getattr(Split, group)] if group != "overall" else [])
    return func.rank().over(partition_by=partition, order_by=Split.place_ms)


def ranked_at(checkpoint_id: int):
    """Every ranked split at a checkpoint with its three places (a subquery to filter)."""
    return (
        select(
            Split.id,
            Split.athlete_id,
            Split.elapsed_ms,
            Split.place_ms,
            Split.gender,
            Split.category,
            *(_rank(group).label(f"{group}_place") for group in PLACE_GROUPS),
        )
        .where(Split.checkpoint_id == checkpoint_id, Split.place_ms.is_not(None))
        .subquery()
    )


def _rows(session: Session, checkpoint_id: int, ids: list) -> list:
    if len(ids) <= COUNTED_SPLITS:
        columns = [_count_ahead(group) for group in PLACE_GROUPS]
        query = select(Split.id, Split.place_ms, Split.gender, Split.category, *columns)
        return list(session.execute(query.where(Split.id.in_(ids))))
    ranked = ranked_at(checkpoint_id)
    query = select(
        ranked.c.id,
        ranked.c.place_ms,
        ranked.c.gender,
        ranked.c.category,
        *(ranked.c[f"{group}_place"] for group in PLACE_GROUPS),
    )
    return list(session.execute(query.where(ranked.c.id.in_(ids))))


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
    not rank has none. A handful of queries whatever the number of splits."""
    by_checkpoint: dict[int, list] = {}
    for split in splits:
        by_checkpoint.setdefault(split.checkpoint_id, []).append(split.id)
    places: dict = {split.id: None for split in splits}
    for checkpoint_id, ids in by_checkpoint.items():
        for split_id, place_ms, gender, category, *ranks in _rows(session, checkpoint_id, ids):
            if place_ms is not None:
                places[split_id] = places_view(gender, category, *ranks)
    return places
