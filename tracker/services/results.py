"""Results: the field at one checkpoint by chip time, overall or in a gender or category,
with every place, paged; unofficial until an official publishes them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Athlete, Checkpoint, Race, Split
from .places import place_table
from .splits import find_checkpoint

PAGE_LIMIT = 500


@dataclass(frozen=True)
class Results:
    """One page of results and how many there are in all."""

    checkpoint: Checkpoint
    total: int
    rows: list[dict]
    official: bool


def results(
    session: Session,
    race: Race,
    *,
    checkpoint: str | None = None,
    gender: str | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int | None = 50,
) -> Results:
    """Who passed a checkpoint (the finish unless named), fastest chip time first."""
    mark = find_checkpoint(race, checkpoint) if checkpoint else race.checkpoints[-1]
    wanted = [Split.checkpoint_id == mark.id, Split.place_ms.is_not(None)]
    if gender:
        wanted.append(Split.gender == gender)
    if category:
        wanted.append(Split.category == category)
    total = session.scalar(select(func.count()).select_from(Split).where(*wanted))
    query = (
        select(Split, Athlete)
        .join(Athlete, Athlete.id == Split.athlete_id)
        .where(*wanted)
        .order_by(Split.place_ms, Athlete.bib)
        .offset(offset)
        .limit(limit)
    )
    page = list(session.execute(query))
    keyed = [(split.place_ms, split.gender, split.category) for split, _ in page]
    group = "category" if category else "gender" if gender else "overall"
    rows = [
        {
            "place": places[group],
            "places": places,
            "bib": athlete.bib,
            "name": athlete.name,
            "country": athlete.country,
            "gender": split.gender,
            "category": split.category,
            "net_elapsed_s": split.place_ms / 1000,
            "elapsed_s": split.elapsed_ms / 1000,
        }
        for (split, athlete), places in zip(page, place_table(session, mark.id, keyed), strict=True)
    ]
    return Results(mark, total, rows, official=race.results_published_at is not None)
