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
from . import audience, conduct, snapshot_cache
from .fanout import send_encoded
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

# Refusals that count against a connection: they mean a client that floods or probes.
STRUCK = {"rate_limited", "unknown_event"}

log = logging.getLogger(__name__)
# How long a struck-out client's last refusals get to leave before the close (its own
# greenlet waits, no one else).
CLOSE_GRACE_S = 0.1


def _refuse(refusal: Refusal) -> None:
    """A refusal as the socket says it: the same code and detail as the API's.

    A refused flood earns a strike per refusal, and enough of them a close."""
    emit(ERROR, {"code": refusal.code, "message": refusal.detail}, ignore_queue=True)
    if refusal.code in STRUCK and conduct.strike(request.sid):
        _close()


def _close() -> None:
    """Close the connection itself, not only /live: over an open transport a client could
    join the namespace again and go on, and what it has already sent is dropped unread."""
    eio_sid = socketio.server.manager.eio_sid_from_sid(request.sid, NAMESPACE)
    # Let the refusals already queued for this client go out before its socket closes.
    socketio.sleep(CLOSE_GRACE_S)
    if eio_sid is None:
        disconnect()
    else:
        socketio.server.eio.disconnect(eio_sid)


def _one_argument(args: tuple, usage: str):
    """The event's one payload (or None); more than one is a bad event, not a crash."""
    if len(args) > 1:
        raise Refusal("invalid_event", usage)
    return args[0] if args else None


def _parse_watch(args: tuple) -> WatchIn:
    try:
        return parse_body(WatchIn, _one_argument(args, WATCH_USAGE))
    except Refusal as refusal:
        # A payload the schema refuses is a bad event, whatever the field.
        raise Refusal("invalid_event", WATCH_USAGE, errors=refusal.errors) from refusal


WATCH_USAGE = "watch needs {race: slug, athletes?: [bib, ...] (at most 50), timing?: true}."


def _read_snapshot(slug: str, bibs: tuple[str, ...]) -> dict:
    snapshot = live_snapshot(db.session, find_race(db.session, slug), list(bibs))
    snapshot["built_at"] = time.time()
    return snapshot


def _send_snapshot(slug: str, bibs: list[str]) -> None:
    """The shared snapshot of what the client watches, with the server's time of sending."""
    followed = tuple(bibs)
    encoded = snapshot_cache.snapshot_for(slug, followed, lambda: _read_snapshot(slug, followed))
    # Only this connection wants it: straight to it, not through the message queue; the
    # shared JSON gets the time of sending appended, nothing encoded again.
    body = f'{encoded[:-1]},"server_time":{time.time()!r}}}'
    send_encoded(socketio.server, request.sid, NAMESPACE, SNAPSHOT, body)


def on_watch(*args):
    """Join the race's rooms first, then send the snapshot.

    The order matters: a change committed after the snapshot was read reaches the
    client as a delta because it is already in the rooms; one committed before is in
    the snapshot. Joining after reading would lose changes made in between.
    """
    try:
        with conduct.snapshot_turn(request.sid):
            _watch(_parse_watch(args))
    except Refusal as refusal:
        _refuse(refusal)


def _watch(watch: WatchIn) -> None:
    for room in rooms():
        if room != request.sid:
            leave_room(room)
    audience.leave(request.sid)
    if not snapshot_cache.knows(watch.race):
        find_race(db.session, watch.race)
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
    emit(TIMING, timing_view(db.session, slug, utc_now()), ignore_queue=True)


def on_resync(*args):
    """A fresh snapshot of what this client watches (after a gap or a reconnect)."""
    try:
        _one_argument(args, "resync takes one payload, {race}.")
        with conduct.snapshot_turn(request.sid):
            watching = audience.of(request.sid)
            if watching is None:
                raise Refusal("not_watching", "Send watch before resync.")
            _send_snapshot(watching.race, list(watching.bibs))
    except Refusal as refusal:
        _refuse(refusal)


def on_clock(*args):
    """The server's clock (seconds since the epoch) for the client's offset estimate."""
    if len(args) > 1:
        _refuse(Refusal("invalid_event", "clock takes no payload."))
        return None
    return {"server_time": time.time()}


def on_unknown(event, *args):
    """Spectators cannot write; unknown events get an error, and repeated ones a close."""
    _refuse(Refusal("unknown_event", f"{str(event)[:40]!r} is not an event of this namespace."))


def on_disconnect(*args):
    """Forget a connection that closed.

    python-socketio also hands this handler an event a client *emits* under the name
    "disconnect"; that client is still connected, and it is an unknown event like any other
    (forgetting it here would wipe its strikes).
    """
    if socketio.server.manager.is_connected(request.sid, NAMESPACE):
        on_unknown("disconnect", *args)
        return
    conduct.forget(request.sid)
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
