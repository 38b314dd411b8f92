"""Race routes: read the race, set it up, fire the gun."""

from __future__ import annotations

from flask import current_app, g, jsonify

from ..db import db, utc_now
from ..domain.roles import OFFICIALS, RACE_SETUP
from ..schemas import AthleteIn, CheckpointIn, ChipIn, GunIn, PublishIn, RaceIn, StartIn, parse_body
from ..services import athletes as athlete_service
from ..services import gun
from ..services import races as race_service
from ..services.snapshots import athlete_snapshot, race_snapshot, race_view
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import instant_window, json_body


@bp.get("/races")
def list_races():
    """Every race, newest first, without athletes."""
    races = race_service.list_races(db.session)
    return jsonify({"races": [race_view(race) for race in races]})


@bp.get("/races/<slug>")
def get_race(slug: str):
    """The race snapshot: race, checkpoints, athletes with splits and projections."""
    race = race_service.find_race(db.session, slug)
    return jsonify(race_snapshot(db.session, race))


@bp.get("/races/<slug>/athletes/<bib>")
def get_athlete(slug: str, bib: str):
    """One athlete with splits, projection and ETAs."""
    race = race_service.find_race(db.session, slug)
    athlete = race_service.find_athlete(db.session, race, bib)
    return jsonify(athlete_snapshot(db.session, race, athlete))


@bp.post("/races")
@require_role(*RACE_SETUP)
def create_race():
    """Set up a race (and its checkpoints; the finish is added when missing)."""
    body = parse_body(RaceIn, json_body())

    def change():
        race = race_service.create_race(
            db.session,
            **body.model_dump(exclude={"checkpoints"}),
            checkpoints=[cp.model_dump() for cp in body.checkpoints],
        )
        return race_view(race)

    return jsonify(write(change, actor=g.actor)), 201


@bp.post("/races/<slug>/checkpoints")
@require_role(*RACE_SETUP)
def add_checkpoint(slug: str):
    """Add a checkpoint to a race."""
    body = parse_body(CheckpointIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        race_service.add_checkpoint(db.session, race, **body.model_dump())
        return race_view(race)

    return jsonify(write(change, actor=g.actor)), 201


@bp.post("/races/<slug>/athletes")
@require_role(*RACE_SETUP)
def add_athlete(slug: str):
    """Add an athlete (bib, name, country, role, chips) to a race."""
    body = parse_body(AthleteIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        athlete = athlete_service.add_athlete(
            db.session,
            race,
            **body.model_dump(),
            now=utc_now(),
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race, athlete

    race, athlete = write(change, actor=g.actor)
    return jsonify(athlete_snapshot(db.session, race, athlete)), 201


@bp.post("/races/<slug>/athletes/<bib>/chips")
@require_role(*OFFICIALS)
def assign_chip(slug: str, bib: str):
    """Give an athlete another chip; reads of it kept so far are scored at once (the same
    chip again: 200, nothing changed)."""
    body = parse_body(ChipIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        athlete = race_service.find_athlete(db.session, race, bib)
        changed = athlete_service.assign_chip(
            db.session,
            race,
            athlete,
            chip=body.chip,
            now=utc_now(),
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race, athlete, changed

    race, athlete, changed = write(change, actor=g.actor)
    return jsonify(athlete_snapshot(db.session, race, athlete)), 201 if changed else 200


@bp.post("/races/<slug>/start")
@require_role(*OFFICIALS)
def start_race(slug: str):
    """Fire the gun now, or at the given instant."""
    body = parse_body(StartIn, json_body(optional=True), time_window=instant_window())

    def change():
        race = race_service.find_race(db.session, slug)
        race_service.start_race(db.session, race, at=body.time_or_now(utc_now()))
        return race_view(race)

    return jsonify(write(change, actor=g.actor))


@bp.post("/races/<slug>/results/publish")
@require_role(*OFFICIALS)
def publish_results(slug: str):
    """Publish the results: every page stops calling the finish times unofficial."""
    parse_body(PublishIn, json_body(optional=True))

    def change():
        race = race_service.find_race(db.session, slug)
        race_service.publish_results(db.session, race, now=utc_now())
        return race_view(race)

    return jsonify(write(change, actor=g.actor))


@bp.post("/races/<slug>/gun")
@require_role(*OFFICIALS)
def correct_gun(slug: str):
    """Correct the gun time: every elapsed time shifts, every watcher takes a fresh snapshot."""
    body = parse_body(GunIn, json_body(), time_window=instant_window())

    def change():
        race = race_service.find_race(db.session, slug)
        gun.correct_gun(
            db.session,
            race,
            at=body.at,
            reason=body.reason,
            actor=g.caller.name,
            now=utc_now(),
        )
        return race_view(race)

    return jsonify(write(change, actor=g.actor))
