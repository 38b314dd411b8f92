"""One chip read as a device reported it: what every protocol's parser hands the sink."""

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
