"""Split routes: enter a checkpoint time, correct it, void it, read its history."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from ..db import db, utc_now
from ..domain.race_clock import SplitTime
from ..domain.roles import OFFICIALS, SPLIT_ENTRY
from ..schemas import CorrectionIn, RevertIn, SplitIn, VoidIn, parse_body
from ..services import races as race_service
from ..services import rescoring, split_requests
from ..services import splits as split_service
from ..services.snapshots import athlete_snapshot, split_view
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import instant_window, json_body


def split_reply(race, outcome, created_status: int = 200):
    """The split and the athlete's projection after the change."""
    athlete = athlete_snapshot(db.session, race, outcome.split.athlete)
    flags = {split["id"]: split["flags"] for split in athlete["splits"]}
    view = split_view(race, outcome.split)
    view["flags"] = flags.get(view["id"], [])
    body = {"split": view, "changed": outcome.changed, "projection": athlete["projection"]}
    return jsonify(body), created_status if outcome.changed else 200


@bp.post("/races/<slug>/splits")
@require_role(*SPLIT_ENTRY)
def post_split(slug: str):
    """Enter a split; the same client id again returns the same split and creates nothing."""
    body = parse_body(SplitIn, json_body(), time_window=instant_window())
    source = "mat" if g.caller.role == "timing" else "manual"

    def change():
        race = race_service.find_race(db.session, slug)
        outcome = split_requests.record_split(
            db.session,
            race,
            bib=body.bib,
            checkpoint_code=body.checkpoint,
            given=SplitTime(time=body.time, elapsed_s=body.elapsed_s),
            source=source,
            entered_by=g.caller.name,
            now=utc_now(),
            client_id=body.id,
            approximate=body.approximate,
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race, outcome

    race, outcome = write(change, actor=g.actor)
    return split_reply(race, outcome, created_status=201)


@bp.patch("/races/<slug>/splits/<split_id>")
@require_role(*OFFICIALS)
def correct_split(slug: str, split_id: str):
    """Correct a split's time; the old value stays in its history with the reason."""
    body = parse_body(CorrectionIn, json_body(), time_window=instant_window())

    def change():
        race = race_service.find_race(db.session, slug)
        split = split_service.find_split(db.session, race, split_id)
        outcome = split_service.correct_split(
            db.session,
            race,
            split,
            given=SplitTime(time=body.time, elapsed_s=body.elapsed_s),
            reason=body.reason,
            actor=g.caller.name,
            now=utc_now(),
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race, outcome

    return split_reply(*write(change, actor=g.actor))


@bp.delete("/races/<slug>/splits/<split_id>")
@require_role(*OFFICIALS)
def void_split(slug: str, split_id: str):
    """Void a split with a reason (in the JSON body or the `reason` query parameter)."""
    data = json_body(optional=True)
    if not data and "reason" in request.args:
        data = {"reason": request.args["reason"]}
    body = parse_body(VoidIn, data)

    def change():
        race = race_service.find_race(db.session, slug)
        split = split_service.find_split(db.session, race, split_id)
        outcome = split_service.void_split(
            db.session, race, split, reason=body.reason, actor=g.caller.name, now=utc_now()
        )
        return race, outcome

    return split_reply(*write(change, actor=g.actor))


@bp.post("/races/<slug>/splits/<split_id>/revert")
@require_role(*OFFICIALS)
def revert_split(slug: str, split_id: str):
    """Withdraw an official's correction or void: the mats govern the checkpoint again."""
    body = parse_body(RevertIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        split = split_service.find_split(db.session, race, split_id)
        outcome = rescoring.revert_split(
            db.session,
            race,
            split,
            reason=body.reason,
            actor=g.caller.name,
            now=utc_now(),
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )
        return race, outcome

    return split_reply(*write(change, actor=g.actor))


@bp.get("/races/<slug>/splits/<split_id>")
def get_split(slug: str, split_id: str):
    """A split with its whole history: who entered, corrected or voided it, when and why."""
    race = race_service.find_race(db.session, slug)
    split = split_service.find_split(db.session, race, split_id)
    view = split_view(race, split)
    view["history"] = [
        {
            "version": revision.version,
            "action": revision.action,
            "elapsed_s_before": _ms_to_s(revision.elapsed_ms_before),
            "elapsed_s_after": _ms_to_s(revision.elapsed_ms_after),
            "actor": revision.actor,
            "reason": revision.reason,
            "at": revision.at.isoformat(),
        }
        for revision in split.revisions
    ]
    return jsonify(view)


def _ms_to_s(value: int | None) -> float | None:
    return None if value is None else value / 1000
