"""The officials' review queue: what needs a human, kind by kind, paged across kinds.

Overdue athletes (the named safety list) come first, then flagged splits, times entered
by hand that the mats contradict, read-key conflicts and unknown chips. Each kind counts
and pages itself on an index, so a page of the queue costs a few queries however large
the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..domain import overdue
from ..models import Race, ReadConflict, Split, UnknownChip
from .entry_conflicts import CONFLICTING_ENTRY, conflicting_entries
from .overdue_athletes import OVERDUE, overdue_athletes
from .read_conflicts import READ_CONFLICT, conflict_view
from .snapshots import split_view

FLAGGED_SPLIT, UNKNOWN_CHIP = ("flagged_split", "unknown_chip")
KINDS = (OVERDUE, FLAGGED_SPLIT, CONFLICTING_ENTRY, READ_CONFLICT, UNKNOWN_CHIP)


@dataclass(frozen=True)
class _Source:
    """One kind of item: how many there are, and a page of them."""

    count: Callable[[], int]
    page: Callable[[int, int], list[dict]]


def review_queue(
    session: Session,
    race: Race,
    *,
    now: datetime,
    kinds: tuple[str, ...] = KINDS,
    overdue_after_s: float = overdue.OVERDUE_AFTER_S,
    offset: int = 0,
    limit: int = 50,
) -> dict:
    """A page of the queue, with the count of every kind asked for."""
    sources = {kind: _source(kind, session, race, now, overdue_after_s) for kind in kinds}
    counts = {kind: source.count() for kind, source in sources.items()}
    items: list[dict] = []
    skip = offset
    for kind, source in sources.items():
        if skip >= counts[kind]:
            skip -= counts[kind]
            continue
        if len(items) >= limit:
            break
        items += source.page(skip, limit - len(items))
        skip = 0
    return {
        "total": sum(counts.values()),
        "counts": counts,
        "offset": offset,
        "limit": limit,
        "overdue_after_s": overdue_after_s,
        "items": items,
    }


def _source(kind: str, session: Session, race: Race, now: datetime, after_s: float) -> _Source:
    if kind == OVERDUE:
        return _overdue_source(session, race, now, after_s)
    if kind == FLAGGED_SPLIT:
        return _flagged_source(session, race)
    if kind == CONFLICTING_ENTRY:
        return _entry_conflict_source(session, race)
    if kind == READ_CONFLICT:
        return _conflict_source(session, race)
    return _unknown_chip_source(session, race)


def _flagged_source(session: Session, race: Race) -> _Source:
    """Live splits the checks flag (on the partial index `ix_splits_flagged`)."""
    where = (Split.race_id == race.id, Split.flag.is_not(None), Split.voided_at.is_(None))

    def page(offset: int, limit: int) -> list[dict]:
        splits = session.scalars(
            select(Split)
            .where(*where)
            .order_by(Split.received_at, Split.id)
            .offset(offset)
            .limit(limit)
            .options(selectinload(Split.athlete), selectinload(Split.checkpoint))
        )
        return [
            {
                "id": f"{FLAGGED_SPLIT}:{split.id}",
                "kind": FLAGGED_SPLIT,
                "flag": split.flag,
                "bib": split.athlete.bib,
                "name": split.athlete.name,
                "checkpoint": split.checkpoint.code,
                "split": split_view(race, split, split.flag),
                "actions": ["confirm", "correct", "void"],
            }
            for split in splits
        ]

    return _Source(lambda: _count(session, Split, where), page)


def _conflict_source(session: Session, race: Race) -> _Source:
    """Reads that came under a key the raw log holds with other content, not yet accepted
    or dismissed."""
    where = (ReadConflict.race_id == race.id, ReadConflict.resolution.is_(None))

    def page(offset: int, limit: int) -> list[dict]:
        rows = session.scalars(
            select(ReadConflict).where(*where).order_by(ReadConflict.id).offset(offset).limit(limit)
        )
        return [conflict_view(row) for row in rows]

    return _Source(lambda: _count(session, ReadConflict, where), page)


def _unknown_chip_source(session: Session, race: Race) -> _Source:
    """Chips read at the mats that no athlete wears (until one is assigned)."""
    where = (UnknownChip.race_id == race.id,)

    def page(offset: int, limit: int) -> list[dict]:
        rows = session.scalars(
            select(UnknownChip)
            .where(*where)
            .order_by(UnknownChip.first_read_at, UnknownChip.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            {
                "id": f"{UNKNOWN_CHIP}:{row.chip}",
                "kind": UNKNOWN_CHIP,
                "chip": row.chip,
                "reads": row.reads,
                "first_read_at": row.first_read_at.isoformat(),
                "last_read_at": row.last_read_at.isoformat(),
                "last_checkpoint": row.last_checkpoint,
                "actions": ["assign"],
            }
            for row in rows
        ]

    return _Source(lambda: _count(session, UnknownChip, where), page)


def _count(session: Session, model, where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _overdue_source(session: Session, race: Race, now: datetime, after_s: float) -> _Source:
    """The named overdue list (found once, however often counted and paged)."""
    found = overdue_athletes(session, race, now=now, after_s=after_s)
    return _Source(lambda: len(found), lambda offset, limit: found[offset : offset + limit])


def _entry_conflict_source(session: Session, race: Race) -> _Source:
    """Times entered by hand that the mats' reads contradict (found once)."""
    found = conflicting_entries(session, race)
    return _Source(lambda: len(found), lambda offset, limit: found[offset : offset + limit])
