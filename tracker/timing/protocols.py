"""The timing protocols the tracker speaks, in one table: adding one is a module that
defines its `LISTENER` or `FILE_FORMAT`, plus one line here. The CLI builds its
`flask timing …` commands from these tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .device_read import DeviceRead
from .listener import LinkedConnection, TimingServer, listen
from .sink import ReadSink


@dataclass(frozen=True)
class Listener:
    """Equipment (or its software) that connects to us and streams reads."""

    name: str
    label: str
    default_port: int
    handler: type[LinkedConnection]

    def serve(self, sink: ReadSink, host: str, port: int) -> TimingServer:
        """A threaded server for this protocol (call serve_forever on it)."""
        return listen(self.handler, sink, host, port)


@dataclass(frozen=True)
class FileContext:
    """What a file's reads need that the file may not say: the day, the zone, the place."""

    event_date: date
    zone: str
    location: str


@dataclass(frozen=True)
class FileFormat:
    """A device's file, imported with the same keys as its live feed."""

    name: str
    parse: Callable[[str, FileContext], list[DeviceRead]]


def listeners() -> dict[str, Listener]:
    """Every protocol whose equipment connects to us, by name."""
    from . import chronotrack, mylaps

    return {listener.name: listener for listener in (chronotrack.LISTENER, mylaps.LISTENER)}


def file_formats() -> dict[str, FileFormat]:
    """Every device file the tracker imports, by name."""
    from . import chip_csv, chronotrack, raceresult

    formats = (chip_csv.FILE_FORMAT, raceresult.FILE_FORMAT, chronotrack.FILE_FORMAT)
    return {file_format.name: file_format for file_format in formats}
