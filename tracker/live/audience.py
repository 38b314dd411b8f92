"""Who watches what in this process: each connection's race, followed bibs and mat view.

Kept beside Socket.IO's own rooms so the heartbeat and a resync need not read the
server's internals; every process keeps its own (its clients are its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..metrics import WATCHERS


@dataclass(frozen=True)
class Watching:
    """What one connection watches."""

    race: str
    bibs: tuple[str, ...] = ()
    timing: bool = False
    # The login session that let it watch the mats; mat health ends when that login does.
    login: str | None = None


_by_sid: dict[str, Watching] = {}


def watch(sid: str, watching: Watching) -> None:
    """Record what a connection now watches (a new watch replaces the old)."""
    _by_sid[sid] = watching
    WATCHERS.set(len(_by_sid))


def allow_timing(sid: str, login: str | None) -> None:
    """The connection also watches its race's mats, for as long as `login` lasts."""
    current = _by_sid.get(sid)
    if current is not None:
        _by_sid[sid] = Watching(current.race, current.bibs, timing=True, login=login)


def end_timing(sid: str) -> None:
    """The connection no longer watches the mats (its login ended)."""
    current = _by_sid.get(sid)
    if current is not None:
        _by_sid[sid] = Watching(current.race, current.bibs)


def watching_timing() -> dict[str, Watching]:
    """Each connection of this process that watches mats, by sid."""
    return {sid: watching for sid, watching in _by_sid.items() if watching.timing}


def of(sid: str) -> Watching | None:
    """What a connection watches, if anything."""
    return _by_sid.get(sid)


def leave(sid: str) -> None:
    """Forget a connection that closed."""
    _by_sid.pop(sid, None)
    WATCHERS.set(len(_by_sid))


def races() -> set[str]:
    """Every race someone in this process watches."""
    return {watching.race for watching in _by_sid.values()}


def races_with_timing() -> set[str]:
    """Every race whose mats someone in this process watches."""
    return {watching.race for watching in _by_sid.values() if watching.timing}
