"""The health of a race's timing: every device's link and clock, every mat's reads, and
the warnings that need an official (a mat silent while athletes are due there, a clock
off by more than a second, a dropped link)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..domain import mat_health
from ..domain.race_clock import elapsed_at
from ..models import Athlete, Race, RawRead, ReadConflict, Split, TimingDevice, TimingMat
from .courses import course_of
from .races import race_named


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
    # domain.athlete_status.due_at_mats, as SQL: out of the race (dns, dnf, dq) or pacing
    # in a group, due nowhere.
    in_race = and_(Athlete.status.is_(None), Athlete.pacer_group_id.is_(None))
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
                    select(func.count()).where(Athlete.race_id == race.id, in_race, not_here)
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
                    in_race,
                    not_here,
                )
            )
        previous = mark
    return due


def _offset_s(device: TimingDevice | None) -> float | None:
    if device is None or device.clock_offset_ms is None:
        return None
    return device.clock_offset_ms / 1000


def _mat_view(mat: TimingMat, device: TimingDevice | None, per_minute: int, due: int, now):
    """One mat (a device line at a checkpoint): its reads, its link and its warnings."""
    offset_s = _offset_s(device)
    since = (now - mat.last_received_at).total_seconds()
    connected = device.connected if device else None
    return {
        "device": mat.device,
        "checkpoint": mat.checkpoint,
        "line": mat.line,
        "last_read_at": mat.last_read_at.isoformat(),
        "last_received_at": mat.last_received_at.isoformat(),
        "seconds_since_last_read": round(since, 1),
        "reads_total": mat.reads_total,
        "reads_per_minute": per_minute,
        "clock_offset_s": offset_s,
        "connected": connected,
        "athletes_due": due,
        "warnings": mat_health.mat_warnings(
            seconds_since_last_read=since,
            connected=connected,
            clock_offset_s=offset_s,
            athletes_due=due,
        ),
    }


def _checkpoint_view(code: str, mat_views: list[dict], due: int) -> dict:
    """A checkpoint with all its mats: silent while due is judged by its liveliest mat."""
    own = [view for view in mat_views if view["checkpoint"] == code]
    latest = min((view["seconds_since_last_read"] for view in own), default=None)
    warnings = mat_health.mat_warnings(
        seconds_since_last_read=latest, connected=None, clock_offset_s=None, athletes_due=due
    )
    return {"code": code, "athletes_due": due, "mats": len(own), "warnings": warnings}


def _device_view(device: TimingDevice) -> dict:
    """A device's link and clock."""
    return {
        "name": device.name,
        "protocol": device.protocol,
        "connected": device.connected,
        "open_links": device.open_links,
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


def _mats_along_the_course(session: Session, race: Race) -> list[TimingMat]:
    """The race's mats in checkpoint distance order, then unknown locations."""
    order = {cp.code: index for index, cp in enumerate(race.checkpoints)}
    return sorted(
        session.scalars(select(TimingMat).where(TimingMat.race_id == race.id)),
        key=lambda mat: (
            order.get(mat.checkpoint, len(order)),
            mat.checkpoint,
            mat.device,
            mat.line,
        ),
    )


def timing_health(session: Session, race: Race, now: datetime) -> dict:
    """Every device and mat of the race, with what needs an official's attention."""
    devices = {
        device.name: device
        for device in session.scalars(select(TimingDevice).where(TimingDevice.race_id == race.id))
    }
    per_minute = _reads_last_minute(session, race, now)
    due = _athletes_due(session, race, now)
    mat_views = [
        _mat_view(
            mat,
            devices.get(mat.device),
            per_minute.get((mat.device, mat.checkpoint, mat.line), 0),
            due.get(mat.checkpoint, 0),
            now,
        )
        for mat in _mats_along_the_course(session, race)
    ]
    return {
        "race": race.slug,
        "at": now.isoformat(),
        "devices": [_device_view(device) for device in devices.values()],
        "mats": mat_views,
        "checkpoints": [
            _checkpoint_view(cp.code, mat_views, due.get(cp.code, 0)) for cp in race.checkpoints
        ],
        **_read_conflicts(session, race),
    }


def _read_conflicts(session: Session, race: Race, shown: int = 20) -> dict:
    """Reads kept for review because their key already held another read: the newest few."""
    total = session.scalar(
        select(func.count()).select_from(ReadConflict).where(ReadConflict.race_id == race.id)
    )
    newest = session.scalars(
        select(ReadConflict)
        .where(ReadConflict.race_id == race.id)
        .order_by(ReadConflict.id.desc())
        .limit(shown)
    )
    return {
        "read_conflicts_total": total,
        "read_conflicts": [
            {
                "key": conflict.idempotency_key,
                "device": conflict.device,
                "checkpoint": conflict.checkpoint,
                "line": conflict.line,
                "chip": conflict.chip,
                "time": conflict.device_time.isoformat(),
                "received_at": conflict.received_at.isoformat(),
                "reason": conflict.reason,
            }
            for conflict in newest
        ],
    }


def timing_view(session: Session, slug: str, now: datetime) -> dict | None:
    """Mat health as the console shows it live: device addresses stay in the API's answer."""
    race = race_named(session, slug)
    if race is None:
        return None
    health = timing_health(session, race, now)
    for device in health["devices"]:
        device.pop("peer", None)
    return health
