"""RACE RESULT decoder: we connect to the decoder (port 3601) and never lose a passing.

The codec (protocol 1.6+ passing records and replies) and the client, together: one module
per protocol, which puts this one (with its client's care over skipped passings and clock
checks) past the house's 250 lines.

On every connection: pull what is missing by passing number from our high-water mark, then
let the decoder push, storing each pushed passing and pulling any gap it reveals, and ask
for the count every few seconds as a gap detector. The decoder's timing mode is never
restarted from here (that would open a new passing file).
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from datetime import date, datetime, timedelta

from ..domain.race_clock import local_instant
from .device_read import DeviceRead
from .protocols import FileContext, FileFormat
from .sink import ReadSink

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


log = logging.getLogger(__name__)
PULL_CHUNK = 100
ANSWER_TIMEOUT_S = 30.0
CLOCK_CHECK_S = 600.0  # TIMING.md §9.5: measure the decoder clock at connect and every 10 min
DECODER_RESOLUTION_S = 0.001  # a decoder's clock is read to the millisecond
PROTOCOL = "raceresult"


class DecoderSession:
    """One connection to a decoder."""

    def __init__(self, sink: ReadSink, name: str, sock: socket.socket, poll_s: float) -> None:
        self.sink, self.name, self.sock, self.poll_s = sink, name, sock, poll_s
        self.buffer = b""
        self.event_date, self.zone = sink.event_day()
        self.high_water = 0
        self.file_no: int | None = None
        # Passing numbers seen but not stored (marker transponders, lines we cannot read):
        # counted as done, or the pull would wait for them for ever.
        self.skipped: set[int] = set()
        self.clock_checked = 0.0

    def command(self, text: str) -> None:
        self.sock.sendall(text.encode() + b"\r\n")

    def line(self, quiet_after: float | None = None) -> str | None:
        """The next CRLF-terminated line; None if `quiet_after` seconds pass without one."""
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.sock], [], [], quiet_after or ANSWER_TIMEOUT_S)
            if not ready:
                if quiet_after is not None:
                    return None
                raise ConnectionError("the decoder stopped answering")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the decoder closed the connection")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\n", 1)
        return raw.decode(errors="replace").strip()

    def reply(self, prefix: str) -> str:
        """The next reply starting with `prefix`, storing pushed passings met on the way."""
        while True:
            text = self.line()
            if text.startswith("#P;"):
                self.store([text])
            elif text.startswith(prefix):
                return text

    def parse(self, lines: list[str]) -> list[DeviceRead]:
        reads = []
        for text in lines:
            try:
                read = parse_passing(text, event_date=self.event_date, zone=self.zone)
            except ValueError as error:
                log.warning("skipped: %s", error)
                self._skip(text)
                continue
            if read.chip.rsplit("-", 1)[-1] != MARKER_TRANSPONDER:
                reads.append(read)
            elif read.seq is not None:
                self.skipped.add(read.seq)
        return reads

    def _skip(self, text: str) -> None:
        """Remember the number of a passing that will never be stored, if it has one."""
        number = text.removeprefix("#P;").split(";", 1)[0]
        if number.isdigit():
            self.skipped.add(int(number))

    def store(self, lines: list[str]) -> None:
        """Commit, then advance the high-water mark over what is now stored without gaps."""
        reads = self.parse(lines)
        self.sink.store(
            reads, self.name
        )  # raises when nothing was stored: the session ends, we retry
        self.high_water = self.stored_high_water()

    def stored_high_water(self) -> int:
        if self.file_no is None:
            return 0
        numbers = self.sink.stored_seqs(self.name, f"rr:%:{self.file_no}")
        return contiguous_high_water([*numbers, *self.skipped])

    def pull(self, count: int) -> None:
        """Passings high_water+1 .. count, in chunks, each committed before the next."""
        while self.high_water < count:
            start = self.high_water + 1
            size = min(PULL_CHUNK, count - self.high_water)
            self.command(f"{start}:{size}")
            lines = []
            while (text := self.line()) != "":
                lines.append(text)
            before = self.high_water
            self.store(lines)
            if self.high_water == before:
                raise ConnectionError(f"passing {start} did not arrive; reconnecting")

    def count(self) -> int:
        self.command("PASSINGS")
        count, file_no = parse_passings_count(self.reply("PASSINGS;"))
        if file_no != self.file_no:
            # A new passing file starts from 1; the old file's passings stay stored.
            self.file_no = file_no
            self.skipped.clear()
            self.high_water = self.stored_high_water()
        return count

    def measure_clock(self) -> None:
        """Server UTC minus decoder time, taken at the midpoint of GETTIME's round trip.

        The decoder read its clock somewhere within the round trip, so an offset within half
        of it (plus the decoder's millisecond) cannot be told from none: it is stored as 0,
        not as noise that would move every later read (by up to a millisecond on loopback,
        0.6 s of race time in a demo replaying at 600x).
        """
        asked = time.time()
        self.command("GETTIME")
        reply = self.reply("GETTIME")
        answered = time.time()
        decoder = parse_time_reply(reply, event_date=self.event_date, zone=self.zone)
        offset_s = (asked + answered) / 2 - decoder.timestamp()
        if abs(offset_s) <= (answered - asked) / 2 + DECODER_RESOLUTION_S:
            offset_s = 0.0
        log.info("decoder %s clock offset %+.3f s", self.name, offset_s)
        self.sink.clock_offset(self.name, PROTOCOL, offset_s)
        self.clock_checked = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        self.command("SETPROTOCOL;1.6")
        self.reply("SETPROTOCOL")
        self.measure_clock()
        self.pull(self.count())
        self.command("SETPUSHPASSINGS;1;0")
        self.reply("SETPUSHPASSINGS")
        while not stop.is_set():
            text = self.line(quiet_after=self.poll_s)
            if time.monotonic() - self.clock_checked > CLOCK_CHECK_S:
                self.measure_clock()
            if text is None:
                self.pull(self.count())  # quiet for a while: is anything missing?
            elif text.startswith("#P;"):
                number = int(text.split(";")[1])
                self.store([text])
                if number > self.high_water:
                    self.pull(number)  # the push revealed a gap: fetch it by number


def run_client(
    sink: ReadSink,
    host: str,
    port: int,
    stop: threading.Event,
    *,
    poll_s: float = 5.0,
    retry_s: float = 2.0,
) -> None:
    """Stay connected to the decoder until `stop` is set, reconnecting after every drop."""
    name = sink.device_for(PROTOCOL, f"{host}:{port}")
    sink.reset_links(PROTOCOL, name)  # a crashed predecessor's link is not open
    while not stop.is_set():
        try:
            with socket.create_connection((host, port), timeout=30) as sock:
                sink.link(name, PROTOCOL, connected=True, peer=f"{host}:{port}")
                DecoderSession(sink, name, sock, poll_s).run(stop)
        except (OSError, ConnectionError, ValueError) as error:
            log.warning("decoder %s:%s: %s; retrying", host, port, error)
        except Exception:
            log.exception("decoder %s:%s failed; retrying", host, port)
        sink.link(name, PROTOCOL, connected=False)
        stop.wait(retry_s)


def _passing_file(text: str, context: FileContext) -> list[DeviceRead]:
    return [
        parse_passing(line, event_date=context.event_date, zone=context.zone)
        for line in text.splitlines()
        if line.strip()
    ]


FILE_FORMAT = FileFormat("raceresult", _passing_file)
