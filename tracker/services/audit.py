"""The audit log: every write, who made it, from where, and the state before and after.

Services call `record` as they change things; the actor is the one the entry point gave
`transactions.write`, so a service never needs to know whether a token, the CLI or a timing
listener called it. Entries are only ever added (the database refuses updates and deletes).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.audit import SYSTEM
from ..models import AuditEntry, Race
from .transaction_notes import notes

PAGE_LIMIT = 500


def _plain(value: Any) -> str:
    """Instants as ISO 8601, anything else as its text."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=_plain)


def record(
    session: Session,
    action: str,
    *,
    race: Race | None = None,
    subject: str | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add an entry for a write in this transaction (by the transaction's actor)."""
    actor = notes(session).actor or SYSTEM
    session.add(
        AuditEntry(
            at=notes(session).now,
            actor=actor.name,
            role=actor.role,
            origin=actor.origin,
            action=action,
            race_id=race.id if race is not None else None,
            subject=subject,
            before=_json(before),
            after=_json(after),
        )
    )


def entries(
    session: Session, *, race: Race | None = None, after_id: int = 0, limit: int = PAGE_LIMIT
) -> list[AuditEntry]:
    """Entries in the order they were written, after `after_id` (for paging), of one race
    or of everything."""
    query = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)
    if race is not None:
        query = query.where(AuditEntry.race_id == race.id)
    return list(session.scalars(query.limit(min(limit, PAGE_LIMIT))))


def entry_view(entry: AuditEntry, race_slug: str | None) -> dict:
    """An entry as the API shows it."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "role": entry.role,
        "origin": entry.origin,
        "action": entry.action,
        "race": race_slug,
        "subject": entry.subject,
        "before": None if entry.before is None else json.loads(entry.before),
        "after": None if entry.after is None else json.loads(entry.after),
    }
