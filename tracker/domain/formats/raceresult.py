"""RACE RESULT decoder TCP protocol (protocol 1.6+): passing records and replies."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..race_clock import local_instant
from . import DeviceRead

PASSING_FIELDS = 20
MARKER_TRANSPONDER = "99999"


def parse_passing(line: str, *, event_date: date, zone: str) -> DeviceRead:
    """A passing record (pulled, or pushed with a `#P;` prefix) as a read.

    The date is `yyyy-mm-dd`, or `0000-00-0N` (no GPS): the event date plus N days; the time
    is the decoder's local clock, read in the event's zone. The key is box, file, number.

    >>> line = "412;2817;2025-10-12;09:41:07.208;7;11;31;;0;;;;;;;;KM30-Main;2;3;D-51107"
    >>> r = parse_passing(line, event_date=date(2025, 10, 12), zone="Europe/Berlin")
    >>> (r.source, r.seq, r.chip, r.location, r.time.isoformat())
    ('rr:D-51107:2', 412, '7-2817', 'KM30-Main', '2025-10-12T09:41:07.208000+02:00')
    """
    text = line.strip().removeprefix("#P;")
    fields = text.split(";")
    if len(fields) < PASSING_FIELDS:
        raise ValueError(f"a passing has {PASSING_FIELDS} fields, this has {len(fields)}")
    number, code, day, clock, event_id = fields[0], fields[1], fields[2], fields[3], fields[4]
    box_name, file_no, box_id = fields[16], fields[17], fields[19]
    # Passive RR tags are named EventID-Bib when the event id is set.
    chip = f"{event_id}-{code}" if event_id not in ("", "0") else code
    return DeviceRead(
        source=f"rr:{box_id}:{file_no}",
        seq=int(number),
        location=box_name,
        chip=chip,
        time=_decoder_instant(day, clock, event_date, zone),
        raw=text,
    )


def _decoder_instant(day: str, clock: str, event_date: date, zone: str) -> datetime:
    """A decoder date and time: `0000-00-0N` (no GPS) is the event date plus N days."""
    if day.startswith("0000-00-"):
        when_day = event_date + timedelta(days=int(day[-2:]))
    else:
        when_day = date.fromisoformat(day)
    instant = datetime.combine(when_day, datetime.strptime(clock, "%H:%M:%S.%f").time())
    return local_instant(instant, zone)


def parse_time_reply(line: str, *, event_date: date, zone: str) -> datetime:
    """`GETTIME;<date>;<time>`: the decoder's clock, read like its passings' times.

    >>> parse_time_reply("GETTIME;0000-00-00;07:59:58.500", event_date=date(2026, 4, 26),
    ...                  zone="Europe/Vienna").isoformat()
    '2026-04-26T07:59:58.500000+02:00'
    """
    fields = line.strip().split(";")
    if fields[0] != "GETTIME" or len(fields) < 3:
        raise ValueError(f"not a GETTIME reply: {line[:60]!r}")
    return _decoder_instant(fields[1], fields[2], event_date, zone)


def parse_passings_count(line: str) -> tuple[int, int]:
    """`PASSINGS;<count>;<file>` as (count, file number)."""
    fields = line.strip().split(";")
    if fields[0] != "PASSINGS" or len(fields) < 3:
        raise ValueError(f"not a PASSINGS reply: {line[:60]!r}")
    return int(fields[1]), int(fields[2])


def contiguous_high_water(numbers: list[int]) -> int:
    """The highest passing number with nothing missing below it (0 when 1 is missing).

    >>> contiguous_high_water([1, 2, 3, 5, 6])
    3
    """
    high = 0
    for number in sorted(set(numbers)):
        if number != high + 1:
            break
        high = number
    return high
