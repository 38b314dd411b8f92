"""The audit log: every write, append-only (the database refuses to change or delete a row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utc_now


class AuditEntry(db.Model):
    """One write: when, who (and their role), from where, what, on which race and subject,
    and the state before and after as JSON."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    # No cascade: a race with a history cannot be deleted out from under its log.
    race_id: Mapped[int | None] = mapped_column(ForeignKey("races.id"))
    subject: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_entries_race_id_id", "race_id", "id"),)
