"""Is each timing mat working? Warnings from its last read, its link, its clock and who is due.

Pure: the caller counts the athletes due at a checkpoint with the windows given here.
"""

from __future__ import annotations

from .course import SLOWEST_PLAUSIBLE_PACE_S_PER_KM

CLOCK_WARNING_S = 1.0  # TIMING.md §9.5: warn when a device clock is off by more than this
SILENT_AFTER_S = 120.0  # no read for this long at a mat that athletes should be crossing
DUE_WINDOW_S = 900.0  # athletes whose expected arrival fell in the last 15 minutes are due

SILENT_WHILE_DUE = "silent_while_due"
CLOCK_OFFSET = "clock_offset"
DISCONNECTED = "disconnected"


def device_name(named: str | None, protocol: str, peer: str) -> str:
    """The device a read belongs to, for its clock offset, its link state and its mat: the
    name the timing crew gave it, else the link it arrived on (protocol and peer).

    Every edge names devices with this one rule, so a mat's reads and its link agree.

    >>> device_name(None, "mylaps", "10.0.0.7")
    'mylaps@10.0.0.7'
    >>> device_name("km30-main", "mylaps", "10.0.0.7")
    'km30-main'
    """
    return named or f"{protocol}@{peer}"


def due_window_at_previous(
    previous_distance_m: float,
    distance_m: float,
    race_elapsed_s: float,
    window_s: float = DUE_WINDOW_S,
) -> tuple[float, float]:
    """The elapsed times at the previous checkpoint of athletes due at this one now.

    At their average pace so far, an athlete who passed the previous checkpoint at `t` is
    expected here at t × distance / previous distance; due means that moment fell within the
    last `window_s`. Solving for `t` turns the question into a range on one indexed column.

    >>> due_window_at_previous(10_000, 15_000, 3_900.0, window_s=900.0)
    (2000.0, 2600.0)
    """
    ratio = distance_m / previous_distance_m
    return (max(0.0, (race_elapsed_s - window_s) / ratio), race_elapsed_s / ratio)


def anyone_due(distance_m: float, race_elapsed_s: float) -> bool:
    """Whether anyone can still be due anywhere: not once the slowest plausible runner
    would have finished, and the window after that has passed.

    >>> anyone_due(42195, 4 * 3600), anyone_due(42195, 7 * 86400)
    (True, False)
    """
    return race_elapsed_s <= distance_m / 1000 * SLOWEST_PLAUSIBLE_PACE_S_PER_KM + DUE_WINDOW_S


def first_checkpoint_due(distance_m: float, target_elapsed_s: float, race_elapsed_s: float) -> bool:
    """Whether the field should be crossing the first checkpoint now: after the target
    schedule reaches it and before the slowest plausible runner would have.

    >>> first_checkpoint_due(5000, 853.0, 600.0), first_checkpoint_due(5000, 853.0, 900.0)
    (False, True)
    """
    slowest = distance_m / 1000 * SLOWEST_PLAUSIBLE_PACE_S_PER_KM
    return target_elapsed_s <= race_elapsed_s <= slowest


def mat_warnings(
    *,
    seconds_since_last_read: float | None,
    connected: bool | None,
    clock_offset_s: float | None,
    athletes_due: int,
) -> list[str]:
    """What an official should look at for one mat (empty when all is well).

    >>> mat_warnings(seconds_since_last_read=300, connected=True, clock_offset_s=1.4,
    ...              athletes_due=12)
    ['silent_while_due', 'clock_offset']
    >>> mat_warnings(seconds_since_last_read=300, connected=None, clock_offset_s=None,
    ...              athletes_due=0)
    []
    """
    warnings = []
    silent = seconds_since_last_read is None or seconds_since_last_read > SILENT_AFTER_S
    if silent and athletes_due > 0:
        warnings.append(SILENT_WHILE_DUE)
    if clock_offset_s is not None and abs(clock_offset_s) > CLOCK_WARNING_S:
        warnings.append(CLOCK_OFFSET)
    if connected is False:
        warnings.append(DISCONNECTED)
    return warnings
