"""Pacer groups, their rotation plan, and the log of groups going in and out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, utc_now

if TYPE_CHECKING:  # resolved by name at mapping time
    from .race import Athlete


class PacerGroup(db.Model):
    """Pacers who run in front of the athlete together (Vienna: five in a V, two behind)."""

    __tablename__ = "pacer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))

    members: Mapped[list[Athlete]] = relationship(order_by="Athlete.bib", viewonly=True)
    stints: Mapped[list[PacerStint]] = relationship(
        order_by="PacerStint.in_m", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("race_id", "code"),)


class PacerStint(db.Model):
    """The plan: a group goes in at `in_m` and hands over at `out_m`."""

    __tablename__ = "pacer_stints"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("pacer_groups.id", ondelete="CASCADE"), index=True
    )
    in_m: Mapped[float]
    out_m: Mapped[float]
    # A changeover point made up where the record has none (the Vienna demo's): said so.
    illustrative: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    __table_args__ = (
        CheckConstraint("in_m >= 0", name="in_not_negative"),
        CheckConstraint("out_m > in_m", name="out_after_in"),
    )


class PacerRotation(db.Model):
    """A group went in or out, where and when, and who said so (an official, or a pacer's
    chip at a changeover mat)."""

    __tablename__ = "pacer_rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("pacer_groups.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(3))
    distance_m: Mapped[float]
    elapsed_ms: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(100))
    # The request's client id: a retry finds its rotation here and records nothing new.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The pacer's split that put it in (chip or typed): it follows that split, moved by a
    # correction, withdrawn while the split is voided (kept, for the audit trail).
    split_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("splits.id", ondelete="SET NULL"), index=True
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[PacerGroup] = relationship()

    __table_args__ = (
        CheckConstraint("action in ('in', 'out')", name="action_known"),
        CheckConstraint("source in ('official', 'chip', 'split')", name="source_known"),
        CheckConstraint("distance_m >= 0", name="distance_not_negative"),
        CheckConstraint("elapsed_ms >= 0", name="elapsed_not_negative"),
    )
