"""The commentators' field view: for each athlete the board shows (the race's summary),
at every checkpoint they passed, their places, the gaps to the leader and to the athlete
ahead, overall and in their gender, and the places they moved since their mat before.

Read on request, never sent as live state: one split moves the places and gaps of
everyone behind it, and a delta carries one athlete, so a board asks again when the race's
`seq` moves (see the README's *Field view*).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..domain.standings import Gaps, gaps_at, moves
from ..domain.summary import LEADERS
from ..models import Athlete, Race, Split
from .places import places_of
from .summary import summary_athletes


def _gaps(session: Session, checkpoint_id: int, gender: str | None, times: list[int]):
    """Gaps of these chip times at a checkpoint, overall or in a gender: three queries on
    the place indexes (the leader, the one before the fastest asked, those between)."""
    where = [Split.checkpoint_id == checkpoint_id, Split.place_ms.is_not(None)]
    if gender is not None:
        where.append(Split.gender == gender)
    low, high = min(times), max(times)
    leader = session.scalar(select(func.min(Split.place_ms)).where(*where))
    before = session.scalar(select(func.max(Split.place_ms)).where(*where, Split.place_ms < low))
    between = list(
        session.scalars(
            select(Split.place_ms)
            .where(*where, Split.place_ms >= low, Split.place_ms <= high)
            .order_by(Split.place_ms)
        )
    )
    return gaps_at(times, leader, between, before)


def board_athletes(session: Session, race: Race) -> list[Athlete]:
    """Whom the board shows: the race's summary, and the first LEADERS at every checkpoint
    (the summary room hears of each while they lead there, so the board keeps them)."""
    athletes = {a.id: a for a in summary_athletes(session, race, [])}
    for checkpoint in race.checkpoints:
        leading = select(Split.athlete_id).where(
            Split.checkpoint_id == checkpoint.id, Split.voided_at.is_(None)
        )
        wanted = leading.order_by(Split.elapsed_ms).limit(LEADERS)
        missing = set(session.scalars(wanted)) - athletes.keys()
        if missing:
            found = session.scalars(select(Athlete).where(Athlete.id.in_(missing)))
            athletes.update((a.id, a) for a in found)
    return sorted(athletes.values(), key=lambda athlete: athlete.bib)


def _gaps_view(gaps: Gaps | None) -> dict | None:
    return None if gaps is None else {"leader_s": gaps.leader_s, "ahead_s": gaps.ahead_s}


def standings(session: Session, race: Race) -> dict:
    """Where each summary athlete stands at every checkpoint they passed, by chip time."""
    seq = race.seq  # read first: the standings are at least this fresh
    athletes = board_athletes(session, race)
    splits = list(
        session.scalars(
            select(Split)
            .where(Split.athlete_id.in_([a.id for a in athletes]), Split.place_ms.is_not(None))
            .options(selectinload(Split.checkpoint))
        )
    )
    places = places_of(session, splits)
    wanted: dict[tuple, list[int]] = defaultdict(list)
    for split in splits:
        wanted[split.checkpoint_id, None].append(split.place_ms)
        if split.gender:
            wanted[split.checkpoint_id, split.gender].append(split.place_ms)
    gaps = {key: _gaps(session, key[0], key[1], times) for key, times in wanted.items()}
    by_athlete: dict[int, list[Split]] = defaultdict(list)
    for split in splits:
        by_athlete[split.athlete_id].append(split)
    return {
        "race": race.slug,
        "seq": seq,
        "basis": "chip",
        "athletes": [
            _athlete_standing(athlete, by_athlete[athlete.id], places, gaps) for athlete in athletes
        ],
    }


def _athlete_standing(athlete, splits: list[Split], places: dict, gaps: dict) -> dict:
    """One athlete's places, gaps and moves at each checkpoint they passed, in course order."""
    ordered = sorted(splits, key=lambda split: split.checkpoint.distance_m)
    placed = [places.get(split.id) or {} for split in ordered]
    codes = [split.checkpoint.code for split in ordered]
    overall = moves([(code, p.get("overall")) for code, p in zip(codes, placed, strict=True)])
    gender = moves([(code, p.get("gender")) for code, p in zip(codes, placed, strict=True)])
    checkpoints = []
    rows = zip(ordered, placed, overall, gender, strict=True)
    for split, place, moved, moved_in_gender in rows:
        in_gender = gaps[split.checkpoint_id, split.gender] if split.gender else {}
        checkpoints.append(
            {
                "checkpoint": split.checkpoint.code,
                "net_elapsed_s": split.place_ms / 1000,
                "places": place or None,
                "gaps": {
                    "overall": _gaps_view(gaps[split.checkpoint_id, None][split.place_ms]),
                    "gender": _gaps_view(in_gender.get(split.place_ms)),
                },
                "moved": None
                if moved is None
                else {
                    "since": moved.since,
                    "overall": moved.places,
                    "gender": None if moved_in_gender is None else moved_in_gender.places,
                },
            }
        )
    return {
        "bib": athlete.bib,
        "gender": athlete.gender,
        "category": athlete.category,
        "checkpoints": checkpoints,
    }
