"""Mass passages: a race's summary deltas coalesced, so no spectator hears hundreds a second.

Every watcher of a race is in its race room, so each summary delta reaches all of them. A
race room hears its deltas one by one, at once, until more than `LIVE_COALESCE_ABOVE`
(default 100) come within a second: a mass passage. From then on, until fewer than a tenth
of that came in the last second, its deltas are held and sent as one `batch` delta every
FLUSH_INTERVAL_S (four a second):
`{race, kind: "batch", first_seq, seq, changes: [...], athletes: [...]}`, the changes of
seqs first_seq..seq in order and each changed athlete once, in its latest state. Clients
apply it when first_seq <= their seq + 1 (README, "Live updates"), so nothing is lost and
the numbers still show any gap.

Order is kept with everything else the race's watchers hear: a race delta, a followed
athlete's own delta for an athlete waiting in the batch, and the heartbeat all send the
batch first. Each process coalesces what it publishes (deltas from other processes arrive
through Redis already coalesced by theirs).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..services.live_events import LiveEvent
from .server import socketio
from .vocabulary import race_room

FLUSH_INTERVAL_S = 0.25
WINDOW_S = 1.0
_above = 100

Send = Callable[[dict, tuple[str, ...]], None]


@dataclass
class _RaceRoom:
    arrivals: deque[float] = field(default_factory=deque)  # the last second's, at most _above
    coalescing: bool = False
    beating: bool = False  # a flush is scheduled
    held: list[dict] = field(default_factory=list)
    held_bibs: set[str] = field(default_factory=set)


_rooms: dict[str, _RaceRoom] = {}


def configure(above: int) -> None:
    """Coalesce a race's summary deltas past `above` a second (`LIVE_COALESCE_ABOVE`)."""
    global _above
    _above = above


def offer(event: LiveEvent, send: Send) -> None:
    """Send `event` now, or hold it for its race's next batch."""
    room = _rooms.setdefault(event.race_slug, _RaceRoom())
    payload = event.payload
    if payload.get("seq") is None or payload.get("kind") != "athlete":
        # A race delta, or a followed athlete's own: after anything held that it follows.
        bib = (payload.get("athlete") or {}).get("bib")
        if payload.get("kind") == "race" or bib in room.held_bibs:
            flush(event.race_slug, send)
        send(payload, event.rooms)
        return
    if not _mass_passage(room) and not room.held:
        send(payload, event.rooms)
        return
    if not room.beating:
        room.beating = True
        socketio.start_background_task(_flush_later, event.race_slug, send)
    room.held.append(payload)
    room.held_bibs.add(payload["athlete"]["bib"])


def flush(slug: str, send: Send) -> None:
    """Send what the race holds, now (one delta as itself, several as a batch)."""
    room = _rooms.get(slug)
    if room is None:
        return
    if room.coalescing and len(_recent(room)) < _above / 10:
        room.coalescing = False  # the passage is over
    if not room.held:
        return
    held, room.held, room.held_bibs = room.held, [], set()
    # Every watcher of the race is in its race room (followers too): it reaches them all.
    if len(held) == 1:
        send(held[0], (race_room(slug),))
        return
    latest = {payload["athlete"]["bib"]: payload["athlete"] for payload in held}
    batch = {
        "race": slug,
        "seq": held[-1]["seq"],
        "first_seq": held[0]["seq"],
        "kind": "batch",
        "changes": [{**p["change"], "bib": p["athlete"]["bib"]} for p in held],
        "athletes": list(latest.values()),
    }
    send(batch, (race_room(slug),))


def _mass_passage(room: _RaceRoom) -> bool:
    """Count one arrival; whether the room is (now) in a mass passage."""
    arrivals = _recent(room)
    arrivals.append(time.monotonic())
    if len(arrivals) > _above:
        arrivals.popleft()
        room.coalescing = True
    return room.coalescing


def _recent(room: _RaceRoom) -> deque[float]:
    now = time.monotonic()
    while room.arrivals and now - room.arrivals[0] > WINDOW_S:
        room.arrivals.popleft()
    return room.arrivals


def _flush_later(slug: str, send: Send) -> None:
    """Flush every FLUSH_INTERVAL_S while the passage lasts (or once, for what is held)."""
    room = _rooms[slug]
    try:
        while True:
            socketio.sleep(FLUSH_INTERVAL_S)
            flush(slug, send)
            if not room.coalescing:
                return
    finally:
        room.beating = False
