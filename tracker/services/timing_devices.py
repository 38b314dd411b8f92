"""Timing devices and mats: links, clock offsets, running read totals, and their health."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..domain import mat_health
from ..domain.race_clock import elapsed_at
from ..models import Athlete, Race, RawRead, Split, TimingDevice, TimingMat
from .courses import course_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatRead:
    """What the mat totals need of one newly stored read."""

    device: str
    checkpoint: str
    line: str
    read_at: datetime


def _device(session: Session, race: Race, name: str, protocol: str) -> TimingDevice:
    device = session.scalar(
        select(TimingDevice).where(TimingDevice.race_id == race.id, TimingDevice.name == name)
    )
    if device is None:
        device = TimingDevice(race_id=race.id, name=name, protocol=protocol)
        session.add(device)
    return device


def set_link(
    session: Session,
    race: Race,
    name: str,
    *,
    protocol: str,
    connected: bool,
    now: datetime,
    peer: str | None = None,
) -> TimingDevice:
    """A device connected to us, or we to it (or the link dropped)."""
    device = _device(session, race, name, protocol)
    if device.connected != connected:
        device.state_since = now
    device.connected = connected
    device.peer = peer or device.peer
    return device


def set_clock_offset(
    session: Session, race: Race, name: str, *, protocol: str, offset_s: float, now: datetime
) -> TimingDevice:
    """Store a measured offset (server UTC minus device time), applied to later reads.

    Stored reads keep the offset they were corrected with: re-timing them is an official's
    decision, not a side effect of a new measurement (TIMING.md §9.5).
    """
    device = _device(session, race, name, protocol)
    device.clock_offset_ms = round(offset_s * 1000)
    device.offset_measured_at = now
    if abs(offset_s) > mat_health.CLOCK_WARNING_S:
        log.warning("device %s clock is off by %+.3f s; later reads are corrected", name, offset_s)
    return device


def clock_offsets_ms(session: Session, race: Race, names: Iterable[str | None]) -> dict[str, int]:
    """The stored offset of each named device that has one."""
    wanted = {name for name in names if name}
    rows = session.execute(
        select(TimingDevice.name, TimingDevice.clock_offset_ms).where(
            TimingDevice.race_id == race.id,
            TimingDevice.name.in_(wanted),
            TimingDevice.clock_offset_ms.is_not(None),
        )
    )
    return {name: offset for name, offset in rows}


def note_mat_reads(session: Session, race: Race, reads: list[MatRead], now: datetime) -> None:
    """Add newly stored reads to their mats' running totals (one row per device line)."""
    if not reads:
        return
    totals: dict[tuple[str, str, str], tuple[int, datetime]] = {}
    for read in reads:
        key = (read.device, read.checkpoint, read.line)
        count, latest = totals.get(key, (0, read.read_at))
        totals[key] = (count + 1, max(latest, read.read_at))
    known = {
        (mat.device, mat.checkpoint, mat.line): mat
        for mat in session.scalars(select(TimingMat).where(TimingMat.race_id == race.id))
    }
    for (device, checkpoint, line), (count, latest) in totals.items():
        mat = known.get((device, checkpoint, line))
        if mat is None:
            session.add(
                TimingMat(
                    race_id=race.id,
                    device=device,
                    checkpoint=checkpoint,
                    line=line,
                    reads_total=count,
                    last_read_at=latest,
                    last_received_at=now,
                )
            )
        else:
            mat.reads_total += count
            mat.last_read_at = max(mat.last_read_at, latest)
            mat.last_received_at = now


def _reads_last_minute(session: Session, race: Race, now: datetime) -> dict[tuple, int]:
    rows = session.execute(
        select(RawRead.device, RawRead.checkpoint, RawRead.line, func.count())
        .where(RawRead.race_id == race.id, RawRead.received_at >= now - timedelta(minutes=1))
        .group_by(RawRead.device, RawRead.checkpoint, RawRead.line)
    )
    return {(device, checkpoint, line): count for device, checkpoint, line, count in rows}


