"""How a connection may behave: its snapshot requests, and the strikes that close it.

A snapshot (`watch` or `resync`) is the one costly thing a spectator can ask for. Each
connection gets at most one at a time and at most SNAPSHOT_LIMIT per moving window (the
`limits` library, which Flask-Limiter is built on); anything more is refused with
`rate_limited`. Every refusal of that kind and every unknown event is a strike, and the
STRIKES_BEFORE_DISCONNECT-th closes the connection. Kept per process: a connection lives in one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from limits import RateLimitItem, parse, storage, strategies

from ..domain.refusals import Refusal

STRIKES_BEFORE_DISCONNECT = 3
# A page asks once on connect and once per gap or newer heartbeat: far below this.
SNAPSHOT_LIMIT = "10 per 10 seconds"

_limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
_limit: RateLimitItem = parse(SNAPSHOT_LIMIT)
_in_flight: set[str] = set()
_strikes: dict[str, int] = {}


def configure(limit: str) -> None:
    """Set the snapshot limit (`LIVE_SNAPSHOT_LIMIT`, e.g. "10 per 10 seconds")."""
    global _limit
    _limit = parse(limit)


@contextmanager
def snapshot_turn(sid: str) -> Iterator[None]:
    """The connection's turn to have a snapshot built and sent, or a `rate_limited` Refusal."""
    if sid in _in_flight:
        raise Refusal("rate_limited", "One snapshot at a time: wait for the one you asked for.")
    if not _limiter.hit(_limit, "snapshot", sid):
        raise Refusal("rate_limited", f"At most {_limit} snapshots per connection.")
    _in_flight.add(sid)
    try:
        yield
    finally:
        _in_flight.discard(sid)


def strike(sid: str) -> bool:
    """Count one strike against a connection; True when it has earned a disconnect."""
    strikes = _strikes.get(sid, 0) + 1
    _strikes[sid] = strikes
    return strikes >= STRIKES_BEFORE_DISCONNECT


def forget(sid: str) -> None:
    """Drop what was kept about a connection that closed."""
    _strikes.pop(sid, None)
    _in_flight.discard(sid)
    _limiter.clear(_limit, "snapshot", sid)
