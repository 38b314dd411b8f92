"""Standings for a commentator: how far each athlete is behind the leader and the athlete
ahead at a checkpoint, and how many places they moved since their mat before.

Everything here is on chip time, the place basis (`services.places`), so the athlete
ahead is the one placed ahead and no gap is negative.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Gaps:
    """Seconds behind the leader and behind the athlete ahead (None: nobody is ahead)."""

    leader_s: float
    ahead_s: float | None


@dataclass(frozen=True)
class Move:
    """Places gained since an earlier checkpoint (negative: lost)."""

    since: str
    places: int


def gaps_at(
    wanted: Iterable[int], leader_ms: int, between: Sequence[int], before_ms: int | None
) -> dict[int, Gaps]:
    """Gaps of these chip times at one checkpoint, from the field's times around them.

    `between` holds every ranked chip time from the fastest wanted to the slowest, sorted;
    `before_ms` the slowest time faster than all of them (None: the fastest wanted leads).
    The athlete ahead has the next faster time: a tie shares a place, so it is no one's
    athlete ahead.

    The leader at 2:05:10, then 2:05:22 and two tied at 2:05:30:

    >>> found = gaps_at([7522_000, 7530_000], 7510_000, [7522_000, 7530_000, 7530_000], 7510_000)
    >>> found[7522_000], found[7530_000]
    (Gaps(leader_s=12.0, ahead_s=12.0), Gaps(leader_s=20.0, ahead_s=8.0))
    >>> gaps_at([7510_000], 7510_000, [7510_000], None)
    {7510000: Gaps(leader_s=0.0, ahead_s=None)}
    """
    found = {}
    for chip_ms in wanted:
        index = bisect_left(between, chip_ms) - 1
        ahead = between[index] if index >= 0 else before_ms
        found[chip_ms] = Gaps(
            leader_s=(chip_ms - leader_ms) / 1000,
            ahead_s=None if ahead is None else (chip_ms - ahead) / 1000,
        )
    return found


def moves(places: Sequence[tuple[str, int | None]]) -> list[Move | None]:
    """At each checkpoint (in course order), the places gained since the athlete's last
    placed checkpoint before it: none at the first, nor where they have no place.

    Ninth at 25K after twelfth at 20K is three places up, "+3 since 20K":

    >>> moves([("20K", 12), ("25K", 9), ("30K", 9), ("35K", None), ("40K", 11)])[1:]
    [Move(since='20K', places=3), Move(since='25K', places=0), None, Move(since='30K', places=-2)]
    """
    found: list[Move | None] = []
    last: tuple[str, int] | None = None
    for checkpoint, place in places:
        if place is None:
            found.append(None)
            continue
        found.append(None if last is None else Move(last[0], last[1] - place))
        last = (checkpoint, place)
    return found
