"""Impinj and other LLRP readers: we connect to the reader (port 5084) and stream its tag
reports into the race, through llrpkit (an asyncio LLRP client with Impinj's extensions).

A reader sees a chip many times a second while it is in the field: every sighting carries
the reader's own first-seen time, and the raw log keeps at most one a second per chip and
antenna (`Thinning`), which is all the scorer needs to find the crossing. Reads carry no
sequence number; the read itself (chip, time to the millisecond, checkpoint) is the key, so
a report the reader sends twice, or a reconnect that replays, stores nothing twice.
Antennas are locations `ant1`, `ant2`…, mapped to checkpoints with `--map ant1=30K`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field

from llrpkit import Reader
from llrpkit.exceptions import LLRPError
from llrpkit.inventory import TagReport

from .device_read import DeviceRead, unix_instant
from .sink import ReadSink

log = logging.getLogger(__name__)

PROTOCOL = "llrp"
DEFAULT_PORT = 5084
FLUSH_S = 0.25  # how long a sighting waits for others before its batch is committed
THIN_S = 1.0  # one sighting a second per chip and antenna is plenty to time a crossing


def antenna_location(antenna: int | None) -> str:
    """The location of an antenna port, as `--map` names it.

    >>> antenna_location(2)
    'ant2'
    """
    return f"ant{antenna or 1}"


def device_read(tag: TagReport, source: str) -> DeviceRead:
    """One tag report as a read: the EPC in hex is the chip, first seen is the time.

    ValueError (the report is skipped) when the reader sent no time or a broken one.
    """
    if tag.first_seen_us is None:
        raise ValueError("a tag report without its first-seen time")
    chip = tag.epc.hex().upper()
    location = antenna_location(tag.antenna)
    time = unix_instant(tag.first_seen_us, per_second=1_000_000)
    return DeviceRead(source, None, location, chip, time, f"{chip} {location} {tag.first_seen_us}")


@dataclass
class Thinning:
    """Keeps a chip's sighting at an antenna only when `THIN_S` has passed since the last
    one kept, so a chip lying beside the mat is not a flood.

    >>> thinning = Thinning()
    >>> [thinning.keep("E2", "ant1", t) for t in (0.0, 0.4, 1.0, 1.2)]
    [True, False, True, False]
    """

    every_s: float = THIN_S
    last: dict[tuple[str, str], float] = field(default_factory=dict)

    def keep(self, chip: str, location: str, at_s: float) -> bool:
        """Whether this sighting (at `at_s` seconds on the reader's clock) is stored."""
        key = (chip, location)
        previous = self.last.get(key)
        if previous is not None and abs(at_s - previous) < self.every_s:
            return False
        self.last[key] = at_s
        return True


class ReaderSession:
    """One connection to a reader: inventory until stopped, committing in small batches."""

    def __init__(self, sink: ReadSink, name: str, reader: Reader) -> None:
        self.sink = sink
        self.name = name
        self.reader = reader
        self.source = f"{PROTOCOL}:{name}"
        self.thinning = Thinning()
        self.pending: list[DeviceRead] = []

    async def run(self, stop: threading.Event) -> None:
        """Stream tag reports until `stop` is set or the link drops."""
        flusher = asyncio.create_task(self._flush_every(FLUSH_S, stop))
        try:
            async for tag in self.reader.inventory():
                self._take(tag)
                if stop.is_set():
                    break
        finally:
            flusher.cancel()
            await self._flush()

    def _take(self, tag: TagReport) -> None:
        try:
            read = device_read(tag, self.source)
        except ValueError as error:
            log.warning("reader %s: tag report skipped: %s", self.name, error)
            return
        if self.thinning.keep(read.chip, read.location, read.time.timestamp()):
            self.pending.append(read)

    async def _flush_every(self, period_s: float, stop: threading.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(period_s)
            await self._flush()
        # A quiet reader yields no reports to end the loop on: close it from here.
        await self.reader.close()

    async def _flush(self) -> None:
        reads, self.pending = self.pending, []
        if reads and not await asyncio.to_thread(self.sink.try_store, reads, self.name):
            # Not committed (the database is away): keep them for the next flush.
            self.pending[:0] = reads


def run_client(
    sink: ReadSink,
    host: str,
    port: int,
    stop: threading.Event,
    *,
    retry_s: float = 2.0,
) -> None:
    """Stay connected to the reader until `stop` is set, reconnecting after every drop."""
    name = sink.device_for(PROTOCOL, f"{host}:{port}")
    sink.reset_links(PROTOCOL, name)  # a crashed predecessor's link is not open
    while not stop.is_set():
        try:
            asyncio.run(_connected(sink, name, host, port, stop))
        except (TimeoutError, OSError, LLRPError) as error:
            log.warning("reader %s:%s: %s; retrying", host, port, error)
        except Exception:
            log.exception("reader %s:%s failed; retrying", host, port)
        sink.link(name, PROTOCOL, connected=False)
        stop.wait(retry_s)


async def _connected(sink: ReadSink, name: str, host: str, port: int, stop) -> None:
    reader = Reader(host, port)
    await reader.connect()
    try:
        await asyncio.to_thread(sink.link, name, PROTOCOL, connected=True, peer=f"{host}:{port}")
        await reader.set_keepalive(5000)  # a dead link shows within seconds, not minutes
        await ReaderSession(sink, name, reader).run(stop)
    finally:
        await reader.close()
