"""Races, their checkpoints, athletes and the chips they wear."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, utc_now

if TYPE_CHECKING:  # resolved by name at mapping time
    from .pacing import PacerGroup, PacerRotation


class Race(db.Model):
    __tablename__ = "races"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    distance_m: Mapped[float]
    target_s: Mapped[float]
    timezone: Mapped[str] = mapped_column(String(64))
    gun_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When an official published the results: finish times are unofficial until then.
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How far a segment's pace may drift from the schedule before it is flagged (s/km).
    pace_tolerance_s_per_km: Mapped[float] = mapped_column(default=1.0, server_default="1.0")
    # How fast the race clock runs against the wall clock: 1 for a real race, more for a
    # replay (the demo replays Vienna at 60x).
    clock_rate: Mapped[float] = mapped_column(default=1.0)
    # The live stream's sequence number: bumped in the transaction of every change that
    # the race's watchers hear about, so clients can spot a missed delta.
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # The lower bounds of the age groups (domain.categories); none: the default groups.
    age_groups: Mapped[list[int] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="race", order_by="Checkpoint.distance_m", cascade="all, delete-orphan"
    )
    athletes: Mapped[list[Athlete]] = relationship(
        back_populates="race", order_by="Athlete.bib", cascade="all, delete-orphan"
    )
    waves: Mapped[list[Wave]] = relationship(order_by="Wave.id", cascade="all, delete-orphan")
    pacer_groups: Mapped[list[PacerGroup]] = relationship(
        order_by="PacerGroup.code", cascade="all, delete-orphan"
    )
    pacer_rotations: Mapped[list[PacerRotation]] = relationship(
        order_by="PacerRotation.id", cascade="all, delete-orphan"
    )
    ghost_plans: Mapped[list[GhostPlan]] = relationship(
        order_by="GhostPlan.id", cascade="all, delete-orphan"
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
    # The mat whose reads time this checkpoint, when it shares one with others (the laps of
    # a loop); None: reads carry the checkpoint's own code.
    mat: Mapped[str | None] = mapped_column(String(32))

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
    # An official's dns / dnf / dq (domain.athlete_status); none: the timing decides.
    status: Mapped[str | None] = mapped_column(String(8))
    status_reason: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None]
    # Given by the results service, or the race's age group of gender and birth year.
    category: Mapped[str | None] = mapped_column(String(16))
    # The athlete's own finish target (chip time); none: the race's target.
    target_s: Mapped[float | None]
    # Their own pacing plan: checkpoint code -> elapsed s (domain.pacing_plan); none: even
    # pace to their target.
    plan: Mapped[dict[str, float] | None] = mapped_column(JSON)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id", ondelete="SET NULL"))
    # The athlete's wave's gun, in ms after the race's gun (services.waves keeps it): their
    # gun time counts from it, and so does chip time without a start read.
    gun_offset_ms: Mapped[int] = mapped_column(default=0, server_default="0")
    # A pacer's group (models.pacing): their chip at a changeover mat puts the group in.
    pacer_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("pacer_groups.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    race: Mapped[Race] = relationship(back_populates="athletes")
    chips: Mapped[list[Chip]] = relationship(
        back_populates="athlete", order_by="Chip.code", cascade="all, delete-orphan"
    )
    name_words: Mapped[list[AthleteNameWord]] = relationship(cascade="all, delete-orphan")
    wave: Mapped[Wave | None] = relationship()

    __table_args__ = (
        UniqueConstraint("race_id", "bib"),
        CheckConstraint("role in ('athlete', 'pacer')", name="role_known"),
        CheckConstraint("status in ('dns', 'dnf', 'dq')", name="status_known"),
        CheckConstraint("gender in ('M', 'F', 'X')", name="gender_known"),
        CheckConstraint("target_s > 0", name="target_positive"),
    )


class Wave(db.Model):
    """A start wave: its own gun, fired and corrected like the race's (which fires first)."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    gun_time: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("race_id", "code"),)


class AthleteNameWord(db.Model):
    """One folded word of an athlete's name (domain.names): search finds a name by the
    start of any of its words with a range on this index, never a scan of the field."""

    __tablename__ = "athlete_name_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"))
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athletes.id", ondelete="CASCADE"), index=True
    )
    word: Mapped[str] = mapped_column(String(100))

    # The athlete is in the index: a prefix range never reads the table (16x on SQLite).
    __table_args__ = (
        Index("ix_athlete_name_words_race_word_athlete", "race_id", "word", "athlete_id"),
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


class GhostPlan(db.Model):
    """A plan or reference run an official uploaded, shown as a ghost beside the published
    ones (domain.reference_runs)."""

    __tablename__ = "ghost_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    finish_s: Mapped[float]
    # [[distance m, elapsed s], …] before the finish, in order of distance.
    splits: Mapped[list[list[float]]] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    __table_args__ = (
        UniqueConstraint("race_id", "key"),
        CheckConstraint("finish_s > 0", name="finish_positive"),
    )
