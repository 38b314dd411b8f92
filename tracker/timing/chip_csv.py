"""The generic chip-read CSV: `source,seq,chip,time,antenna,rssi,rewind` (TIMING.md §8)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from ..domain.race_clock import local_instant
from .device_read import DeviceRead
from .protocols import FileContext, FileFormat

HEADER = ("source", "seq", "chip", "time")


def parse_chip_csv(text: str, *, location: str, zone: str) -> list[DeviceRead]:
    """Every row as a read at `location`; times with an offset, or local in the event's zone."""
    try:
        return _reads(csv.DictReader(io.StringIO(text)), location, zone)
    except csv.Error as error:  # quoting or line ends the csv module cannot read
        raise ValueError(f"not a CSV file: {error}") from error


def _reads(reader: csv.DictReader, location: str, zone: str) -> list[DeviceRead]:
    if not reader.fieldnames or not set(HEADER) <= {name.strip() for name in reader.fieldnames}:
        raise ValueError(f"the header needs {', '.join(HEADER)}")
    reads = []
    for line, row in enumerate(reader, start=2):
        # Short rows have None for the missing cells; extra cells sit under the key None.
        cells = {name.strip(): (value or "").strip() for name, value in row.items() if name}
        try:
            when = datetime.fromisoformat(cells["time"])
            reads.append(
                DeviceRead(
                    source=cells["source"],
                    seq=int(cells["seq"]) if cells["seq"] else None,
                    location=location,
                    chip=cells["chip"],
                    time=when if when.tzinfo else local_instant(when, zone),
                    raw=",".join(row[name] or "" for name in reader.fieldnames),
                )
            )
        except ValueError as error:
            raise ValueError(f"line {line}: {error}") from error
    return reads


def _chip_file(text: str, context: FileContext) -> list[DeviceRead]:
    return parse_chip_csv(text, location=context.location, zone=context.zone)


FILE_FORMAT = FileFormat("chip-csv", _chip_file)
