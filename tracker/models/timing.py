"""Timing equipment: the append-only raw read log, devices and their mats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utc_now


class RawRead(db.Model):
    """A chip read exactly as a timing source sent it: append-only, never updated."""

    __tablename__ = "raw_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(BigInteger)  # bridges may count past 2**31
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
        # A mat's reads, latest first (the officials' raw-read view of one checkpoint).
        Index("ix_raw_reads_race_checkpoint_read", "race_id", "checkpoint", "read_at"),
        CheckConstraint("line in ('main', 'backup')", name="line_known"),
    )


class ReadConflict(db.Model):
    """A read that arrived under a key the raw log already holds with different content
    (a bridge that restarted its numbering, say): kept for review, never scored.
    Never changed but for an official's resolution; the same conflicting read sent again is
    stored once (`fingerprint`)."""

    __tablename__ = "read_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    checkpoint: Mapped[str] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(8))
    chip: Mapped[str] = mapped_column(String(64))
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    # The key and the content together: a re-send of this same read adds nothing.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    # An official's decision: `accept` (scored as a read of its own) or `dismiss`.
    resolution: Mapped[str | None] = mapped_column(String(8))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(
            "resolution is null or resolution in ('accept', 'dismiss')", name="resolution_known"
        ),
    )


class UnknownChip(db.Model):
    """A chip read at the mats that no athlete wore: its reads stay in the raw log, and this
    row keeps it in the officials' review queue until one assigns it to an athlete."""

    __tablename__ = "unknown_chips"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    chip: Mapped[str] = mapped_column(String(64))
    reads: Mapped[int] = mapped_column(default=0)
    first_read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_checkpoint: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("race_id", "chip"),)


class TimingDevice(db.Model):
    """A decoder, timing program or bridge sending reads for a race: its link and its clock."""

    __tablename__ = "timing_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    protocol: Mapped[str] = mapped_column(String(32))
    # None: the device never held a connection to us (HTTP bridges, file imports).
    connected: Mapped[bool | None]
    # Connections open now: linked while at least one is (two from one host are two).
    open_links: Mapped[int] = mapped_column(default=0, server_default="0")
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
