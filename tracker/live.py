"""The live layer: Socket.IO namespace /live, its event vocabulary, rooms and publishing.

Client to server: `watch` {race, athletes?, timing?}, `resync` {race}, `clock` (with an ack).
Server to client: `snapshot`, `delta`, `heartbeat`, `timing`, `error`. See the README for
payloads.
Spectators can only read here: no event in this namespace changes any data.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable

from flask import Flask, current_app, request
from flask_socketio import SocketIO, disconnect, emit, join_room, leave_room, rooms
from sqlalchemy import select

from .api.auth import session_caller
from .db import db, utc_now
from .errors import Problem
from .models import Race
from .services.live_events import LiveEvent, athlete_room, race_room
from .services.races import find_race
from .services.snapshots import live_snapshot
from .services.timing_devices import timing_health

NAMESPACE = "/live"
# Client to server
WATCH, RESYNC, CLOCK = "watch", "resync", "clock"
# Server to client
SNAPSHOT, DELTA, HEARTBEAT, TIMING, ERROR = "snapshot", "delta", "heartbeat", "timing", "error"

# Who may watch the timing mats' health (as GET /api/races/<slug>/timing).
TIMING_ROLES = ("official", "timing", "admin")
MAX_FOLLOWED = 50
UNKNOWN_EVENTS_BEFORE_DISCONNECT = 3
BIB = re.compile(r"^[A-Za-z0-9]{1,16}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

HEARTBEAT_INTERVAL_S = 5.0

socketio = SocketIO()
log = logging.getLogger(__name__)
# Unknown events per connection: spectators who keep sending them are disconnected.
_strikes: dict[str, int] = {}
_heartbeat_started = False


def publish(events: Iterable[LiveEvent]) -> None:
    """Send committed changes to their rooms; the one way any change reaches watchers.

    Each event is encoded once for all its listeners (one emit to all its rooms, and a
    client in several of them gets it once). Delivery is best effort: a watcher that misses
    one sees a gap in `seq`, or a newer number in a heartbeat, and resyncs from the database.
    """
    for event in events:
        try:
            socketio.emit(DELTA, event.payload, to=list(event.rooms), namespace=NAMESPACE)
        except Exception:  # a broken message queue must not fail a committed write
            log.exception("could not publish %s seq %s", event.race_slug, event.payload["seq"])


def _error(code: str, message: str) -> None:
    emit(ERROR, {"code": code, "message": message})


def _watched_race() -> str | None:
    for room in rooms():
        if room.startswith("race:"):
            return room.removeprefix("race:")
    return None


def _send_snapshot(slug: str, bibs: list[str]) -> None:
    try:
        race = find_race(db.session, slug)
    except Problem as problem:
        _error(problem.code, problem.detail)
        return
    snapshot = live_snapshot(db.session, race, bibs)
    snapshot["server_time"] = time.time()
    emit(SNAPSHOT, snapshot)


def timing_room(slug: str) -> str:
    """Officials watching the race's timing mats and devices."""
    return f"timing:{slug}"


def _timing_view(slug: str) -> dict | None:
    """Mat health as the console shows it (device addresses stay in the API's answer)."""
    race = db.session.scalar(select(Race).where(Race.slug == slug))
    if race is None:
        return None
    health = timing_health(db.session, race, utc_now())
    for device in health["devices"]:
        device.pop("peer", None)
    return health


def _parse_watch(data) -> tuple[str, list[str]] | None:
    if not isinstance(data, dict) or not isinstance(data.get("race"), str):
        _error("invalid_event", "watch needs {race: slug, athletes?: [bib, ...]}.")
        return None
    slug = data["race"]
    athletes = data.get("athletes", [])
    if not SLUG.match(slug):
        _error("unknown_race", "No race has that slug.")
        return None
    if not isinstance(athletes, list) or not all(
        isinstance(bib, str) and BIB.match(bib) for bib in athletes
    ):
        _error("invalid_event", "athletes must be a list of bibs (letters and digits).")
        return None
    if len(athletes) > MAX_FOLLOWED:
        _error("invalid_event", f"Follow at most {MAX_FOLLOWED} athletes.")
        return None
    return slug, list(dict.fromkeys(athletes))


