"""ChronoTrack CTP01 socket protocol (CT01_33 / CT01_13 lines) and controller .CSV files."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..race_clock import local_instant
from . import DeviceRead

SERVER_SETTINGS = {
    "stream-mode": "push",
    "time-format": "iso",
    "guntimes": "true",
    "newlocations": "true",
    "connection-id": "false",
}
GUN_TAG = "guntime"
NEW_LOCATION_TAG = "newlocation"


def server_greeting(name: str = "RaceTracker", version: str = "1.0") -> list[str]:
    """Our answer to a client's greeting: name, version, then the settings we ask for."""
    return [f"{name}~{version}~{len(SERVER_SETTINGS)}"] + [
        f"{key}={value}" for key, value in SERVER_SETTINGS.items()
    ]


def _time(text: str, event_date: date, zone: str) -> datetime:
    """`iso` and `normal` times are the event's local time; `unix` is seconds since the epoch."""
    if "T" in text:
        return local_instant(datetime.fromisoformat(text), zone)
    if ":" in text:
        clock = datetime.strptime(text, "%H:%M:%S.%f").time()
        return local_instant(datetime.combine(event_date, clock), zone)
    return datetime.fromtimestamp(float(text), UTC)


def parse_data_line(line: str, *, event_date: date, zone: str) -> DeviceRead:
    """`CT01_33~seq~location~tag~time~lap~reader~antenna` as a read (gun lines included).

    >>> r = parse_data_line("CT01_33~2207~30K~5531~2025-10-12T09:02:11.34~1~0B7E21~3",
    ...                     event_date=date(2025, 10, 12), zone="Europe/Berlin")
    >>> (r.source, r.seq, r.location, r.chip, r.time.isoformat())
    ('ct:30K:0B7E21', 2207, '30K', '5531', '2025-10-12T09:02:11.340000+02:00')
    """
    fields = line.strip().split("~")
    if len(fields) < 8 or fields[0] not in ("CT01_33", "CT01_13"):
        raise ValueError(f"not a CT01 data line: {line[:60]!r}")
    _, seq, location, tag, when, _lap, reader, _antenna = fields[:8]
    return DeviceRead(
        source=f"ct:{location}:{reader}",
        seq=int(seq),
        location=location,
        chip=tag,
        time=_time(when, event_date, zone),
        raw=line.strip(),
    )


def parse_controller_csv_line(line: str, *, controller: str) -> DeviceRead:
    """A controller .CSV line `TO~seq~tag~…~unix seconds~reader~antenna~…`."""
    fields = line.strip().split("~")
    if len(fields) < 8 or fields[0] != "TO":
        raise ValueError(f"not a controller tag observation: {line[:60]!r}")
    instant = datetime.fromtimestamp(float(fields[5]), UTC)
    return DeviceRead(
        source=f"ctf:{controller}",
        seq=int(fields[1]),
        location=controller,
        chip=fields[2],
        time=instant,
        raw=line.strip(),
    )
