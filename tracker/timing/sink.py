"""Where every timing adapter delivers reads: one transaction per batch, then the answer."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date

from flask import Flask

from ..db import db, utc_now
from ..domain.audit import Actor
from ..domain.mat_health import device_name
from ..domain.refusals import Refusal
from ..metrics import count_stored_reads
from ..services import timing_devices
from ..services.races import find_race
from ..services.reads import ReadIn, ReadResult, ingest_reads, stored_seqs
from ..transactions import write
from .device_read import DeviceRead

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
    """Stores device reads into one race, mapping device locations to checkpoints.

    `device` is the name the timing crew gave the equipment (`--device`); without one,
    each link is named by its protocol and peer (`device_for`).
    """

    app: Flask
    race: str
    locations: dict[str, tuple[str, str]] = field(default_factory=dict)
    device: str | None = None

    def device_for(self, protocol: str, peer: str) -> str:
        """The device name of reads and link state arriving over this link."""
        return device_name(self.device, protocol, peer)

    def event_day(self) -> tuple[date, str]:
        """The event's date and time zone, for formats that carry neither."""
        with self.app.app_context():
            race = find_race(db.session, self.race)
            zone = race.timezone
            instant = race.gun_time or utc_now()
            db.session.remove()
        return instant.astimezone(zoneinfo.ZoneInfo(zone)).date(), zone

    def store(self, reads: list[DeviceRead], device: str) -> list[ReadResult]:
        """Commit the reads of `device` (known keys are no-ops); raises when nothing was
        stored."""
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
                    device=device,
                    raw=read.raw,
                )
            )
        if not items:
            return []
        with self.app.app_context():
            try:
                results = write(
                    lambda: ingest_reads(
                        db.session,
                        find_race(db.session, self.race),
                        items,
                        now=utc_now(),
                        future_tolerance_s=self.app.config["FUTURE_TOLERANCE_S"],
                    ),
                    actor=Actor(device, None, "timing"),
                )
                count_stored_reads(items, results)
            finally:
                db.session.remove()
        for result in results:
            if result.result == "conflict":
                log.warning("read kept for review, not scored: %s", result.reason)
        return results

    def stored_seqs(self, device: str, source_like: str) -> list[int]:
        """Sequence numbers already stored from this sink's device (sources LIKE the
        pattern), so a client resumes where the stored reads end."""
        with self.app.app_context():
            try:
                race = find_race(db.session, self.race)
                return stored_seqs(db.session, race, device=device, source_like=source_like)
            finally:
                db.session.remove()

    def _record(self, change, device: str | None = None) -> None:
        """Commit a device-state change; never let bookkeeping stop the reads. (Two first
        connections of a new device racing to create its row are decided again by `write`.)
        """
        with self.app.app_context():
            try:
                write(
                    lambda: change(db.session, find_race(db.session, self.race)),
                    actor=Actor(device or "timing", None, "timing"),
                )
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

    def reset_links(self, protocol: str, device: str | None = None) -> None:
        """A listener or client starts: close whatever links a crash left counted open on
        its devices (the one named, the crew's `--device`, else every `protocol@peer`
        device of this race)."""
        named = device or self.device
        mine = (lambda name: name == named) if named else None
        self._record(
            lambda session, race: timing_devices.reset_links(
                session,
                race,
                mine or (lambda name: name.startswith(f"{protocol}@")),
                now=utc_now(),
            )
        )

    def clock_offset(self, name: str, protocol: str, offset_s: float) -> None:
        """Store a device's measured clock offset; later reads are corrected by it."""
        self._record(
            lambda session, race: timing_devices.set_clock_offset(
                session, race, name, protocol=protocol, offset_s=offset_s, now=utc_now()
            ),
            device=name,
        )

    def try_store(self, reads: list[DeviceRead], device: str) -> bool:
        """Store, logging instead of raising; True when the reads are committed."""
        try:
            self.store(reads, device)
            return True
        except Refusal as refusal:
            log.warning("reads not stored: %s [%s]", refusal.detail, refusal.code)
        except Exception:
            log.exception("reads not stored")
        return False
