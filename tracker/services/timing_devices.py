"""Timing devices and mats: links, clock offsets and running read totals."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import mat_health
from ..models import Race, TimingDevice, TimingMat

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
