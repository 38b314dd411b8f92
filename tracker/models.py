"""Tables: races, checkpoints, athletes and their chips, splits with their history, tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, db, utc_now


class Race(db.Model):
    __tablename__ = "races"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    distance_m: Mapped[float]
    target_s: Mapped[float]
    timezone: Mapped[str] = mapped_column(String(64))
    gun_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How fast the race clock runs against the wall clock: 1 for a real race, more for a
    # replay (the demo replays Vienna at 60x).
    clock_rate: Mapped[float] = mapped_column(default=1.0)
    # The live stream's sequence number: bumped in the transaction of every change that
    # the race's watchers hear about, so clients can spot a missed delta.
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="race", order_by="Checkpoint.distance_m", cascade="all, delete-orphan"
    )
    athletes: Mapped[list[Athlete]] = relationship(
        back_populates="race", order_by="Athlete.bib", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("distance_m > 0", name="distance_positive"),
        CheckConstraint("target_s > 0", name="target_positive"),
        CheckConstraint("clock_rate > 0", name="clock_rate_positive"),
    )


class Checkpoint(db.Model):
    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    distance_m: Mapped[float]
    # A custom target split here; None means the even-pace schedule.
    target_elapsed_s: Mapped[float | None]

    race: Mapped[Race] = relationship(back_populates="checkpoints")

    __table_args__ = (
        UniqueConstraint("race_id", "code"),
        UniqueConstraint("race_id", "distance_m"),
        CheckConstraint("distance_m > 0", name="distance_positive"),
    )


class Athlete(db.Model):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    bib: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(3))
    role: Mapped[str] = mapped_column(String(16), default="athlete")
    # Elites and target athletes: always in the race's summary, however big the field.
    featured: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    # The athlete's own live stream, for spectators following them.
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # Derived by the scorer from start-mat reads (TIMING.md §9.6): the athlete's own start,
    # from the gun; none without a start read, so net time falls back to gun time.
    chip_start_ms: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    race: Mapped[Race] = relationship(back_populates="athletes")
    chips: Mapped[list[Chip]] = relationship(
        back_populates="athlete", order_by="Chip.code", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("race_id", "bib"),
        CheckConstraint("role in ('athlete', 'pacer')", name="role_known"),
    )


class Chip(db.Model):
    """A transponder code worn by an athlete (one athlete may wear two)."""

    __tablename__ = "chips"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athletes.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))

    athlete: Mapped[Athlete] = relationship(back_populates="chips")

    __table_args__ = (UniqueConstraint("race_id", "code"),)


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
        # Places at a checkpoint (who passed before this time) are counted on it.
        Index("ix_splits_checkpoint_elapsed", "checkpoint_id", "elapsed_ms"),
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
        CheckConstraint("action in ('enter', 'correct', 'void')", name="action_known"),
    )


class ApiToken(db.Model):
    """A bearer token for a machine client or official; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # A revoked name can be issued again; two live tokens never share one.
        Index(
            "uq_api_tokens_live_name",
            "name",
            unique=True,
            sqlite_where=db.text("revoked_at IS NULL"),
            postgresql_where=db.text("revoked_at IS NULL"),
        ),
        CheckConstraint("role in ('admin', 'official', 'timing')", name="role_known"),
    )


class RawRead(db.Model):
    """A chip read exactly as a timing source sent it: append-only, never updated."""

    __tablename__ = "raw_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int | None]
    checkpoint: Mapped[str] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(8), default="main")
    chip: Mapped[str] = mapped_column(String(64))
    # The time as the device gave it (in UTC), and corrected by the device's clock offset.
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_offset_ms: Mapped[int] = mapped_column(default=0, server_default="0")
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    raw: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)

    __table_args__ = (
        Index("ix_raw_reads_race_chip", "race_id", "chip"),
        # Reads per minute per mat are counted over the last minute's arrivals.
        Index("ix_raw_reads_race_received", "race_id", "received_at"),
        CheckConstraint("line in ('main', 'backup')", name="line_known"),
    )


class TimingDevice(db.Model):
    """A decoder, timing program or bridge sending reads for a race: its link and its clock."""

    __tablename__ = "timing_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    protocol: Mapped[str] = mapped_column(String(32))
    # None: the device never held a connection to us (HTTP bridges, file imports).
    connected: Mapped[bool | None]
    state_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    peer: Mapped[str | None] = mapped_column(String(100))
    # Server UTC minus device time, added to every later read of this device.
    clock_offset_ms: Mapped[int | None]
    offset_measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("race_id", "name"),)


class TimingMat(db.Model):
    """Running totals for one device's line at one checkpoint, kept as reads arrive."""

    __tablename__ = "timing_mats"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    device: Mapped[str] = mapped_column(String(64))
    checkpoint: Mapped[str] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(8))
    reads_total: Mapped[int] = mapped_column(default=0)
    last_read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("race_id", "device", "checkpoint", "line"),)


class RaceFinishModel(db.Model):
    """A finish model fitted for one race from its course's history (`flask projection fit`)."""

    __tablename__ = "race_finish_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), unique=True)
    model: Mapped[str] = mapped_column(Text)  # FinishModel.to_json() as JSON
    source: Mapped[str] = mapped_column(String(500))
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
