"""MYLAPS T&S exporter: T&S connects to us; every message is acknowledged after commit.

The codec (V1 Store and V2 Passing messages, replies) and the listener, together.
"""

from __future__ import annotations

import logging
import socketserver
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..domain.race_clock import local_instant
from .device_read import DeviceRead
from .listener import LinkedConnection
from .protocols import Listener
from .sink import ReadSink

SERVER_NAME = "RaceTracker"


@dataclass(frozen=True)
class Message:
    """One `Location@Function@…@number@$` message, split into its parts."""

    location: str
    function: str
    fields: list[str]

    @property
    def number(self) -> str:
        """The message number the sender wants acknowledged (last field)."""
        return self.fields[-1] if self.fields else ""


def split_messages(buffer: str) -> tuple[list[Message], str]:
    """Complete messages in a receive buffer, and the incomplete rest.

    CR, LF and NUL between messages are noise (seen in real traffic).

    >>> messages, rest = split_messages("KM30@Pong@$\\r\\nKM30@Passing@c=A|t=1@5@$KM")
    >>> [(m.location, m.function, m.number) for m in messages], rest
    ([('KM30', 'Pong', ''), ('KM30', 'Passing', '5')], 'KM')
    """
    cleaned = buffer.replace("\r", "").replace("\n", "").replace("\x00", "")
    *complete, rest = cleaned.split("$")
    messages = []
    for text in complete:
        parts = text.rstrip("@").split("@")
        if len(parts) >= 2:
            messages.append(Message(parts[0], parts[1], parts[2:]))
    return messages, rest


def reply(function: str, *fields: str) -> str:
    """A message from us, e.g. reply("AckPassing", "57") -> 'RaceTracker@AckPassing@57@$'."""
    return "@".join([SERVER_NAME, function, *fields]) + "@$"


def _v2_time(values: dict[str, str], event_date: date, zone: str) -> datetime:
    if "utc" in values:
        return datetime.fromtimestamp(int(values["utc"]) / 1000, UTC)
    day = datetime.strptime(values["d"], "%y%m%d").date() if "d" in values else event_date
    clock = datetime.strptime(values["t"], "%H:%M:%S.%f").time()
    return local_instant(datetime.combine(day, clock), zone)


def parse_passing_records(message: Message, *, event_date: date, zone: str) -> list[DeviceRead]:
    """The records of a V2 `Passing` message (`key=value|…`, any key order)."""
    reads = []
    for record in message.fields[:-1]:
        values = dict(item.split("=", 1) for item in record.split("|") if "=" in item)
        if "c" not in values or not ({"t", "utc"} & values.keys()):
            raise ValueError(f"a passing needs a chip and a time: {record[:60]!r}")
        reads.append(
            DeviceRead(
                source=f"ml:{message.location}:{values.get('dv', '')}:{values.get('re', '')}",
                seq=None,
                location=message.location,
                chip=values["c"],
                time=_v2_time(values, event_date, zone),
                raw=record,
            )
        )
    return reads


def parse_store_records(message: Message, *, event_date: date, zone: str) -> list[DeviceRead]:
    """The fixed-width records of a V1 `Store` message (39 characters each)."""
    reads = []
    for record in message.fields[:-1]:
        if len(record) < 37:
            raise ValueError(f"a V1 record has 39 characters: {record!r}")
        chip, clock = record[0:7].strip(), record[7:19].strip()
        device, reader, day = record[19:21].strip(), record[21:23].strip(), record[31:37]
        when = datetime.combine(
            datetime.strptime(day, "%y%m%d").date() if day.strip() else event_date,
            datetime.strptime(clock, "%H:%M:%S.%f").time(),
        )
        reads.append(
            DeviceRead(
                source=f"ml:{message.location}:{device}:{reader}",
                seq=None,
                location=message.location,
                chip=chip,
                time=local_instant(when, zone),
                raw=record,
            )
        )
    return reads


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
            messages, buffer = split_messages(buffer + chunk.decode(errors="replace"))
            for message in messages:
                self.answer(message, event_date, zone)

    def answer(self, message: Message, event_date, zone: str) -> None:
        if message.function == "Pong":
            self.send(reply("AckPong", "Version2.1"))
        elif message.function == "Ping":
            self.send(reply("AckPing"))
        elif message.function in ("Passing", "Store"):
            parse = parse_passing_records if message.function == "Passing" else parse_store_records
            try:
                reads = parse(message, event_date=event_date, zone=zone)
            except ValueError as error:
                log.warning("message %s not read: %s", message.number, error)
                return  # unacknowledged: T&S re-sends it, and an operator sees the warning
            if self.sink.try_store(reads, self.device):
                self.send(reply(f"Ack{message.function}", message.number))
        elif message.function == "Marker":
            self.send(reply("AckMarker", message.number))


LISTENER = Listener(
    "mylaps", "the MYLAPS Timing & Scoring TCP/IP exporter (V1 and V2)", 3097, MylapsHandler
)
