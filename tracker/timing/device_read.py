"""One chip read as a device reported it: what every protocol's parser hands the sink."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

# A device time outside these years is a broken clock or a hostile line, never a passing;
# inside them every later step (UTC conversion, offsets, milliseconds) stays in range.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
MAX_SEQ = 2**53  # what the batch endpoint accepts, and what the raw log stores
# Lengths of the raw log's columns: a longer value would fail the whole batch's commit.
MAX_LENGTHS = {"source": 64, "location": 32, "chip": 64}


def unix_instant(count: float, per_second: int = 1) -> datetime:
    """`count` units (seconds, or `per_second` of them) since 1970 as a UTC instant;
    ValueError for inf, nan, 1e300 and the like.

    >>> unix_instant(1570860910.5).isoformat()
    '2019-10-12T06:15:10.500000+00:00'
    >>> unix_instant(1570860910347, per_second=1000).isoformat()
    '2019-10-12T06:15:10.347000+00:00'
    """
    try:
        seconds = count / per_second
    except OverflowError as error:  # an integer too large for a float
        raise ValueError(f"a time of {count} since 1970 is out of range") from error
    if not math.isfinite(seconds) or not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
        raise ValueError(f"a time of {count!r} since 1970 is out of range")
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class DeviceRead:
    """One chip read as a device reported it, before the tracker stores it.

    Built only from values the raw log can store: a parser that meets anything else
    raises ValueError, and its listener skips that one line.
    """

    source: str
    seq: int | None
    location: str
    chip: str
    time: datetime  # aware: converted with the event's zone where the format has none
    raw: str

    def __post_init__(self) -> None:
        for name, limit in MAX_LENGTHS.items():
            if len(getattr(self, name)) > limit:
                raise ValueError(f"{name} longer than {limit} characters")
        for text in (self.source, self.location, self.chip, self.raw):
            if "\x00" in text:
                raise ValueError("a NUL character in a read")
            text.encode()  # UnicodeEncodeError (a ValueError) for lone surrogates
        if self.seq is not None and not 0 <= self.seq <= MAX_SEQ:
            raise ValueError(f"sequence number {self.seq} out of range")
        if self.time.tzinfo is None:
            raise ValueError("a read's time needs its zone")
        try:
            in_range = EARLIEST <= self.time <= LATEST
        except OverflowError as error:  # year 1 or 9999 in a zone far from UTC
            raise ValueError(f"time {self.time} out of range") from error
        if not in_range:
            raise ValueError(f"time {self.time.isoformat()} out of range")
