"""Every emit of /live: committed changes to their rooms, and the heartbeat that carries
each race's `seq` and the officials' mat health."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from flask import Flask, current_app

from ..db import db, utc_now
from ..metrics import DELTAS_PUBLISHED, PUBLISH_FAILURES
from ..services.live_events import LiveEvent
from ..services.races import current_seqs
from ..services.timing_health import timing_view
from . import audience, coalesce, snapshot_cache
from .logins import end_lapsed_logins
from .server import socketio
from .vocabulary import DELTA, HEARTBEAT, NAMESPACE, TIMING, race_room, timing_room

HEARTBEAT_INTERVAL_S = 5.0

log = logging.getLogger(__name__)
_heartbeat_started = False


def publish(events: Iterable[LiveEvent]) -> None:
    """Send committed changes to their rooms; the one way any change reaches watchers.

    Each event is encoded once for all its listeners (one emit to all its rooms, and a
    client in several of them gets it once); during a mass passage a race's summary
    deltas go out as batches (`coalesce`). Delivery is best effort: a watcher that misses
    one sees a gap in `seq`, or a newer number in a heartbeat, and resyncs from the database.
    """
    for event in events:
        # Before the emit: no watcher may hear of a change the snapshot cache has not.
        snapshot_cache.note_delta(event.payload)
        coalesce.offer(event, _send)
        DELTAS_PUBLISHED.labels(event.payload.get("kind", "")).inc()


def _send(payload: dict, rooms: tuple[str, ...]) -> None:
    try:
        socketio.emit(DELTA, payload, to=list(rooms), namespace=NAMESPACE)
    except Exception:  # a broken message queue must not fail a committed write
        PUBLISH_FAILURES.inc()
        log.exception("could not publish %s seq %s", payload["race"], payload["seq"])


def ensure_heartbeat() -> None:
    """Start this process's heartbeat once, when the first watcher arrives."""
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
            _beat(app)
        except Exception:
            log.exception("heartbeat failed")


def _beat(app: Flask) -> None:
    slugs = audience.races()
    if not slugs:
        return
    with app.app_context():
        current = current_seqs(db.session, slugs)
        db.session.remove()
    for slug, seq in current.items():
        # Before the beat: the resync it may prompt must not be answered from an old entry,
        # and nothing held for a batch may look missed.
        snapshot_cache.note_seq(slug, seq)
        coalesce.flush(slug, _send)
        socketio.emit(
            HEARTBEAT,
            {"race": slug, "seq": seq, "server_time": time.time()},
            to=race_room(slug),
            namespace=NAMESPACE,
            ignore_queue=True,
        )
    end_lapsed_logins(app)  # before any mat health goes out
    for slug in audience.races_with_timing():
        with app.app_context():
            view = timing_view(db.session, slug, utc_now())
            db.session.remove()
        if view is not None:
            socketio.emit(
                TIMING, view, to=timing_room(slug), namespace=NAMESPACE, ignore_queue=True
            )