@socketio.on(WATCH, namespace=NAMESPACE)
def on_watch(data=None):
    """Join the race's rooms first, then send the snapshot.

    The order matters: a change committed after the snapshot was read reaches the
    client as a delta because it is already in the rooms; one committed before is in
    the snapshot. Joining after reading would lose changes made in between.
    """
    parsed = _parse_watch(data)
    if parsed is None:
        return
    slug, bibs = parsed
    for room in rooms():
        if room != request.sid:
            leave_room(room)
    if db.session.scalar(select(Race.id).where(Race.slug == slug)) is None:
        _error("unknown_race", f"No race has the slug {slug!r}.")
        return
    join_room(race_room(slug))
    for bib in bibs:
        join_room(athlete_room(slug, bib))
    _ensure_heartbeat()
    _send_snapshot(slug, bibs)
    if data.get("timing") is True:
        caller = session_caller()  # the officials' console's login cookie
        if caller is None or caller.role not in TIMING_ROLES:
            _error("forbidden_role", "Mat health is for officials: log in at /login first.")
            return
        join_room(timing_room(slug))
        emit(TIMING, _timing_view(slug))


@socketio.on(RESYNC, namespace=NAMESPACE)
def on_resync(data=None):
    """A fresh snapshot of what this client watches (after a gap or a reconnect)."""
    slug = _watched_race()
    if slug is None:
        _error("not_watching", "Send watch before resync.")
        return
    prefix = f"athlete:{slug}:"
    bibs = [room.removeprefix(prefix) for room in rooms() if room.startswith(prefix)]
    _send_snapshot(slug, bibs)


@socketio.on(CLOCK, namespace=NAMESPACE)
def on_clock(data=None):
    """The server's clock (seconds since the epoch) for the client's offset estimate."""
    return {"server_time": time.time()}


@socketio.on("*", namespace=NAMESPACE)
def on_unknown(event, data=None):
    """Spectators cannot write; unknown events get an error, and repeated ones a close."""
    strikes = _strikes.get(request.sid, 0) + 1
    _strikes[request.sid] = strikes
    _error("unknown_event", f"{str(event)[:40]!r} is not an event of this namespace.")
    if strikes >= UNKNOWN_EVENTS_BEFORE_DISCONNECT:
        disconnect()


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(reason=None):
    _strikes.pop(request.sid, None)


@socketio.on_error(NAMESPACE)
def on_failure(error):
    log.exception("live handler failed", exc_info=error)
    db.session.rollback()
    _error("server_error", "The server could not answer that; try resync.")


def _ensure_heartbeat() -> None:
    global _heartbeat_started
    if not _heartbeat_started:
        _heartbeat_started = True
        socketio.start_background_task(_heartbeat_loop, current_app._get_current_object())


def _heartbeat_loop(app: Flask) -> None:
    """Every few seconds, tell each race room in this process its current `seq`.

    A watcher that missed a delta (a lost Redis message, a write from another process
    without a message queue) sees a newer number here and resyncs. Sent to this process's
    clients only: every process runs its own loop.
    """
    while True:
        socketio.sleep(HEARTBEAT_INTERVAL_S)
        try:
            slugs = [
                room.removeprefix("race:")
                for room in socketio.server.manager.rooms.get(NAMESPACE, {})
                if isinstance(room, str) and room.startswith("race:")
            ]
            if not slugs:
                continue
            with app.app_context():
                current = db.session.execute(
                    select(Race.slug, Race.seq).where(Race.slug.in_(slugs))
                ).all()
                db.session.remove()
            for slug, seq in current:
                socketio.emit(
                    HEARTBEAT,
                    {"race": slug, "seq": seq, "server_time": time.time()},
                    to=race_room(slug),
                    namespace=NAMESPACE,
                    ignore_queue=True,
                )
            _send_timing(app)
        except Exception:
            log.exception("heartbeat failed")


def _send_timing(app: Flask) -> None:
    """Mat health to each race's timing room in this process, every heartbeat."""
    slugs = [
        room.removeprefix("timing:")
        for room in socketio.server.manager.rooms.get(NAMESPACE, {})
        if isinstance(room, str) and room.startswith("timing:")
    ]
    for slug in slugs:
        with app.app_context():
            view = _timing_view(slug)
            db.session.remove()
        if view is not None:
            socketio.emit(
                TIMING, view, to=timing_room(slug), namespace=NAMESPACE, ignore_queue=True
            )


class RefuseWebsocketCompression:
    """WSGI middleware that hides the client's permessage-deflate offer.

    simple-websocket accepts compression whenever a client offers it (browsers always do),
    which measured here at 2.5x the memory per client and half the fan-out throughput.
    Live deltas are small; sending them plain is cheaper for everyone.
    """

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Bind Socket.IO to the app (through Redis when REDIS_URL is set)."""
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_MESSAGE_BYTES"],
        ping_interval=25,
        ping_timeout=20,
    )
    app.wsgi_app = RefuseWebsocketCompression(app.wsgi_app)
