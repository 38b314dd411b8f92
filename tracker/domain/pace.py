"""Pace arithmetic in seconds per kilometre."""

from __future__ import annotations

import math


def pace_s_per_km(elapsed_s: float, distance_m: float) -> float:
    """Seconds per kilometre for a distance covered in a time.

    >>> pace_s_per_km(850, 5000)   # 5 km in 14:10 is 2:50/km
    170.0
    """
    if distance_m <= 0:
        raise ValueError("distance must be positive")
    return elapsed_s * 1000.0 / distance_m


def format_duration(seconds: float) -> str:
    """H:MM:SS (or M:SS under an hour), tenths shown only when present.

    >>> format_duration(7180.2)
    '1:59:40.2'
    >>> format_duration(850)
    '14:10'
    """
    sign = "-" if seconds < 0 else ""
    tenths = round(abs(seconds) * 10)
    whole, tenth = divmod(tenths, 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return sign + text + (f".{tenth}" if tenth else "")


def format_pace(pace: float) -> str:
    """M:SS per km, rounded to the second.

    >>> format_pace(170.6)
    '2:51'
    """
    if not math.isfinite(pace):
        raise ValueError("pace must be finite")
    minutes, secs = divmod(round(pace), 60)
    return f"{minutes}:{secs:02d}"
