"""Runs the demo race inside the server: set up Vienna, fire the gun, replay, repeat."""

from __future__ import annotations

import bisect
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask

from ..db import db, utc_now
from ..domain.audit import Actor
from ..domain.race_clock import SplitTime
from ..models import Race
from ..replay import ReplaySplit, replay
from ..services import athletes as athlete_service
from ..services import live_events, pacing
from ..services import races as race_service
from ..transactions import write
from . import city, vienna
from .decoder import DecoderFeed

DEMO_SPEED_ENV = "TRACKER_DEMO_SPEED"
DEMO_VIA_ENV = "TRACKER_DEMO_VIA"  # "api" (the split path) or "raceresult" (a fake decoder)
DEMO_RACE_ENV = "TRACKER_DEMO_RACE"  # "vienna" (the record attempt) or "city" (a mass race)
PAUSE_BETWEEN_LAPS_S = 30.0

log = logging.getLogger(__name__)
DEMO = Actor("demo", None, "demo replay")
OFFICIAL = Actor("demo-official", "official", "demo replay")


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
    for code, members in vienna.PACER_GROUPS.items():
        # Illustrative: the public record has no exact changeover points.
        plan = [(i, o, True) for group, i, o in vienna.PACER_PLAN if group == code]
        pacing.set_group(db.session, race, code=code, name=None, members=members, plan=plan)
    race_service.start_race(db.session, race, at=now)
    _official_rotation(race, vienna.PACERS_IN_AT_GUN, now)
    live_events.race_changed(db.session, race, "reset")
    return race


def _official_rotation(race: Race, rotation: tuple, now: datetime) -> None:
    """What the demo's official records where no mat can: a group in or out."""
    group, action, distance_m, elapsed_s = rotation
    pacing.record_rotation(
        db.session,
        race,
        group_code=group,
        action=action,
        checkpoint_code=None,
        distance_m=distance_m,
        given=SplitTime(elapsed_s=elapsed_s),
        entered_by="demo-official",
        now=now,
    )


def _pacers_out(app: Flask, gun: datetime, speed: float, sleep, now) -> None:
    """At 41 km the last group peels off: the official says so when the clock gets there."""
    elapsed_s = vienna.PACERS_OUT[3]
    sleep(max(0.0, (gun + timedelta(seconds=elapsed_s / speed) - now()).total_seconds()))
    with app.app_context():
        write(
            lambda: _official_rotation(
                race_service.find_race(db.session, vienna.SLUG), vienna.PACERS_OUT, now()
            ),
            actor=OFFICIAL,
        )


def run_demo(
    app: Flask,
    speed: float,
    *,
    laps: int | None = None,
    pause_s: float = PAUSE_BETWEEN_LAPS_S,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utc_now,
    via: str = "api",
    race: str = "vienna",
    runners: int = city.RUNNERS,
) -> None:
    """Replay Vienna `laps` times (forever when None), pausing between laps: through the
    split path, or (`via="raceresult"`) as chip passings of a fake decoder on loopback; or
    (`race="city"`) the generated city marathon of `runners`."""
    if race == "city":
        _run_city(app, speed, laps, pause_s, sleep, now, runners)
        return
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
        out_s = vienna.PACERS_OUT[3]
        if feed is None:
            before = [split for split in splits if split.elapsed_s <= out_s]
            replay(app, vienna.SLUG, before, entered_by="demo", sleep=sleep, now=now)
            _pacers_out(app, gun, speed, sleep, now)
            after = [split for split in splits if split.elapsed_s > out_s]
            replay(app, vienna.SLUG, after, entered_by="demo", sleep=sleep, now=now)
        else:
            feed.new_lap()
            pacers_out = False
            for split in sorted(splits, key=lambda split: split.elapsed_s):
                if not pacers_out and split.elapsed_s > out_s:
                    _pacers_out(app, gun, speed, sleep, now)
                    pacers_out = True
                if split.approximate:
                    # No mat read an estimate: it comes in as an official's approximate time.
                    replay(app, vienna.SLUG, [split], entered_by="demo", sleep=sleep, now=now)
                    continue
                at = gun + timedelta(seconds=split.elapsed_s / speed)
                sleep(max(0.0, (at - now()).total_seconds()))
                feed.passed(split.bib, split.checkpoint, at)
        lap += 1
        sleep(pause_s)


def _run_city(app, speed, laps, pause_s, sleep, now, runners) -> None:
    """The city marathon's laps: enter the field, then its splits as the race clock reaches
    them, with the officials' doings (wave guns, DNFs) in between at their times."""
    field = city.field(runners)
    by_bib = {runner.athlete["bib"]: runner for runner in field}
    splits = sorted((s for runner in field for s in runner.splits), key=lambda s: s.elapsed_s)
    lap = 0
    while laps is None or lap < laps:
        with app.app_context():
            write(lambda: city.clear_city_race(db.session, speed), actor=DEMO)
        for start in range(0, len(field), city.ENTRY_CHUNK):
            chunk = field[start : start + city.ENTRY_CHUNK]
            with app.app_context():
                write(lambda c=chunk: city.enter_runners(db.session, c, now()), actor=DEMO)
            sleep(0)  # let the server's other work in between
        with app.app_context():
            race = write(lambda: city.fire_first_gun(db.session, now()), actor=DEMO)
            gun = race.gun_time
        done = 0
        for at_s, kind, subject in [*city.events(field), (math.inf, "", "")]:
            upto = bisect.bisect_right([s.elapsed_s for s in splits], at_s, lo=done)
            replay(app, city.SLUG, splits[done:upto], entered_by="demo", sleep=sleep, now=now)
            done = upto
            if at_s == math.inf:
                break
            sleep(max(0.0, (gun + timedelta(seconds=at_s / speed) - now()).total_seconds()))
            with app.app_context():
                write(
                    lambda k=kind, b=subject: city.act(
                        db.session, race_service.find_race(db.session, city.SLUG), k, b,
                        now=now(), runners_by_bib=by_bib,
                    ),
                    actor=OFFICIAL,
                )  # fmt: skip
        lap += 1
        sleep(pause_s)


def start_in_background(app: Flask, speed: float, via: str = "api") -> threading.Thread:
    """Start the demo beside the server (a greenlet under gevent's patched threading)."""
    # Which race: read here rather than passed by gunicorn.conf.py, which only knows that
    # a demo was asked for.
    race = os.environ.get(DEMO_RACE_ENV, "vienna")

    def run() -> None:
        try:
            run_demo(app, speed, via=via, race=race)
        except Exception:  # the demo must never take the server down with it
            log.exception("the demo replay stopped")

    thread = threading.Thread(target=run, name="demo-replay", daemon=True)
    thread.start()
    return thread
