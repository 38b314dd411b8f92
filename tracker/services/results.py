"""Results: the field at one checkpoint by chip time, overall or in a gender or category,
with every place, paged; unofficial until an official publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Athlete, Checkpoint, Race
from . import audit, live_events
from .places import places_view, ranked_at
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
    ranked = ranked_at(mark.id)
    wanted = []
    if gender:
        wanted.append(ranked.c.gender == gender)
    if category:
        wanted.append(ranked.c.category == category)
    total = session.scalar(select(func.count()).select_from(ranked).where(*wanted))
    query = (
        select(ranked, Athlete.bib, Athlete.name, Athlete.country, Athlete.chip_start_ms)
        .join(Athlete, Athlete.id == ranked.c.athlete_id)
        .where(*wanted)
        .order_by(ranked.c.place_ms, Athlete.bib)
        .offset(offset)
        .limit(limit)
    )
    rows = [
        {
            "place": (
                row.category_place
                if category
                else row.gender_place
                if gender
                else row.overall_place
            ),
            "places": places_view(
                row.gender, row.category, row.overall_place, row.gender_place, row.category_place
            ),
            "bib": row.bib,
            "name": row.name,
            "country": row.country,
            "gender": row.gender,
            "category": row.category,
            "net_elapsed_s": row.place_ms / 1000,
            "elapsed_s": row.elapsed_ms / 1000,
        }
        for row in session.execute(query)
    ]
    return Results(mark, total, rows, official=race.results_published_at is not None)


def publish(session: Session, race: Race, *, now: datetime) -> bool:
    """Mark the race's results official (True when this changed it)."""
    if race.results_published_at is not None:
        return False
    race.results_published_at = now
    audit.record(session, "results.publish", race=race, subject=race.slug, after={"at": now})
    live_events.race_changed(session, race, "results_published")
    return True
