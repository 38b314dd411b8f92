"""One snapshot per race, `seq` and followed set, shared by every watcher who asks while
nothing changed: a `watch` or `resync` on an unchanged race costs no database query, and
the snapshot is encoded as JSON once for all of them.

Fresh enough, and why. An entry carries the race `seq` it was read at (read first, so its
athletes are at least that fresh) and is served only while the latest `seq` this process
knows for the race is still that number. The process learns a number before any of its
watchers can: each delta is noted here before it is emitted (`publish`, and the Redis
listener for other processes' deltas), the heartbeat notes what the database says, and so
does every snapshot read. So a watcher that joined the rooms and then gets an entry misses
nothing: a delta emitted before it joined was noted first and made the entry stale, and
one emitted after reaches it as a delta (the order `handlers.on_watch` relies on).

Followed athletes outside the summary change without a race `seq`, so an entry with
followed athletes also carries how many athlete-only deltas the race had. A write that no
process announces (a shell command without a message queue) is learned from the next
heartbeat, as the watchers learn it; and no entry is served after MAX_AGE_S.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ..metrics import SNAPSHOT_READS

MAX_AGE_S = 10.0
MAX_ENTRIES = 256
# How long a request waits for another's read of the same snapshot before reading itself.
WAIT_FOR_READ_S = 5.0

Key = tuple[str, tuple[str, ...]]


@dataclass
class _Known:
    """The latest a process knows of a race's live stream."""

    seq: int = -1
    athlete_changes: int = 0


@dataclass(frozen=True)
class _Entry:
    seq: int
    athlete_changes: int | None  # None: the summary alone, which athlete-only deltas miss
    read_at: float
    encoded: str  # the snapshot as JSON, encoded once for everyone who gets it


_known: dict[str, _Known] = {}
_entries: OrderedDict[Key, _Entry] = OrderedDict()
_reading: dict[Key, threading.Event] = {}


def note_seq(slug: str, seq: int) -> None:
    """The race's stream has reached at least `seq`."""
    known = _known.setdefault(slug, _Known())
    known.seq = max(known.seq, seq)


def note_delta(payload: object) -> None:
    """A delta is about to reach this process's watchers: entries it outdates are stale."""
    if not isinstance(payload, dict) or not isinstance(payload.get("race"), str):
        return
    seq = payload.get("seq")
    if isinstance(seq, int):
        note_seq(payload["race"], seq)
    else:
        _known.setdefault(payload["race"], _Known()).athlete_changes += 1


def knows(slug: str) -> bool:
    """Whether this process has seen the race (races are never deleted)."""
    return slug in _known


def _fresh(key: Key) -> str | None:
    entry = _entries.get(key)
    known = _known.get(key[0])
    if entry is None or known is None:
        return None
    if (
        entry.seq != known.seq
        or entry.athlete_changes not in (None, known.athlete_changes)
        or time.monotonic() - entry.read_at > MAX_AGE_S
    ):
        del _entries[key]
        return None
    _entries.move_to_end(key)
    return entry.encoded


def snapshot_for(slug: str, followed: tuple[str, ...], read: Callable[[], dict]) -> str:
    """The snapshot of `slug` with `followed`, as JSON: a fresh entry, or `read()` it, encode
    it and keep it.

    Requests for one key while it is being read wait for that read, then check it like any
    entry.
    """
    key = (slug, followed)
    snapshot = _fresh(key)
    if snapshot is not None:
        return snapshot
    pending = _reading.get(key)
    if pending is not None:
        pending.wait(WAIT_FOR_READ_S)
        snapshot = _fresh(key)
        if snapshot is not None:
            return snapshot
    return _read(key, read)


def _read(key: Key, read: Callable[[], dict]) -> str:
    done = threading.Event()
    _reading[key] = done
    # Counted before reading: a change noted while we read makes the entry stale.
    athlete_changes = _known.get(key[0], _Known()).athlete_changes if key[1] else None
    try:
        snapshot = read()
        SNAPSHOT_READS.inc()
        encoded = json.dumps(snapshot, separators=(",", ":"))
        note_seq(key[0], snapshot["seq"])
        _entries[key] = _Entry(snapshot["seq"], athlete_changes, time.monotonic(), encoded)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
        return encoded
    finally:
        if _reading.get(key) is done:
            del _reading[key]
        done.set()
