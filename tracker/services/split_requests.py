"""A split as requested: stored once however often the request comes (by its client id,
or the same time again), a conflict where another time stands, then entered through
`splits`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..domain.race_clock import SplitTime
from ..domain.refusals import Refusal
from ..models import Athlete, Checkpoint, Race, Split
from .races import find_athlete
from .splits import GUN_SHIFT, SplitOutcome, elapsed_ms_of, enter_split, find_checkpoint


def _live_split(session: Session, athlete: Athlete, checkpoint: Checkpoint) -> Split | None:
    return session.scalar(
        select(Split).where(
            Split.athlete_id == athlete.id,
            Split.checkpoint_id == checkpoint.id,
            Split.voided_at.is_(None),
        )
    )


def _repeat_of(
    session: Session,
    key: str | None,
    client_id: uuid.UUID | None,
    race: Race,
    athlete,
    checkpoint,
    elapsed_ms: int,
):
    """The split an earlier request with this key stored, if any; a Refusal if that request
    was for another split, or if the public id belongs to a split stored without this key.

    Key and id are looked up in one statement: on PostgreSQL two looks could straddle a
    concurrent twin's commit, missing its key and then finding its id.
    """
    wanted = []
    if key is not None:
        wanted.append(Split.idempotency_key == key)
    if client_id is not None:
        wanted.append(Split.id == client_id)
    if not wanted:
        return None
    found = session.scalars(select(Split).where(or_(*wanted))).all()
    earlier = next((split for split in found if key and split.idempotency_key == key), None)
    if earlier is None:
        if found:  # the id alone: a split the scorer or a replay made
            raise Refusal(
                "idempotency_conflict",
                "This id belongs to another split; send a new id.",
                existing_id=str(client_id),
            )
        return None
    same = (
        earlier.race_id == race.id
        and earlier.athlete_id == athlete.id
        and earlier.checkpoint_id == checkpoint.id
        and _as_first_entered(earlier) == elapsed_ms
    )
    if not same:
        raise Refusal(
            "idempotency_conflict",
            "This id was used for a different split; send a new id.",
            existing_id=str(earlier.id),
        )
    return earlier


def _as_first_entered(split: Split) -> int:
    """The split's first time, moved by every gun correction since: what the same request
    sent again would measure now."""
    elapsed = split.revisions[0].elapsed_ms_after
    for revision in split.revisions[1:]:
        if revision.action == GUN_SHIFT:
            elapsed += revision.elapsed_ms_after - revision.elapsed_ms_before
    return elapsed


def _same_time_again(live: Split, elapsed_ms: int) -> SplitOutcome:
    """The athlete's split here again (no change), or a conflict only a correction resolves."""
    if live.elapsed_ms == elapsed_ms:
        return SplitOutcome(live, changed=False)
    raise Refusal(
        "split_conflict",
        f"Bib {live.athlete.bib} already has a different time at {live.checkpoint.code};"
        " correct it instead.",
        existing_id=str(live.id),
        existing_elapsed_s=live.elapsed_ms / 1000,
    )


def record_split(
    session: Session,
    race: Race,
    *,
    bib: str,
    checkpoint_code: str,
    given: SplitTime,
    source: str,
    entered_by: str,
    now: datetime,
    client_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    future_tolerance_s: float = 5.0,
    approximate: bool = False,
) -> SplitOutcome:
    """Store a split once, however often the request is repeated.

    A repeated key, or the same time again for the same athlete and checkpoint, returns
    the stored split unchanged; a different time where a split exists is a conflict that
    only a correction resolves.
    """
    key = idempotency_key or (str(client_id) if client_id else None)
    athlete = find_athlete(session, race, bib, field="bib")
    checkpoint = find_checkpoint(race, checkpoint_code)
    elapsed_ms = elapsed_ms_of(session, race, given, now, future_tolerance_s)
    earlier = _repeat_of(session, key, client_id, race, athlete, checkpoint, elapsed_ms)
    if earlier is not None:
        return SplitOutcome(earlier, changed=False)
    live = _live_split(session, athlete, checkpoint)
    if live is not None:
        return _same_time_again(live, elapsed_ms)
    split = enter_split(
        session,
        race,
        athlete,
        checkpoint,
        given,
        source=source,
        entered_by=entered_by,
        now=now,
        idempotency_key=key,
        split_id=client_id,
        future_tolerance_s=future_tolerance_s,
        approximate=approximate,
    )
    return SplitOutcome(split, changed=True)
