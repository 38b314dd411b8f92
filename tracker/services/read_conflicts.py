"""Read-key conflicts resolved by an official: the read scored under a key of its own (the
crossing was real; its bridge had restarted its numbering) or dismissed. Either is audited
and takes the conflict out of the review queue; the same decision again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.refusals import Refusal
from ..models import Race, ReadConflict
from . import audit
from .reads import ReadIn, ReadResult, ingest_reads

ACCEPT, DISMISS = "accept", "dismiss"
READ_CONFLICT = "read_conflict"


@dataclass(frozen=True)
class Resolution:
    conflict: ReadConflict
    changed: bool
    read: ReadResult | None = None


def find_conflict(session: Session, race: Race, conflict_id: str) -> ReadConflict:
    """The race's read-key conflict with this number, or a Refusal."""
    conflict = session.get(ReadConflict, int(conflict_id)) if conflict_id.isdigit() else None
    if conflict is None or conflict.race_id != race.id:
        raise Refusal("unknown_read_conflict", f"The race has no read conflict {conflict_id}.")
    return conflict


def resolve_conflict(
    session: Session,
    race: Race,
    conflict: ReadConflict,
    *,
    resolution: str,
    reason: str,
    actor: str,
    now: datetime,
    future_tolerance_s: float = 5.0,
) -> Resolution:
    """Accept the conflicting read (scored at once) or dismiss it, once."""
    if conflict.resolution == resolution:
        return Resolution(conflict, changed=False)
    if conflict.resolution is not None:
        raise Refusal(
            "read_conflict_resolved",
            f"{conflict.resolved_by} already chose to {conflict.resolution} this read.",
            resolution=conflict.resolution,
        )
    conflict.resolution, conflict.resolved_by, conflict.resolved_at = resolution, actor, now
    read = None
    if resolution == ACCEPT:
        (read,) = ingest_reads(
            session, race, [_own_read(conflict)], now=now, future_tolerance_s=future_tolerance_s
        )
    audit.record(
        session,
        f"read_conflict.{resolution}",
        race=race,
        subject=conflict.idempotency_key,
        after={
            "id": conflict.id,
            "chip": conflict.chip,
            "checkpoint": conflict.checkpoint,
            "reason": reason,
            **({"read": read.key, "status": read.status} if read else {}),
        },
    )
    return Resolution(conflict, changed=True, read=read)


def _own_read(conflict: ReadConflict) -> ReadIn:
    """The conflicting read as one of its own: its source names the conflict, so its key
    (without a sequence number, the read itself) collides with nothing the log holds."""
    return ReadIn(
        source=f"{conflict.source}/conflict-{conflict.id}",
        chip=conflict.chip,
        time=conflict.device_time,
        checkpoint=conflict.checkpoint,
        device=conflict.device or conflict.source,
        line=conflict.line,
        raw=conflict.raw,
    )


def conflict_view(conflict: ReadConflict) -> dict:
    """A conflict as the review queue and the resolving answer show it."""
    return {
        "id": f"{READ_CONFLICT}:{conflict.id}",
        "kind": READ_CONFLICT,
        "key": conflict.idempotency_key,
        "chip": conflict.chip,
        "checkpoint": conflict.checkpoint,
        "line": conflict.line,
        "device": conflict.device,
        "device_time": conflict.device_time.isoformat(),
        "received_at": conflict.received_at.isoformat(),
        "reason": conflict.reason,
        "resolution": conflict.resolution,
        "resolved_by": conflict.resolved_by,
        "actions": [] if conflict.resolution else [ACCEPT, DISMISS],
    }
