"""Start waves: added by an admin, each gun fired and corrected by an official."""

from __future__ import annotations

from flask import current_app, g, jsonify

from ..db import db, utc_now
from ..domain.roles import OFFICIALS, RACE_SETUP
from ..schemas import GunIn, StartIn, WaveIn, parse_body
from ..services import races as race_service
from ..services import waves
from ..services.snapshots import race_view
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import instant_window, json_body


@bp.post("/races/<slug>/waves")
@require_role(*RACE_SETUP)
def add_wave(slug: str):
    """Add a start wave (its gun not yet fired)."""
    body = parse_body(WaveIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        waves.add_wave(db.session, race, code=body.code, name=body.name)
        return race_view(race)

    return jsonify(write(change, actor=g.actor)), 201


@bp.post("/races/<slug>/waves/<code>/start")
@require_role(*OFFICIALS)
def start_wave(slug: str, code: str):
    """Fire a wave's gun now, or at the given instant (after the race's gun)."""
    body = parse_body(StartIn, json_body(optional=True), time_window=instant_window())

    def change():
        race = race_service.find_race(db.session, slug)
        waves.fire_wave(
            db.session,
            race,
            waves.find_wave(race, code),
            at=body.time_or_now(utc_now()),
            now=utc_now(),
            tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race_view(race)

    return jsonify(write(change, actor=g.actor))


@bp.post("/races/<slug>/waves/<code>/gun")
@require_role(*OFFICIALS)
def correct_wave_gun(slug: str, code: str):
    """Correct a wave's gun: its athletes' gun times move (audited)."""
    body = parse_body(GunIn, json_body(), time_window=instant_window())

    def change():
        race = race_service.find_race(db.session, slug)
        waves.correct_wave_gun(
            db.session,
            race,
            waves.find_wave(race, code),
            at=body.at,
            reason=body.reason,
            now=utc_now(),
            tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race_view(race)

    return jsonify(write(change, actor=g.actor))
