"""MYLAPS Timing & Scoring TCP/IP exporter messages, V1 (Store) and V2 (Passing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..race_clock import local_instant
from . import DeviceRead

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
