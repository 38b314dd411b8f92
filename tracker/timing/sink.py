"""Where every timing adapter delivers reads: one transaction per batch, then the answer."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date

from flask import Flask

from ..db import db, utc_now
from ..domain.formats import DeviceRead
from ..domain.refusals import Refusal
from ..services import timing_devices
from ..services.races import find_race
from ..services.reads import ReadIn, ReadResult, ingest_reads
from ..transactions import write

log = logging.getLogger(__name__)


def parse_location_map(pairs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """`LOCATION=CHECKPOINT[:backup]` options as {location: (checkpoint, line)}.

    >>> parse_location_map(("KM30-Main=30K", "KM30-Backup=30K:backup"))
    {'KM30-Main': ('30K', 'main'), 'KM30-Backup': ('30K', 'backup')}
    """
    mapping = {}
    for pair in pairs:
        location, _, target = pair.partition("=")
        code, _, line = target.partition(":")
        if not location or not code or line not in ("", "main", "backup"):
            raise ValueError(f"map a location as LOCATION=CHECKPOINT[:backup], not {pair!r}")
        mapping[location] = (code, line or "main")
    return mapping


@dataclass
class ReadSink:
    """Stores device reads into one race, mapping device locations to checkpoints."""

    app: Flask
    race: str
    locations: dict[str, tuple[str, str]] = field(default_factory=dict)
    device: str | None = None

    def event_day(self) -> tuple[date, str]:
        """The event's date and time zone, for formats that carry neither."""
        with self.app.app_context():
            race = find_race(db.session, self.race)
            zone = race.timezone
            instant = race.gun_time or utc_now()
            db.session.remove()
        return instant.astimezone(zoneinfo.ZoneInfo(zone)).date(), zone

    def store(self, reads: list[DeviceRead]) -> list[ReadResult]:
        """Commit the reads (known keys are no-ops); raises Refusal when nothing was stored."""
        items = []
        for read in reads:
            checkpoint, line = self.locations.get(read.location, (read.location, "main"))
            items.append(
                ReadIn(
                    source=read.source,
                    chip=read.chip,
                    time=read.time,
                    checkpoint=checkpoint,
                    seq=read.seq,
                    line=line,
                    device=self.device or read.source,
                    raw=read.raw,
                )
            )
        if not items:
            return []
        with self.app.app_context():
            try:
                return write(
                    lambda: ingest_reads(
                        db.session,
                        find_race(db.session, self.race),
                        items,
                        now=utc_now(),
                        future_tolerance_s=self.app.config["FUTURE_TOLERANCE_S"],
                    )
                )
            finally:
                db.session.remove()

    def _record(self, change) -> None:
        """Commit a device-state change; never let bookkeeping stop the reads."""
        with self.app.app_context():
            try:
                write(lambda: change(db.session, find_race(db.session, self.race)))
            except Exception:
                log.exception("device state not stored")
            finally:
                db.session.remove()

    def link(self, name: str, protocol: str, *, connected: bool, peer: str | None = None) -> None:
        """Note that a device's connection came up or went down."""
        self._record(
            lambda session, race: timing_devices.set_link(
                session,
                race,
                name,
                protocol=protocol,
                connected=connected,
                now=utc_now(),
                peer=peer,
            )
        )

    def clock_offset(self, name: str, protocol: str, offset_s: float) -> None:
        """Store a device's measured clock offset; later reads are corrected by it."""
        self._record(
            lambda session, race: timing_devices.set_clock_offset(
                session, race, name, protocol=protocol, offset_s=offset_s, now=utc_now()
            )
        )

    def try_store(self, reads: list[DeviceRead]) -> bool:
        """Store, logging instead of raising; True when the reads are committed."""
        try:
            self.store(reads)
            return True
        except Refusal as refusal:
            log.warning("reads not stored: %s [%s]", refusal.detail, refusal.code)
        except Exception:
            log.exception("reads not stored")
        return False
