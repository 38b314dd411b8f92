"""Splits: one athlete at one checkpoint, with every revision kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, utc_now

if TYPE_CHECKING:  # resolved by name at mapping time
    from .race import Athlete, Checkpoint


class Split(db.Model):
    """One athlete at one checkpoint: the current value; its history is in SplitRevision."""

    __tablename__ = "splits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    # Milliseconds from the gun, exact on every backend.
    elapsed_ms: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An estimated time (no mat, sources disagree): shown as such, kept out of paces.
    approximate: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    # What ranks the split (services.places keeps them): its chip time while it is live
    # and its athlete in the race, else none; the athlete's gender and category beside it,
    # so a place is one count on an index.
    place_ms: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(1))
    category: Mapped[str | None] = mapped_column(String(16))
    # What `split_checks` finds wrong with the split now (kept by services.split_flags, so
    # the review queue is one indexed lookup), and the time an official confirmed despite
    # a flag: it counts while it keeps that time, and a new time needs confirming again.
    flag: Mapped[str | None] = mapped_column(String(16))
    confirmed_ms: Mapped[int | None]

    athlete: Mapped[Athlete] = relationship()
    checkpoint: Mapped[Checkpoint] = relationship()
    revisions: Mapped[list[SplitRevision]] = relationship(
        back_populates="split", order_by="SplitRevision.version", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # One live split per athlete and checkpoint; voided ones stay beside it.
        Index(
            "uq_splits_live_athlete_checkpoint",
            "athlete_id",
            "checkpoint_id",
            unique=True,
            sqlite_where=db.text("voided_at IS NULL"),
            postgresql_where=db.text("voided_at IS NULL"),
        ),
        # An athlete's splits, voided ones too (rescoring reads them all for each batch):
        # the live-split index above leaves the voided out, so without this one every
        # batch of reads scanned the whole table.
        Index("ix_splits_athlete", "athlete_id"),
        # Places at a checkpoint (who passed before this time) are counted on it.
        # The review queue's flagged splits: few, found without reading the field's.
        Index(
            "ix_splits_flagged",
            "race_id",
            sqlite_where=db.text("flag IS NOT NULL AND voided_at IS NULL"),
            postgresql_where=db.text("flag IS NOT NULL AND voided_at IS NULL"),
        ),
        # The review queue's hand-entered times, to check against the mats: few again.
        Index(
            "ix_splits_by_hand",
            "race_id",
            sqlite_where=db.text("source <> 'mat' AND voided_at IS NULL"),
            postgresql_where=db.text("source <> 'mat' AND voided_at IS NULL"),
        ),
        Index("ix_splits_checkpoint_elapsed", "checkpoint_id", "elapsed_ms"),
        Index("ix_splits_place_overall", "checkpoint_id", "place_ms"),
        Index("ix_splits_place_gender", "checkpoint_id", "gender", "place_ms"),
        Index("ix_splits_place_category", "checkpoint_id", "category", "place_ms"),
        CheckConstraint("elapsed_ms >= 0", name="elapsed_not_negative"),
        CheckConstraint("source in ('manual', 'mat', 'import')", name="source_known"),
    )


class SplitRevision(db.Model):
    """An append-only record of a split being entered, corrected or voided."""

    __tablename__ = "split_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    split_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("splits.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    elapsed_ms_before: Mapped[int | None]
    elapsed_ms_after: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    split: Mapped[Split] = relationship(back_populates="revisions")

    __table_args__ = (
        UniqueConstraint("split_id", "version"),
        CheckConstraint(
            "action in ('enter', 'correct', 'void', 'revert', 'gun_shift', 'confirm')",
            name="action_known",
        ),
    )
