"""The race clock: instants on the wall against seconds from the gun."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .refusals import Refusal

# A race lasts at most two days on the race clock; anything longer is a typo.
MAX_ELAPSED_S = 48 * 3600


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


@dataclass(frozen=True)
class SplitTime:
    """A checkpoint time as given: a wall-clock instant or seconds from the gun."""

    time: datetime | None = None
    elapsed_s: float | None = None


def not_started(gun_time: datetime | None) -> Refusal | None:
    """Nothing is timed before the gun: the refusal while it has not been fired, else None.

    >>> not_started(None).code
    'race_not_started'
    """
    if gun_time is None:
        return Refusal("race_not_started", "The race has not started: fire the gun first.")
    return None


def checked_elapsed_ms(
    gun_time: datetime | None,
    clock_rate: float,
    given: SplitTime,
    *,
    now: datetime,
    future_tolerance_s: float,
) -> int | Refusal:
    """Seconds from the gun (as whole ms), or the refusal of a time before the gun or ahead
    of the race clock (device clocks may run `future_tolerance_s` fast).

    >>> from datetime import UTC
    >>> gun = datetime(2019, 10, 12, 6, 15, tzinfo=UTC)
    >>> later = gun + timedelta(hours=1)
    >>> checked_elapsed_ms(gun, 1.0, SplitTime(elapsed_s=850), now=later, future_tolerance_s=5)
    850000
    >>> checked_elapsed_ms(gun, 1.0, SplitTime(elapsed_s=4000), now=later, future_tolerance_s=5)
    Refusal('future_time', 'The time is 400.0 s ahead of the race clock.')
    """
    refusal = not_started(gun_time)
    if refusal is not None:
        return refusal
    if given.time is not None:
        elapsed = elapsed_at(gun_time, given.time, clock_rate)
    else:
        elapsed = given.elapsed_s
    if elapsed < 0:
        return Refusal("before_start", "The time is before the gun.")
    if elapsed > MAX_ELAPSED_S:
        return Refusal(
            "elapsed_too_long",
            f"The time is {elapsed / 3600:,.1f} h after the gun; a race lasts at most"
            f" {MAX_ELAPSED_S // 3600} h. Check the date.",
        )
    race_clock_now = elapsed_at(gun_time, now, clock_rate)
    if elapsed > race_clock_now + future_tolerance_s * clock_rate:
        return Refusal(
            "future_time", f"The time is {elapsed - race_clock_now:.1f} s ahead of the race clock."
        )
    return round(elapsed * 1000)


def instant_refusal(
    instant: datetime, now: datetime, *, window_s: float, future_tolerance_s: float
) -> Refusal | None:
    """Refuse an instant a client gave that lies outside the window around now: more than
    `future_tolerance_s` ahead (`future_time`) or more than `window_s` ago
    (`time_out_of_range`): a typo'd year or a device clock set to 1970 can never brick a
    race or overflow the clock arithmetic.

    >>> from datetime import UTC
    >>> now = datetime(2026, 4, 26, 9, 0, tzinfo=UTC)
    >>> instant_refusal(datetime(9999, 12, 31, 23, tzinfo=UTC), now, window_s=7 * 86400,
    ...                 future_tolerance_s=5).code
    'future_time'
    >>> instant_refusal(datetime(1, 1, 1, tzinfo=UTC), now, window_s=7 * 86400,
    ...                 future_tolerance_s=5).code
    'time_out_of_range'
    >>> instant_refusal(now - timedelta(hours=3), now, window_s=7 * 86400,
    ...                 future_tolerance_s=5) is None
    True
    """
    ahead_s = (instant - now).total_seconds()
    if ahead_s > future_tolerance_s:
        return Refusal(
            "future_time",
            f"{instant.isoformat()} is {ahead_s:,.0f} s ahead of the server's clock;"
            " check the date.",
        )
    if ahead_s < -window_s:
        return Refusal(
            "time_out_of_range",
            f"{instant.isoformat()} is more than {window_s / 86400:g} days ago; check the date.",
        )
    return None
