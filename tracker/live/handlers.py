"""The /live protocol: watch, resync and clock, and what a misbehaving client gets.

Spectators can only read here: no event in this namespace changes any data.
"""

from __future__ import annotations

import logging
import time

from flask import request
from flask_socketio import disconnect, emit, join_room, leave_room, rooms

from ..access import may, session_caller
from ..db import db, utc_now
from ..domain.refusals import Refusal
from ..domain.roles import MAT_HEALTH
from ..schemas import WatchIn, parse_body
from ..services.races import find_race
from ..services.snapshots import live_snapshot
from ..services.timing_health import timing_view
from ..sessions import current_login
from . import audience
from .publish import ensure_heartbeat
from .server import socketio
from .vocabulary import (
    CLOCK,
    ERROR,
    NAMESPACE,
    RESYNC,
    SNAPSHOT,
    TIMING,
    WATCH,
    athlete_room,
    race_room,
    timing_room,
)

UNKNOWN_EVENTS_BEFORE_DISCONNECT = 3

log = logging.getLogger(__name__)
# Unknown events per connection: spectators who keep sending them are disconnected.
_strikes: dict[str, int] = {}


def _refuse(refusal: Refusal) -> None:
    """A refusal as the socket says it: the same code and detail as the API's."""
    emit(ERROR, {"code": refusal.code, "message": refusal.detail})


def _parse_watch(data) -> WatchIn:
    try:
        return parse_body(WatchIn, data)
    except Refusal as refusal:
        # A payload the schema refuses is a bad event, whatever the field.
        raise Refusal("invalid_event", WATCH_USAGE, errors=refusal.errors) from refusal


WATCH_USAGE = "watch needs {race: slug, athletes?: [bib, ...] (at most 50), timing?: true}."


def _send_snapshot(slug: str, bibs: list[str]) -> None:
    race = find_race(db.session, slug)
    snapshot = live_snapshot(db.session, race, bibs)
    snapshot["server_time"] = time.time()
    emit(SNAPSHOT, snapshot)


def on_watch(data=None):
    """Join the race's rooms first, then send the snapshot.

    The order matters: a change committed after the snapshot was read reaches the
    client as a delta because it is already in the rooms; one committed before is in
    the snapshot. Joining after reading would lose changes made in between.
    """
    try:
        watch = _parse_watch(data)
        for room in rooms():
            if room != request.sid:
                leave_room(room)
        audience.leave(request.sid)
        find_race(db.session, watch.race)
    except Refusal as refusal:
        _refuse(refusal)
        return
    bibs = list(dict.fromkeys(watch.athletes))
    join_room(race_room(watch.race))
    for bib in bibs:
        join_room(athlete_room(watch.race, bib))
    audience.watch(request.sid, audience.Watching(watch.race, tuple(bibs)))
    ensure_heartbeat()
    _send_snapshot(watch.race, bibs)
    if watch.timing:
        _watch_timing(watch.race)


def _watch_timing(slug: str) -> None:
    """Mat health for officials only (the console's login cookie), now and every heartbeat."""
    if not may(session_caller(), MAT_HEALTH):
        _refuse(Refusal("forbidden_role", "Mat health is for officials: log in at /login first."))
        return
    join_room(timing_room(slug))
    audience.allow_timing(request.sid, current_login())
    emit(TIMING, timing_view(db.session, slug, utc_now()))


def on_resync(data=None):
    """A fresh snapshot of what this client watches (after a gap or a reconnect)."""
    watching = audience.of(request.sid)
    if watching is None:
        _refuse(Refusal("not_watching", "Send watch before resync."))
        return
    try:
        _send_snapshot(watching.race, list(watching.bibs))
    except Refusal as refusal:
        _refuse(refusal)


def on_clock(data=None):
    """The server's clock (seconds since the epoch) for the client's offset estimate."""
    return {"server_time": time.time()}


def on_unknown(event, data=None):
    """Spectators cannot write; unknown events get an error, and repeated ones a close."""
    strikes = _strikes.get(request.sid, 0) + 1
    _strikes[request.sid] = strikes
    _refuse(Refusal("unknown_event", f"{str(event)[:40]!r} is not an event of this namespace."))
    if strikes >= UNKNOWN_EVENTS_BEFORE_DISCONNECT:
        disconnect()


def on_disconnect(reason=None):
    _strikes.pop(request.sid, None)
    audience.leave(request.sid)


def on_failure(error):
    log.exception("live handler failed", exc_info=error)
    db.session.rollback()
    _refuse(Refusal("server_error", "The server could not answer that; try resync."))


def register() -> None:
    """Attach the handlers to the namespace (once per process)."""
    socketio.on_event(WATCH, on_watch, namespace=NAMESPACE)
    socketio.on_event(RESYNC, on_resync, namespace=NAMESPACE)
    socketio.on_event(CLOCK, on_clock, namespace=NAMESPACE)
    socketio.on_event("*", on_unknown, namespace=NAMESPACE)
    socketio.on_event("disconnect", on_disconnect, namespace=NAMESPACE)
    socketio.on_error(NAMESPACE)(on_failure)
