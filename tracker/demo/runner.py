"""Runs the demo race inside the server: set up Vienna, fire the gun, replay, repeat."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask

from ..db import db, utc_now
from ..domain.audit import Actor
from ..models import Race
from ..replay import ReplaySplit, replay
from ..services import athletes as athlete_service
from ..services import live_events
from ..services import races as race_service
from ..transactions import write
from . import vienna
from .decoder import DecoderFeed

DEMO_SPEED_ENV = "TRACKER_DEMO_SPEED"
DEMO_VIA_ENV = "TRACKER_DEMO_VIA"  # "api" (the split path) or "raceresult" (a fake decoder)
PAUSE_BETWEEN_LAPS_S = 30.0

log = logging.getLogger(__name__)
DEMO = Actor("demo", None, "demo replay")


def reset_demo_race(speed: float, now: datetime) -> Race:
    """Clear the demo race's athletes and splits and fire its gun again, now.

    The race row itself stays, so its live stream's numbers keep rising and watchers are
    told to resync rather than left comparing numbers of two different races.
    """
    race = race_service.race_named(db.session, vienna.SLUG)
    if race is None:
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
    else:
        race_service.clear_field(db.session, race)
        race.gun_time = None
        race.clock_rate = speed
    for athlete in vienna.ATHLETES:
        athlete_service.add_athlete(db.session, race, **athlete, now=now)
    race_service.start_race(db.session, race, at=now)
    live_events.race_changed(db.session, race, "reset")
    return race


def run_demo(
    app: Flask,
    speed: float,
    *,
    laps: int | None = None,
    pause_s: float = PAUSE_BETWEEN_LAPS_S,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utc_now,
    via: str = "api",
) -> None:
    """Replay Vienna `laps` times (forever when None), pausing between laps: through the
    split path, or (`via="raceresult"`) as chip passings of a fake decoder on loopback."""
    splits = [
        ReplaySplit(bib, code, elapsed, approximate=(bib, code) in vienna.APPROXIMATE)
        for bib, code, elapsed in vienna.SPLITS
    ]
    feed = DecoderFeed(app) if via == "raceresult" else None
    lap = 0
    while laps is None or lap < laps:
        with app.app_context():
            race = write(lambda: reset_demo_race(speed, now()), actor=DEMO)
            gun = race.gun_time
        if feed is None:
            replay(app, vienna.SLUG, splits, entered_by="demo", sleep=sleep, now=now)
        else:
            feed.new_lap()
            for split in sorted(splits, key=lambda split: split.elapsed_s):
                if split.approximate:
                    # No mat read an estimate: it comes in as an official's approximate time.
                    replay(app, vienna.SLUG, [split], entered_by="demo", sleep=sleep, now=now)
                    continue
                at = gun + timedelta(seconds=split.elapsed_s / speed)
                sleep(max(0.0, (at - now()).total_seconds()))
                feed.passed(split.bib, split.checkpoint, at)
        lap += 1
        sleep(pause_s)


def start_in_background(app: Flask, speed: float, via: str = "api") -> threading.Thread:
    """Start the demo beside the server (a greenlet under gevent's patched threading)."""

    def run() -> None:
        try:
            run_demo(app, speed, via=via)
        except Exception:  # the demo must never take the server down with it
            log.exception("the demo replay stopped")

    thread = threading.Thread(target=run, name="demo-replay", daemon=True)
    thread.start()
    return thread
