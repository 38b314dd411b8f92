"""Athlete routes for a big field: an official's status and target, and search."""

from __future__ import annotations

from flask import g, jsonify

from ..db import db
from ..domain.roles import OFFICIALS
from ..schemas import AthletePatchIn, parse_body
from ..services import athlete_status
from ..services import races as race_service
from ..services.search import PAGE_LIMIT, search_athletes
from ..services.snapshots import athlete_snapshot, athlete_views
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import json_body
from .paging import paging, text_arg


@bp.get("/races/<slug>/athletes")
def find_athletes(slug: str):
    """Athletes by bib or the start of any word of their name (`?q=`), paged, by bib."""
    race = race_service.find_race(db.session, slug)
    query = text_arg("q") or ""
    offset, limit = paging(20, PAGE_LIMIT)
    total, athletes = search_athletes(db.session, race, query, offset=offset, limit=limit)
    return jsonify(
        {
            "q": query,
            "total": total,
            "offset": offset,
            "limit": limit,
            "athletes": athlete_views(db.session, race, athletes, with_places=True),
        }
    )


@bp.patch("/races/<slug>/athletes/<bib>")
@require_role(*OFFICIALS)
def change_athlete(slug: str, bib: str):
    """An official's word: `{status, reason}` (dns, dnf, dq; or withdrawn) and/or the own
    `{target_s, plan}`."""
    body = parse_body(AthletePatchIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        athlete = race_service.find_athlete(db.session, race, bib)
        if body.status is not None:
            athlete_status.set_status(
                db.session, race, athlete, status=body.status, reason=body.reason
            )
        given = body.model_fields_set
        if {"target_s", "plan"} & given:
            # What is not given stays; a plan is checked against the target it runs to.
            target_s = body.target_s if "target_s" in given else athlete.target_s
            plan = body.plan if "plan" in given else athlete.plan
            athlete_status.set_target(db.session, race, athlete, target_s=target_s, plan=plan)
        return race, athlete

    race, athlete = write(change, actor=g.actor)
    return jsonify(athlete_snapshot(db.session, race, athlete))