def _athletes_due(session: Session, race: Race, now: datetime) -> dict[str, int]:
    """How many athletes are due at each checkpoint now and have not been seen there."""
    if race.gun_time is None:
        return {}
    course = course_of(race)
    race_elapsed = elapsed_at(race.gun_time, now, race.clock_rate)
    if not mat_health.anyone_due(course.distance_m, race_elapsed):
        return {}
    by_code = {cp.code: cp for cp in race.checkpoints}
    due: dict[str, int] = {}
    previous = None
    for mark in course.checkpoints:
        here = aliased(Split)
        not_here = ~exists().where(
            and_(
                here.athlete_id == Athlete.id,
                here.checkpoint_id == by_code[mark.code].id,
                here.voided_at.is_(None),
            )
        )
        if previous is None:
            target = course.target_elapsed_at(mark.distance_m)
            if not mat_health.first_checkpoint_due(mark.distance_m, target, race_elapsed):
                due[mark.code] = 0
            else:
                due[mark.code] = session.scalar(
                    select(func.count()).where(Athlete.race_id == race.id, not_here)
                )
        else:
            low, high = mat_health.due_window_at_previous(
                previous.distance_m, mark.distance_m, race_elapsed
            )
            due[mark.code] = session.scalar(
                select(func.count())
                .select_from(Split)
                .join(Athlete, Athlete.id == Split.athlete_id)
                .where(
                    Split.checkpoint_id == by_code[previous.code].id,
                    Split.voided_at.is_(None),
                    Split.elapsed_ms.between(round(low * 1000), round(high * 1000)),
                    not_here,
                )
            )
        previous = mark
    return due


def _offset_s(device: TimingDevice | None) -> float | None:
    if device is None or device.clock_offset_ms is None:
        return None
    return device.clock_offset_ms / 1000


def timing_health(session: Session, race: Race, now: datetime) -> dict:
    """Every device and mat of the race, with what needs an official's attention."""
    devices = {
        device.name: device
        for device in session.scalars(select(TimingDevice).where(TimingDevice.race_id == race.id))
    }
    # Along the course: the race's checkpoints in distance order, then unknown locations.
    order = {cp.code: index for index, cp in enumerate(race.checkpoints)}
    mats = sorted(
        session.scalars(select(TimingMat).where(TimingMat.race_id == race.id)),
        key=lambda mat: (
            order.get(mat.checkpoint, len(order)),
            mat.checkpoint,
            mat.device,
            mat.line,
        ),
    )
    per_minute = _reads_last_minute(session, race, now)
    due = _athletes_due(session, race, now)
    mat_views = []
    for mat in mats:
        device = devices.get(mat.device)
        offset_s = _offset_s(device)
        since = (now - mat.last_received_at).total_seconds()
        mat_views.append(
            {
                "device": mat.device,
                "checkpoint": mat.checkpoint,
                "line": mat.line,
                "last_read_at": mat.last_read_at.isoformat(),
                "last_received_at": mat.last_received_at.isoformat(),
                "seconds_since_last_read": round(since, 1),
                "reads_total": mat.reads_total,
                "reads_per_minute": per_minute.get((mat.device, mat.checkpoint, mat.line), 0),
                "clock_offset_s": offset_s,
                "connected": device.connected if device else None,
                "athletes_due": due.get(mat.checkpoint, 0),
                "warnings": mat_health.mat_warnings(
                    seconds_since_last_read=since,
                    connected=device.connected if device else None,
                    clock_offset_s=offset_s,
                    athletes_due=due.get(mat.checkpoint, 0),
                ),
            }
        )
    checkpoints = []
    for checkpoint in race.checkpoints:
        own = [view for view in mat_views if view["checkpoint"] == checkpoint.code]
        latest = min((view["seconds_since_last_read"] for view in own), default=None)
        warnings = mat_health.mat_warnings(
            seconds_since_last_read=latest,
            connected=None,
            clock_offset_s=None,
            athletes_due=due.get(checkpoint.code, 0),
        )
        checkpoints.append(
            {
                "code": checkpoint.code,
                "athletes_due": due.get(checkpoint.code, 0),
                "mats": len(own),
                "warnings": warnings,
            }
        )
    return {
        "race": race.slug,
        "at": now.isoformat(),
        "devices": [
            {
                "name": device.name,
                "protocol": device.protocol,
                "connected": device.connected,
                "since": device.state_since.isoformat() if device.state_since else None,
                "peer": device.peer,
                "clock_offset_s": _offset_s(device),
                "offset_measured_at": (
                    device.offset_measured_at.isoformat() if device.offset_measured_at else None
                ),
                "warnings": mat_health.mat_warnings(
                    seconds_since_last_read=0,
                    connected=device.connected,
                    clock_offset_s=_offset_s(device),
                    athletes_due=0,
                ),
            }
            for device in devices.values()
        ],
        "mats": mat_views,
        "checkpoints": checkpoints,
    }


def timing_view(session: Session, slug: str, now: datetime) -> dict | None:
    """Mat health as the console shows it live: device addresses stay in the API's answer."""
    race = session.scalar(select(Race).where(Race.slug == slug))
    if race is None:
        return None
    health = timing_health(session, race, now)
    for device in health["devices"]:
        device.pop("peer", None)
    return health
