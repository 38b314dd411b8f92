"""Runs the demo race inside the server: set up Vienna, fire the gun, replay, repeat."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import delete

from ..db import db, utc_now
from ..models import Race
from ..replay import ReplaySplit, replay
from ..services import races as race_service
from ..transactions import write
from . import vienna

DEMO_SPEED_ENV = "TRACKER_DEMO_SPEED"
PAUSE_BETWEEN_LAPS_S = 30.0

log = logging.getLogger(__name__)


def reset_demo_race(speed: float, now: datetime) -> Race:
    """Drop the previous demo race and set up a fresh one whose gun fires now."""
    db.session.execute(delete(Race).where(Race.slug == vienna.SLUG))
    race = race_service.create_race(
        db.session,
        slug=vienna.SLUG,
        name=vienna.NAME,
        distance_m=vienna.DISTANCE_M,
        target_s=vienna.TARGET_S,
        timezone=vienna.TIMEZONE,
        clock_rate=speed,
        checkpoints=vienna.CHECKPOINTS,
    )
    for athlete in vienna.ATHLETES:
        race_service.add_athlete(db.session, race, **athlete)
    return race_service.start_race(db.session, race, at=now)


def run_demo(
    app: Flask,
    speed: float,
    *,
    laps: int | None = None,
    pause_s: float = PAUSE_BETWEEN_LAPS_S,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utc_now,
) -> None:
    """Replay Vienna `laps` times (forever when None), pausing between laps."""
    splits = [ReplaySplit(bib, code, elapsed) for bib, code, elapsed in vienna.SPLITS]
    lap = 0
    while laps is None or lap < laps:
        with app.app_context():
            write(lambda: reset_demo_race(speed, now()))
        replay(app, vienna.SLUG, splits, entered_by="demo", sleep=sleep, now=now)
        lap += 1
        sleep(pause_s)


def start_in_background(app: Flask, speed: float) -> threading.Thread:
    """Start the demo beside the server (a greenlet under gevent's patched threading)."""

    def run() -> None:
        try:
            run_demo(app, speed)
        except Exception:  # the demo must never take the server down with it
            log.exception("the demo replay stopped")

    thread = threading.Thread(target=run, name="demo-replay", daemon=True)
    thread.start()
    return thread
