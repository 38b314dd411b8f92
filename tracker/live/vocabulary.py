"""The words of /live: event names, and room names made in one place.

Client to server: `watch` {race, athletes?, timing?}, `resync`, `clock` (with an ack).
Server to client: `snapshot`, `delta`, `heartbeat`, `timing`, `error`. The README has the
payloads.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE = "/live"
# Client to server
WATCH, RESYNC, CLOCK = "watch", "resync", "clock"
# Server to client
SNAPSHOT, DELTA, HEARTBEAT, TIMING, ERROR = "snapshot", "delta", "heartbeat", "timing", "error"

RACE, ATHLETE, MATS = "race", "athlete", "timing"


@dataclass(frozen=True)
class Room:
    """A room: everyone watching a race, one athlete's followers, or the officials watching
    a race's timing mats."""

    kind: str
    race: str
    bib: str | None = None

    @property
    def name(self) -> str:
        """The room's name on the wire: kind, race and bib joined by colons."""
        return ":".join(part for part in (self.kind, self.race, self.bib) if part is not None)


def race_room(slug: str) -> str:
    """Everyone watching a race: race state, leaders, featured athletes.

    >>> race_room("ineos-159-vienna")
    'race:ineos-159-vienna'
    """
    return Room(RACE, slug).name


def athlete_room(slug: str, bib: str) -> str:
    """Spectators following one athlete."""
    return Room(ATHLETE, slug, bib).name


def timing_room(slug: str) -> str:
    """Officials watching the race's timing mats and devices."""
    return Room(MATS, slug).name
