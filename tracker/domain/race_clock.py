"""The race clock: instants on the wall against seconds from the gun."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date and time with a UTC offset; anything else is a ValueError.

    >>> parse_instant("2019-10-12T08:15:00+02:00").isoformat()
    '2019-10-12T08:15:00+02:00'
    """
    if "T" not in text and " " not in text:
        raise ValueError("a date and a time are both needed")
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError("the time needs a UTC offset, such as +02:00 or Z")
    return instant


def wall_clock_at(
    gun_time: datetime | None, elapsed_s: float, clock_rate: float
) -> datetime | None:
    """The wall-clock instant at which the race clock shows `elapsed_s`.

    `clock_rate` is 1 for a real race; a replay at 60x runs its race clock 60 times faster.
    """
    if gun_time is None:
        return None
    return gun_time + timedelta(seconds=elapsed_s / clock_rate)


def elapsed_at(gun_time: datetime, instant: datetime, clock_rate: float) -> float:
    """Seconds on the race clock at a wall-clock instant (negative before the gun).

    >>> from datetime import UTC
    >>> gun = datetime(2019, 10, 12, 6, 15, tzinfo=UTC)
    >>> elapsed_at(gun, datetime(2019, 10, 12, 6, 29, 10, tzinfo=UTC), 1.0)
    850.0
    """
    return (instant - gun_time).total_seconds() * clock_rate


def local_instant(naive: datetime, zone: str) -> datetime:
    """A device's wall-clock reading (no zone) as an aware instant in the event's zone.

    Timing formats without a zone are never assumed to be UTC (TIMING.md §9.5).

    >>> local_instant(datetime(2019, 10, 12, 8, 15), "Europe/Vienna").isoformat()
    '2019-10-12T08:15:00+02:00'
    """
    return naive.replace(tzinfo=ZoneInfo(zone))
