"""MYLAPS T&S exporter: T&S connects to us; every message is acknowledged after commit."""

from __future__ import annotations

import logging
import socketserver

from ..domain.formats import mylaps
from .listener import LinkedConnection, TimingServer, listen
from .sink import ReadSink

log = logging.getLogger(__name__)


class MylapsHandler(LinkedConnection, socketserver.BaseRequestHandler):
    """One T&S connection. Re-sent messages are stored as no-ops and acknowledged again."""

    sink: ReadSink
    protocol = "mylaps"

    def send(self, text: str) -> None:
        self.request.sendall(text.encode())

    def handle(self) -> None:
        event_date, zone = self.sink.event_day()
        buffer = ""
        while True:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            messages, buffer = mylaps.split_messages(buffer + chunk.decode(errors="replace"))
            for message in messages:
                self.answer(message, event_date, zone)

    def answer(self, message: mylaps.Message, event_date, zone: str) -> None:
        if message.function == "Pong":
            self.send(mylaps.reply("AckPong", "Version2.1"))
        elif message.function == "Ping":
            self.send(mylaps.reply("AckPing"))
        elif message.function in ("Passing", "Store"):
            parse = (
                mylaps.parse_passing_records
                if message.function == "Passing"
                else mylaps.parse_store_records
            )
            try:
                reads = parse(message, event_date=event_date, zone=zone)
            except ValueError as error:
                log.warning("message %s not read: %s", message.number, error)
                return  # unacknowledged: T&S re-sends it, and an operator sees the warning
            if self.sink.try_store(reads):
                self.send(mylaps.reply(f"Ack{message.function}", message.number))
        elif message.function == "Marker":
            self.send(mylaps.reply("AckMarker", message.number))


def serve(sink: ReadSink, host: str, port: int) -> TimingServer:
    """A threaded server for this protocol (call serve_forever on it)."""
    return listen(MylapsHandler, sink, host, port)
