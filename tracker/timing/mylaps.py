"""MYLAPS T&S exporter: T&S connects to us; every message is acknowledged after commit.

The codec (V1 Store and V2 Passing messages, replies) and the listener, together.
"""

from __future__ import annotations

import logging
import socketserver
from dataclasses import dataclass
from datetime import date, datetime

from ..domain.race_clock import local_instant
from .device_read import DeviceRead, unix_instant
from .listener import Frames, LinkedConnection
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


def parse_message(text: str) -> Message | None:
    """One message without its closing `$`; CR, LF and NUL are noise (seen in real traffic).

    >>> parse_message("\\r\\nKM30@Passing@c=A|t=1@5@")
    Message(location='KM30', function='Passing', fields=['c=A|t=1', '5'])
    """
    cleaned = text.replace("\r", "").replace("\n", "").replace("\x00", "")
    parts = cleaned.rstrip("@").split("@")
    return Message(parts[0], parts[1], parts[2:]) if len(parts) >= 2 else None


def split_messages(buffer: str) -> tuple[list[Message], str]:
    """Complete messages in a receive buffer, and the incomplete rest.

    >>> messages, rest = split_messages("KM30@Pong@$\\r\\nKM30@Passing@c=A|t=1@5@$KM")
    >>> [(m.location, m.function, m.number) for m in messages], rest
    ([('KM30', 'Pong', ''), ('KM30', 'Passing', '5')], 'KM')
    """
    *complete, rest = buffer.split("$")
    messages = [parse_message(text) for text in complete]
    return [message for message in messages if message], rest


def reply(function: str, *fields: str) -> str:
    """A message from us, e.g. reply("AckPassing", "57") -> 'RaceTracker@AckPassing@57@$'."""
    return "@".join([SERVER_NAME, function, *fields]) + "@$"


def _v2_time(values: dict[str, str], event_date: date, zone: str) -> datetime:
    if "utc" in values:
        return unix_instant(int(values["utc"]), per_second=1000)
    day = datetime.strptime(values["d"], "%y%m%d").date() if "d" in values else event_date
    clock = datetime.strptime(values["t"], "%H:%M:%S.%f").time()
    return local_instant(datetime.combine(day, clock), zone)


def passing_read(location: str, record: str, *, event_date: date, zone: str) -> DeviceRead:
    """One record of a V2 `Passing` message (`key=value|…`, any key order).

    >>> r = passing_read("KM5", "c=KX41|t=08:29:10.347|d=191012|dv=2|re=1",
    ...                  event_date=date(2019, 10, 12), zone="Europe/Vienna")
    >>> (r.source, r.chip, r.time.isoformat())
    ('ml:KM5:2:1', 'KX41', '2019-10-12T08:29:10.347000+02:00')
    """
    values = dict(item.split("=", 1) for item in record.split("|") if "=" in item)
    if "c" not in values or not ({"t", "utc"} & values.keys()):
        raise ValueError(f"a passing needs a chip and a time: {record[:60]!r}")
    return DeviceRead(
        source=f"ml:{location}:{values.get('dv', '')}:{values.get('re', '')}",
        seq=None,
        location=location,
        chip=values["c"],
        time=_v2_time(values, event_date, zone),
        raw=record,
    )


def store_read(location: str, record: str, *, event_date: date, zone: str) -> DeviceRead:
    """One fixed-width record of a V1 `Store` message (39 characters)."""
    if len(record) < 37:
        raise ValueError(f"a V1 record has 39 characters: {record!r}")
    chip, clock = record[0:7].strip(), record[7:19].strip()
    device, reader, day = record[19:21].strip(), record[21:23].strip(), record[31:37]
    when = datetime.combine(
        datetime.strptime(day, "%y%m%d").date() if day.strip() else event_date,
        datetime.strptime(clock, "%H:%M:%S.%f").time(),
    )
    return DeviceRead(
        source=f"ml:{location}:{device}:{reader}",
        seq=None,
        location=location,
        chip=chip,
        time=local_instant(when, zone),
        raw=record,
    )


RECORD_READERS = {"Passing": passing_read, "Store": store_read}
MAX_MESSAGE_BYTES = 65536  # 100 records of a few hundred bytes; longer closes the link


log = logging.getLogger(__name__)


class MylapsHandler(LinkedConnection, socketserver.BaseRequestHandler):
    """One T&S connection. Re-sent messages are stored as no-ops and acknowledged again."""

    sink: ReadSink
    protocol = "mylaps"

    def send(self, text: str) -> None:
        self.request.sendall(text.encode())

    def serve(self) -> None:
        event_date, zone = self.sink.event_day()
        messages = Frames(b"$", MAX_MESSAGE_BYTES)
        while chunk := self.request.recv(65536):
            for frame in messages.feed(chunk):
                message = parse_message(frame.decode(errors="replace"))
                if message:
                    self.answer(message, event_date, zone)

    def answer(self, message: Message, event_date, zone: str) -> None:
        if message.function == "Pong":
            self.send(reply("AckPong", "Version2.1"))
        elif message.function == "Ping":
            self.send(reply("AckPing"))
        elif message.function in RECORD_READERS:
            if self.sink.try_store(self.reads(message, event_date, zone), self.device):
                self.send(reply(f"Ack{message.function}", message.number))
        elif message.function == "Marker":
            self.send(reply("AckMarker", message.number))

    @staticmethod
    def reads(message: Message, event_date, zone: str) -> list[DeviceRead]:
        """The message's readable records; a bad one is logged and skipped, since a re-send
        of the same message would carry it again and hold back the good ones for ever."""
        read = RECORD_READERS[message.function]
        reads = []
        for record in message.fields[:-1]:
            try:
                reads.append(read(message.location, record, event_date=event_date, zone=zone))
            except ValueError as error:
                log.warning("message %s: record skipped: %s", message.number, error)
        return reads


LISTENER = Listener(
    "mylaps", "the MYLAPS Timing & Scoring TCP/IP exporter (V1 and V2)", 3097, MylapsHandler
)
