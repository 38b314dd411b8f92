"""Unknown chips: read at the mats, worn by no athlete. Their reads are stored like any
other; this keeps each chip once in the officials' review queue until it is assigned."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Race, UnknownChip


def note_unknown_chips(
    session: Session, race: Race, reads: Iterable[tuple[str, str, datetime]]
) -> None:
    """Count new reads (chip, checkpoint, time) of chips no athlete wears: one query for
    the chips already noted, one row added or updated per chip."""
    by_chip: dict[str, list[tuple[str, datetime]]] = {}
    for chip, checkpoint, at in reads:
        by_chip.setdefault(chip, []).append((checkpoint, at))
    if not by_chip:
        return
    noted = {
        row.chip: row
        for row in session.scalars(
            select(UnknownChip).where(UnknownChip.race_id == race.id, UnknownChip.chip.in_(by_chip))
        )
    }
    for chip, seen in by_chip.items():
        last_checkpoint, last_at = max(seen, key=lambda item: item[1])
        first_at = min(at for _, at in seen)
        row = noted.get(chip)
        if row is None:
            row = UnknownChip(race_id=race.id, chip=chip, reads=0, first_read_at=first_at)
            row.last_read_at = last_at
            row.last_checkpoint = last_checkpoint
            session.add(row)
        elif last_at >= row.last_read_at:
            row.last_read_at, row.last_checkpoint = last_at, last_checkpoint
        row.first_read_at = min(row.first_read_at, first_at)
        row.reads += len(seen)


def forget_unknown_chip(session: Session, race: Race, chip: str) -> None:
    """The chip is worn now: it leaves the review queue."""
    session.execute(
        delete(UnknownChip).where(UnknownChip.race_id == race.id, UnknownChip.chip == chip)
    )
