"""What one write transaction has noted so far, kept with its session until it ends.

SQLAlchemy gives each session an `info` dict for exactly this; one typed object under one
key keeps the live events waiting for the commit, the athletes changed so far, the field
sizes counted once per transaction, and who is writing (for the audit log), instead of
loose keys scattered through modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

_KEY = "tracker.transaction_notes"


@dataclass
class TransactionNotes:
    """Notes of the transaction in progress."""

    # Live events to publish once the transaction commits (`live_events.LiveEvent`).
    events: list[Any] = field(default_factory=list)
    # Athletes changed so far, by object id, described once just before commit.
    athletes: dict[int, Any] = field(default_factory=dict)
    # Race changes to announce once the athletes' are described (by race id: race, change).
    races: dict[int, Any] = field(default_factory=dict)
    # Athletes per race, counted once (a mass ingest asks for every split it enters).
    field_sizes: dict[int, int] = field(default_factory=dict)
    # Races whose gun this transaction holds: True to change it, False to time from it.
    guns_held: dict[int, bool] = field(default_factory=dict)
    # Who makes this write (`domain.audit.Actor`), for the audit log, and when it began.
    actor: Any = None
    now: Any = None


def notes(session: Session) -> TransactionNotes:
    """This session's notes, made on first use."""
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = TransactionNotes()
    return found


def forget(session: Session) -> None:
    """Drop the notes: the transaction ended (committed or rolled back)."""
    session.info.pop(_KEY, None)
