"""Conflicting entries: a time an official entered by hand (or imported) where the mats'
own reads put the athlete at another time. The official's word stands (the reads are
kept as `manual_override`); the queue asks someone to look at both."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from ..domain import scoring
from ..models import Athlete, Race, Split
from .courses import course_of
from .rescoring import stored_reads
from .snapshots import split_view

CONFLICTING_ENTRY = "conflicting_entry"
# Apart by more than this, two times of one passing disagree (a hand-held watch at a mat
# is a second or two off the chip).
AGREE_WITHIN_S = 2.0


def conflicting_entries(session: Session, race: Race) -> list[dict]:
    """Live hand-entered splits the athlete's mat reads contradict, oldest first: the
    hand-entered ones are few (on a partial index), and only their athletes are scored."""
    if race.gun_time is None:
        return []
    splits = list(
        session.scalars(
            select(Split)
            # Spelled as the partial index `ix_splits_by_hand` is, so SQLite uses it too.
            .where(Split.race_id == race.id, text("splits.source <> 'mat'"))
            .where(Split.voided_at.is_(None))
            .order_by(Split.received_at, Split.id)
            .options(selectinload(Split.athlete).selectinload(Athlete.chips))
            .options(selectinload(Split.checkpoint))
        )
    )
    athletes = list({split.athlete_id: split.athlete for split in splits}.values())
    athletes = [athlete for athlete in athletes if athlete.chips]
    if not athletes:
        return []
    course = course_of(race)
    reads = stored_reads(session, race, athletes)
    by_mats = {
        athlete.id: scoring.score_athlete(
            course, reads[athlete.id], gun_s=athlete.gun_offset_ms / 1000
        ).passings
        for athlete in athletes
    }
    found = []
    for split in splits:
        passing = by_mats.get(split.athlete_id, {}).get(split.checkpoint.code)
        if passing is None or abs(passing.elapsed_s - split.elapsed_ms / 1000) <= AGREE_WITHIN_S:
            continue
        found.append(
            {
                "id": f"{CONFLICTING_ENTRY}:{split.id}",
                "kind": CONFLICTING_ENTRY,
                "bib": split.athlete.bib,
                "name": split.athlete.name,
                "checkpoint": split.checkpoint.code,
                "split": split_view(race, split),
                "mat_elapsed_s": round(passing.elapsed_s, 3),
                "mat_read": passing.key,
                "actions": ["correct", "void", "revert"],
            }
        )
    return found
