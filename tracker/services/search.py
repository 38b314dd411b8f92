"""Finding athletes in a whole field by bib or the start of any word of their name, with
case and accents folded (domain.names), on indexes only."""

from __future__ import annotations

from sqlalchemy import func, intersect, select, union
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
    if not query.strip():
        # The whole field: a count and a page by bib, each on the (race, bib) index.
        everyone = Athlete.race_id == race.id
        total = session.scalar(select(func.count()).select_from(Athlete).where(everyone))
        page = select(Athlete).where(everyone).order_by(Athlete.bib).offset(offset).limit(limit)
        return total, list(session.scalars(page))
    found = _matching_ids(race, query).subquery()
    # The match is evaluated once: the page carries the total beside each row. Each match's
    # bib is looked up by its id: a join let PostgreSQL, which cannot tell how few ids an
    # intersection leaves, scan the whole field instead.
    bib = select(Athlete.bib).where(Athlete.id == found.c.id).scalar_subquery()
    page = (
        select(found.c.id, func.count().over().label("total"))
        .order_by(bib)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(Athlete, page.c.total).join(page, page.c.id == Athlete.id).order_by(Athlete.bib)
    ).all()
    if rows:
        return rows[0][1], [athlete for athlete, _ in rows]
    if offset == 0:
        return 0, []
    # Paged past the end: the total alone, still one evaluation.
    return session.scalar(select(func.count()).select_from(found)), []


def _matching_ids(race: Race, query: str):
    """The ids of the athletes whose bib is the query, or in whose name each word of the
    query starts a word: one range of the (race, word) index per query word, intersected,
    and the bib on its own index; a union of the two (an OR of them made PostgreSQL scan)."""
    by_bib = select(Athlete.id.label("id")).where(
        Athlete.race_id == race.id, Athlete.bib == query.strip()
    )
    words = name_words(query)
    if not words:
        return by_bib
    ranges = [
        select(AthleteNameWord.athlete_id.label("id")).where(
            AthleteNameWord.race_id == race.id,
            AthleteNameWord.word >= low,
            AthleteNameWord.word < high,
        )
        for low, high in map(prefix_bounds, words)
    ]
    if len(ranges) > 1:  # a subquery: SQLite takes no parenthesised compound select
        both = intersect(*ranges).subquery()
        by_name = select(both.c.id)
    else:
        by_name = ranges[0]
    return union(by_bib, by_name)
