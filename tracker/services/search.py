"""Finding athletes in a whole field by bib or the start of any word of their name, with
case and accents folded (domain.names), on indexes only."""

from __future__ import annotations

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from ..domain.names import name_words, prefix_bounds
from ..models import Athlete, AthleteNameWord, Race

PAGE_LIMIT = 100


def search_athletes(
    session: Session, race: Race, query: str, *, offset: int = 0, limit: int = 20
) -> tuple[int, list[Athlete]]:
    """Athletes whose bib is the query, or whose name has a word starting with each word of
    it ("kip" finds Kipchoge, "jose nun" José Núñez), by bib; and how many in all (an
    empty query: everyone)."""
    words = name_words(query)
    if not query.strip():
        match = Athlete.race_id == race.id  # no query: the whole field, by bib
    else:
        by_bib = select(Athlete.id).where(Athlete.race_id == race.id, Athlete.bib == query.strip())
        # Each word of the query starts a word of the name; or the query is the bib. A
        # union of the two, each on its own index (an OR of them made PostgreSQL scan).
        by_name = select(Athlete.id).where(
            Athlete.race_id == race.id,
            *(
                Athlete.id.in_(
                    select(AthleteNameWord.athlete_id).where(
                        AthleteNameWord.race_id == race.id,
                        AthleteNameWord.word >= low,
                        AthleteNameWord.word < high,
                    )
                )
                for low, high in map(prefix_bounds, words)
            ),
        )
        found = union(by_bib, by_name).subquery() if words else by_bib.subquery()
        match = Athlete.id.in_(select(found.c.id))
    total = session.scalar(select(func.count()).select_from(Athlete).where(match))
    athletes = session.scalars(
        select(Athlete).where(match).order_by(Athlete.bib).offset(offset).limit(limit)
    )
    return total, list(athletes)
