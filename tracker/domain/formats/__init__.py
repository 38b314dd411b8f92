"""Parsers for timing-system wire and file formats: text in, plain values out.

Each tolerates what ../shared/docs/TIMING.md marks as reconstructed rather than vendor
documented, and raises ValueError (with the reason) for a line it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeviceRead:
    """One chip read as a device reported it, before the tracker stores it."""

    source: str
    seq: int | None
    location: str
    chip: str
    time: datetime  # aware: converted with the event's zone where the format has none
    raw: str
