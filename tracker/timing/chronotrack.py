"""ChronoTrack CTP01: SimpleClient connects to us, greets, and streams CT01_33 lines."""

from __future__ import annotations

import logging
import socketserver

from ..domain.formats import chronotrack
from .listener import LinkedConnection, TimingServer, listen
from .sink import ReadSink

log = logging.getLogger(__name__)


class ChronoTrackHandler(LinkedConnection, socketserver.StreamRequestHandler):
    """One SimpleClient connection: handshake, then each received chunk of lines is stored."""

    sink: ReadSink
    protocol = "ctp01"

    def send(self, *lines: str) -> None:
        self.wfile.write("".join(line + "\r\n" for line in lines).encode())

    def handle(self) -> None:
        greeting = self.rfile.readline().decode(errors="replace").strip()
        if not greeting.endswith("~CTP01"):
            log.warning("not a CTP01 client: %r", greeting[:60])
            return
        event_date, zone = self.sink.event_day()
        self.send(*chronotrack.server_greeting(), "getlocations", "start")
        buffer = b""
        while True:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            reads, replies = [], []
            for raw in lines:
                line = raw.decode(errors="replace").strip()
                if not line or line.startswith("ack~"):
                    continue
                if line == "ping":
                    replies.append("ack~ping")
                    continue
                try:
                    read = chronotrack.parse_data_line(line, event_date=event_date, zone=zone)
                except ValueError as error:
                    log.warning("skipped: %s", error)
                    continue
                if read.chip == chronotrack.NEW_LOCATION_TAG:
                    replies += ["getlocations", f"start~{read.location}"]
                elif read.chip == chronotrack.GUN_TAG:
                    log.info("gun at %s reported by %s", read.time.isoformat(), read.location)
                else:
                    reads.append(read)
            # CTP01 has no acknowledgement: a lost batch is replayed with SimpleClient's Play.
            # Pings are answered after the lines before them are committed.
            self.sink.try_store(reads)
            if replies:
                self.send(*replies)


def serve(sink: ReadSink, host: str, port: int) -> TimingServer:
    """A threaded server for this protocol (call serve_forever on it)."""
    return listen(ChronoTrackHandler, sink, host, port)
