"""ChronoTrack CTP01: SimpleClient connects to us, greets, and streams CT01_33 lines.

The codec (CT01_33 / CT01_13 lines, controller .CSV files) and the listener, together.
"""

from __future__ import annotations

import logging
import socketserver
from datetime import date, datetime

from ..domain.race_clock import local_instant
from .device_read import DeviceRead, unix_instant
from .listener import Frames, LinkedConnection
from .protocols import FileContext, FileFormat, Listener
from .sink import ReadSink

SERVER_SETTINGS = {
    "stream-mode": "push",
    "time-format": "iso",
    "guntimes": "true",
    "newlocations": "true",
    "connection-id": "false",
}
GUN_TAG = "guntime"
MAX_LINE_BYTES = 4096  # a CT01_33 line is under 100 bytes; longer is abuse, and closes the link
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
    return unix_instant(float(text))


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
    instant = unix_instant(float(fields[5]))
    return DeviceRead(
        source=f"ctf:{controller}",
        seq=int(fields[1]),
        location=controller,
        chip=fields[2],
        time=instant,
        raw=line.strip(),
    )


log = logging.getLogger(__name__)


class ChronoTrackHandler(LinkedConnection, socketserver.StreamRequestHandler):
    """One SimpleClient connection: handshake, then each received chunk of lines is stored."""

    sink: ReadSink
    protocol = "ctp01"

    def send(self, *lines: str) -> None:
        self.wfile.write("".join(line + "\r\n" for line in lines).encode())

    def serve(self) -> None:
        # Everything is read through rfile: lines sent with the greeting wait in its buffer.
        greeting = self.rfile.readline(MAX_LINE_BYTES).decode(errors="replace").strip()
        if not greeting.endswith("~CTP01"):
            log.warning("not a CTP01 client: %r", greeting[:60])
            return
        event_date, zone = self.sink.event_day()
        self.send(*server_greeting(), "getlocations", "start")
        lines = Frames(b"\n", MAX_LINE_BYTES)
        while chunk := self.rfile.read1(65536):
            reads, replies = [], []
            for raw in lines.feed(chunk):
                line = raw.decode(errors="replace").strip()
                if not line or line.startswith("ack~"):
                    continue
                if line == "ping":
                    replies.append("ack~ping")
                    continue
                try:
                    read = parse_data_line(line, event_date=event_date, zone=zone)
                except ValueError as error:
                    log.warning("skipped: %s", error)
                    continue
                if read.chip == NEW_LOCATION_TAG:
                    replies += ["getlocations", f"start~{read.location}"]
                elif read.chip == GUN_TAG:
                    log.info("gun at %s reported by %s", read.time.isoformat(), read.location)
                else:
                    reads.append(read)
            # CTP01 has no acknowledgement: a lost batch is replayed with SimpleClient's Play.
            # Pings are answered after the lines before them are committed.
            self.sink.try_store(reads, self.device)
            if replies:
                self.send(*replies)


def _controller_file(text: str, context: FileContext) -> list[DeviceRead]:
    return [
        parse_controller_csv_line(line, controller=context.location)
        for line in text.splitlines()
        if line.startswith("TO~")
    ]


LISTENER = Listener(
    "chronotrack", "ChronoTrack SimpleClient (CTP01, Direct Socket Out)", 61611, ChronoTrackHandler
)
FILE_FORMAT = FileFormat("ct-controller", _controller_file)
