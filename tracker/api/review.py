"""The officials' review: the queue of what needs a human, confirming a flagged split, and
the raw-read views per athlete and per mat. Officials only; every write audited."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from ..db import db, utc_now
from ..domain.overdue import OVERDUE_AFTER_S
from ..domain.refusals import Refusal
from ..domain.roles import OFFICIALS
from ..schemas import ConfirmIn, parse_body
from ..services import races as race_service
from ..services import read_conflicts, review, split_flags
from ..services import splits as split_service
from ..services.read_views import athlete_reads, mat_reads
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import json_body
from .paging import paging
from .splits import split_reply

# The most the overdue threshold may be: a day.
MOST_OVERDUE_AFTER_S = 86_400


def _kinds() -> tuple[str, ...]:
    """`?kind=a,b` as known kinds in the queue's order, all of them by default."""
    raw = request.args.get("kind")
    if not raw:
        return review.KINDS
    asked = set(raw.split(","))
    if not asked <= set(review.KINDS):
        raise Refusal(
            "validation_error",
            f"kind is a comma-separated list of {', '.join(review.KINDS)}.",
            errors=[{"field": "kind", "code": "invalid", "detail": ", ".join(review.KINDS)}],
        )
    return tuple(kind for kind in review.KINDS if kind in asked)


def _overdue_after_s() -> float:
    """`?overdue_after_s=`: seconds past the expected time before an athlete is listed."""
    raw = request.args.get("overdue_after_s", str(int(OVERDUE_AFTER_S)))
    if not raw.isdigit() or not 0 <= int(raw) <= MOST_OVERDUE_AFTER_S:
        raise Refusal(
            "validation_error",
            f"overdue_after_s is a whole number of seconds from 0 to {MOST_OVERDUE_AFTER_S}.",
            errors=[{"field": "overdue_after_s", "code": "out_of_range", "detail": "0 to 86400"}],
        )
    return float(raw)


@bp.get("/races/<slug>/review")
@require_role(*OFFICIALS)
def get_review(slug: str):
    """What needs an official: overdue athletes, flagged splits, conflicting entries,
    read-key conflicts and unknown chips (`?kind=`, `?overdue_after_s=`), paged across
    kinds."""
    kinds, after_s = _kinds(), _overdue_after_s()
    offset, limit = paging(50, 500)
    race = race_service.find_race(db.session, slug)
    queue = review.review_queue(
        db.session,
        race,
        now=utc_now(),
        kinds=kinds,
        overdue_after_s=after_s,
        offset=offset,
        limit=limit,
    )
    return jsonify(queue)


@bp.post("/races/<slug>/splits/<split_id>/confirm")
@require_role(*OFFICIALS)
def confirm_split(slug: str, split_id: str):
    """Confirm a flagged split as run: it counts in paces and the projection from now on."""
    body = parse_body(ConfirmIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        split = split_service.find_split(db.session, race, split_id)
        outcome = split_service.confirm_split(
            db.session,
            race,
            split,
            reason=body.reason,
            actor=g.caller.name,
            now=utc_now(),
            flag=split_flags.flag_now(db.session, split),
        )
        return race, outcome

    return split_reply(*write(change, actor=g.actor))


@bp.post("/races/<slug>/read-conflicts/<conflict_id>/accept", defaults={"resolution": "accept"})
@bp.post("/races/<slug>/read-conflicts/<conflict_id>/dismiss", defaults={"resolution": "dismiss"})
@require_role(*OFFICIALS)
def resolve_read_conflict(slug: str, conflict_id: str, resolution: str):
    """Score a read-key conflict's read under a key of its own, or dismiss it (audited)."""
    body = parse_body(ConfirmIn, json_body())

    def change():
        race = race_service.find_race(db.session, slug)
        conflict = read_conflicts.find_conflict(db.session, race, conflict_id)
        return read_conflicts.resolve_conflict(
            db.session,
            race,
            conflict,
            resolution=resolution,
            reason=body.reason,
            actor=g.caller.name,
            now=utc_now(),
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )

    outcome = write(change, actor=g.actor)
    read = outcome.read
    return jsonify(
        {
            "conflict": read_conflicts.conflict_view(outcome.conflict),
            "changed": outcome.changed,
            "read": None
            if read is None
            else {"key": read.key, "status": read.status, "reason": read.reason, "bib": read.bib},
        }
    )


@bp.get("/races/<slug>/athletes/<bib>/reads")
@require_role(*OFFICIALS)
def get_athlete_reads(slug: str, bib: str):
    """Every stored read of an athlete's chips, with what the scorer made of each."""
    race = race_service.find_race(db.session, slug)
    athlete = race_service.find_athlete(db.session, race, bib)
    return jsonify(athlete_reads(db.session, race, athlete))


@bp.get("/races/<slug>/mats/<mat>/reads")
@require_role(*OFFICIALS)
def get_mat_reads(slug: str, mat: str):
    """One mat's reads, latest first, paged, each with the bib wearing the chip."""
    offset, limit = paging(100, 1000)
    race = race_service.find_race(db.session, slug)
    return jsonify(mat_reads(db.session, race, mat, offset=offset, limit=limit))
