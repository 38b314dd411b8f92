"""RACE RESULT decoder client: we connect to the decoder (port 3601) and never lose a passing.

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

from sqlalchemy import select as sql_select

from ..db import db
from ..domain.formats import DeviceRead, raceresult
from ..models import RawRead
from .sink import ReadSink

log = logging.getLogger(__name__)
PULL_CHUNK = 100
ANSWER_TIMEOUT_S = 30.0
CLOCK_CHECK_S = 600.0  # TIMING.md §9.5: measure the decoder clock at connect and every 10 min
DECODER_RESOLUTION_S = 0.001  # a decoder's clock is read to the millisecond
PROTOCOL = "raceresult"


class DecoderSession:
    """One connection to a decoder."""

    def __init__(self, sink: ReadSink, sock: socket.socket, poll_s: float) -> None:
        self.sink, self.sock, self.poll_s = sink, sock, poll_s
        self.buffer = b""
        self.event_date, self.zone = sink.event_day()
        self.high_water = 0
        self.file_no: int | None = None
        self.clock_checked = 0.0

    @property
    def name(self) -> str:
        return self.sink.device or PROTOCOL

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
                read = raceresult.parse_passing(text, event_date=self.event_date, zone=self.zone)
            except ValueError as error:
                log.warning("skipped: %s", error)
                continue
            if read.chip.rsplit("-", 1)[-1] != raceresult.MARKER_TRANSPONDER:
                reads.append(read)
        return reads

    def store(self, lines: list[str]) -> None:
        """Commit, then advance the high-water mark over what is now stored without gaps."""
        reads = self.parse(lines)
        self.sink.store(reads)  # raises when nothing was stored: the session ends, we retry
        self.high_water = self.stored_high_water()

    def stored_high_water(self) -> int:
        if self.file_no is None:
            return 0
        with self.sink.app.app_context():
            numbers = db.session.scalars(
                sql_select(RawRead.seq).where(
                    RawRead.source.like(f"rr:%:{self.file_no}"),
                    RawRead.device == self.sink.device,
                )
            )
            high = raceresult.contiguous_high_water([n for n in numbers if n is not None])
            db.session.remove()
        return high

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
        count, file_no = raceresult.parse_passings_count(self.reply("PASSINGS;"))
        if file_no != self.file_no:
            # A new passing file starts from 1; the old file's passings stay stored.
            self.file_no = file_no
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
        decoder = raceresult.parse_time_reply(reply, event_date=self.event_date, zone=self.zone)
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
    name = sink.device or PROTOCOL
    while not stop.is_set():
        try:
            with socket.create_connection((host, port), timeout=30) as sock:
                sink.link(name, PROTOCOL, connected=True, peer=f"{host}:{port}")
                DecoderSession(sink, sock, poll_s).run(stop)
        except (OSError, ConnectionError, ValueError) as error:
            log.warning("decoder %s:%s: %s; retrying", host, port, error)
        except Exception:
            log.exception("decoder %s:%s failed; retrying", host, port)
        sink.link(name, PROTOCOL, connected=False)
        stop.wait(retry_s)
