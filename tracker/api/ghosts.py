"""Ghosts: the published reference runs and the plans officials upload, as JSON or CSV."""

from __future__ import annotations

import re

from flask import g, jsonify, request

from ..db import db
from ..domain.ghost_plans import csv_plan
from ..domain.refusals import Refusal
from ..domain.roles import OFFICIALS
from ..schemas import PlanIn, parse_body
from ..services import ghosts
from ..services import races as race_service
from ..services.attempt_views import ghost_view, ghosts_of
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import json_body

# A ghost's key sits in URLs and in browsers' storage: a slug, like a race's.
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@bp.get("/races/<slug>/ghosts")
def list_ghosts(slug: str):
    """Every ghost of the race: the published reference runs, then the uploaded plans."""
    race = race_service.find_race(db.session, slug)
    return jsonify({"ghosts": [ghost_view(run, uploaded) for run, uploaded in ghosts_of(race)]})


def _plan_body(distance_m: float) -> PlanIn:
    """The plan in the request: JSON (name, finish_s, splits), or a CSV file of
    distance,elapsed rows ending at the finish, its name in `?name=`."""
    if request.mimetype != "text/csv":
        return parse_body(PlanIn, json_body())
    try:
        text = request.get_data(cache=True).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Refusal("invalid_string", "The file is not valid UTF-8.") from error
    data = csv_plan(text, distance_m)
    if "name" in request.args:
        data["name"] = request.args["name"]
    return parse_body(PlanIn, data)


@bp.put("/races/<slug>/ghosts/<key>")
@require_role(*OFFICIALS)
def put_ghost(slug: str, key: str):
    """Upload a plan as a ghost under `key` (201), or replace it (200); the same plan again
    changes nothing (200)."""
    if not KEY.match(key):
        raise Refusal(
            "validation_error",
            "A ghost's key is 1-64 lower-case letters, digits and dashes.",
            field="key",
        )
    race = race_service.find_race(db.session, slug)
    body = _plan_body(race.distance_m)

    def change():
        race = race_service.find_race(db.session, slug)
        plan, outcome = ghosts.put_plan(
            db.session, race, key, name=body.name, finish_s=body.finish_s, splits=body.points()
        )
        run = next(run for run, uploaded in ghosts_of(race) if uploaded and run.key == plan.key)
        return {"outcome": outcome, "ghost": ghost_view(run, True)}

    result = write(change, actor=g.actor)
    return jsonify(result), 201 if result["outcome"] == "created" else 200


@bp.delete("/races/<slug>/ghosts/<key>")
@require_role(*OFFICIALS)
def delete_ghost(slug: str, key: str):
    """Remove an uploaded ghost (the published runs stay)."""

    def change():
        race = race_service.find_race(db.session, slug)
        ghosts.remove_plan(db.session, race, key)
        return {"removed": key}

    return jsonify(write(change, actor=g.actor))
