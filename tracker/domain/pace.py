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


def round_up(seconds: float, decimals: int = 0) -> int:
    """Whole steps of 10**-decimals seconds, rounded toward +infinity (never faster).

    The value is first put on a microsecond grid: binary floats do not hold decimals
    (7180.2 * 10 is 71802.00000000001), and no timing system measures finer.

    >>> round_up(7180.2, 1), round_up(7199.91, 1), round_up(-0.04, 1), round_up(849.9, 1)
    (71802, 72000, 0, 8499)
    """
    micros = round(seconds * 1_000_000)
    return -(-micros // 10 ** (6 - decimals))


def format_duration(seconds: float, *, tenths: bool = True) -> str:
    """H:MM:SS (or M:SS under an hour), tenths shown only when present.

    Rounded up to the precision shown, as road results are: never faster than measured.

    >>> format_duration(7180.2)
    '1:59:40.2'
    >>> format_duration(850)
    '14:10'
    >>> format_duration(7199.96), format_duration(7199.2, tenths=False)
    ('2:00:00', '2:00:00')
    """
    steps = round_up(seconds, 1 if tenths else 0)
    sign = "-" if steps < 0 else ""
    whole, tenth = divmod(abs(steps), 10) if tenths else (abs(steps), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return sign + text + (f".{tenth}" if tenth else "")


def format_pace(pace: float, *, needed: bool = False) -> str:
    """M:SS per km, to the second: a pace run rounds up (never faster than it was), a pace
    `needed` for a target rounds down (never easier than it is).

    >>> format_pace(170.4), format_pace(170.6, needed=True)
    ('2:51', '2:50')
    """
    if not math.isfinite(pace):
        raise ValueError("pace must be finite")
    whole = round(pace * 1_000_000)
    whole = whole // 1_000_000 if needed else -(-whole // 1_000_000)
    minutes, secs = divmod(whole, 60)
    return f"{minutes}:{secs:02d}"
