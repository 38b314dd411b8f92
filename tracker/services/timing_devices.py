"""Timing devices and mats: links, clock offsets and running read totals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import mat_health
from ..models import Race, TimingDevice, TimingMat
from . import audit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatRead:
    """What the mat totals need of one newly stored read."""

    device: str
    checkpoint: str
    line: str
    read_at: datetime


def _device(session: Session, race: Race, name: str, protocol: str) -> TimingDevice:
    # Locked (PostgreSQL; SQLite writers take the whole database): two connections of one
    # device opening or closing at once must not lose a count.
    device = session.scalar(
        select(TimingDevice)
        .where(TimingDevice.race_id == race.id, TimingDevice.name == name)
        .with_for_update()
    )
    if device is None:
        device = TimingDevice(race_id=race.id, name=name, protocol=protocol, open_links=0)
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
    """A connection of a device opened (to us, or ours to it) or closed. The device is
    linked while at least one of its connections is open."""
    device = _device(session, race, name, protocol)
    device.open_links = max(0, device.open_links + (1 if connected else -1))
    _show_link(device, device.open_links > 0, now)
    if connected:
        device.peer = peer or device.peer
    return device


def reset_links(session: Session, race: Race, names: Callable[[str], bool], now: datetime) -> None:
    """A listener starts: no connection of its devices can still be open, whatever a crash
    left counted (`names` picks the devices that are that listener's)."""
    for device in session.scalars(
        select(TimingDevice).where(TimingDevice.race_id == race.id, TimingDevice.open_links > 0)
    ):
        if names(device.name):
            device.open_links = 0
            _show_link(device, False, now)


def _show_link(device: TimingDevice, connected: bool, now: datetime) -> None:
    if device.connected != connected:
        device.state_since = now
    device.connected = connected


def set_clock_offset(
    session: Session, race: Race, name: str, *, protocol: str, offset_s: float, now: datetime
) -> TimingDevice:
    """Store a measured offset (server UTC minus device time), applied to later reads.

    Stored reads keep the offset they were corrected with: re-timing them is an official's
    decision, not a side effect of a new measurement (TIMING.md §9.5).
    """
    device = _device(session, race, name, protocol)
    before = device.clock_offset_ms
    device.clock_offset_ms = round(offset_s * 1000)
    device.offset_measured_at = now
    if before != device.clock_offset_ms:  # it changes every later read's time
        audit.record(
            session,
            "device.clock_offset",
            race=race,
            subject=name,
            before=None if before is None else {"offset_s": before / 1000},
            after={"offset_s": device.clock_offset_ms / 1000},
        )
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
