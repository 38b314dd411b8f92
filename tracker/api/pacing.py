"""Pacing routes: set a pacer group and its plan, record a group going in or out."""

from __future__ import annotations

import re

from flask import current_app, g, jsonify

from ..db import db, utc_now
from ..domain.race_clock import SplitTime
from ..domain.refusals import Refusal
from ..domain.roles import OFFICIALS, RACE_SETUP
from ..schemas import GROUP_CODE_PATTERN, PacerGroupIn, RotationIn, parse_body
from ..services import pacing
from ..services import races as race_service
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import instant_window, json_body


@bp.put("/races/<slug>/pacer-groups/<code>")
@require_role(*RACE_SETUP)
def set_pacer_group(slug: str, code: str):
    """Make a pacer group these pacers with this rotation plan (sent again: the same)."""
    body = parse_body(PacerGroupIn, json_body())
    group_code = _group_code(code)

    def change():
        race = race_service.find_race(db.session, slug)
        pacing.set_group(
            db.session,
            race,
            code=group_code,
            name=body.name,
            members=body.members,
            plan=[(stint.in_m, stint.out_m, stint.illustrative) for stint in body.plan],
        )
        return pacing.pacing_view(race)

    return jsonify(write(change, actor=g.actor))


def _group_code(code: str) -> str:
    """The group code in the path, held to the same pattern as the body's `group`."""
    if not re.fullmatch(GROUP_CODE_PATTERN, code):
        raise Refusal(
            "validation_error", "A group code is 1-32 letters, digits, - or _.", field="code"
        )
    return code


@bp.post("/races/<slug>/pacer-rotations")
@require_role(*OFFICIALS)
def post_rotation(slug: str):
    """Record a group going in (relieving the group pacing) or out; the same id again
    returns the same rotation and records nothing."""
    body = parse_body(RotationIn, json_body(), time_window=instant_window())

    def change():
        race = race_service.find_race(db.session, slug)
        outcome = pacing.record_rotation(
            db.session,
            race,
            group_code=body.group,
            action=body.action,
            checkpoint_code=body.checkpoint,
            distance_m=body.distance_m,
            given=SplitTime(time=body.time, elapsed_s=body.elapsed_s),
            entered_by=g.caller.name,
            now=utc_now(),
            client_id=body.id,
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        reply = {
            "rotations": [pacing.rotation_view(r) for r in outcome.rotations],
            "changed": outcome.changed,
            "pacing": pacing.pacing_view(race),
        }
        return reply, outcome.changed

    reply, changed = write(change, actor=g.actor)
    return jsonify(reply), 201 if changed else 200
