"""Ghosts: the published reference runs (domain.reference_runs) and the plans officials
upload for a race. An upload is put under a key: the same plan again changes nothing, a
different one replaces it; both, and removals, are audited and reach watchers live."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.ghost_plans import plan_refusal
from ..domain.reference_runs import reference_runs_for
from ..domain.refusals import Refusal
from ..models import GhostPlan, Race
from . import audit, live_events
from .transaction_notes import notes

# Watchers resync on this change: every athlete's gaps to the ghosts change with it.
GHOSTS_CHANGED = "ghosts_changed"


def find_plan(race: Race, key: str) -> GhostPlan:
    """The race's uploaded plan under this key, or a Refusal."""
    for plan in race.ghost_plans:
        if plan.key == key:
            return plan
    if any(run.key == key for run in reference_runs_for(race.distance_m)):
        raise Refusal("ghost_is_published", f"{key} is a published run; it cannot be changed.")
    raise Refusal("unknown_ghost", f"The race has no uploaded ghost {key}.")


def _stored(plan: GhostPlan) -> dict:
    return {"name": plan.name, "finish_s": plan.finish_s, "splits": plan.splits}


def put_plan(
    session: Session,
    race: Race,
    key: str,
    *,
    name: str,
    finish_s: float,
    splits: list[tuple[float, float]],
) -> tuple[GhostPlan, str]:
    """Store a plan under `key` after the domain's checks: 'created', 'replaced', or
    'unchanged' (a retry of the same plan, which writes nothing)."""
    if any(run.key == key for run in reference_runs_for(race.distance_m)):
        raise Refusal(
            "ghost_is_published",
            f"{key} is a published run; upload the plan under another key.",
        )
    refusal = plan_refusal(race.distance_m, finish_s, splits)
    if refusal is not None:
        raise refusal
    wanted = {"name": name, "finish_s": finish_s, "splits": [list(p) for p in splits]}
    existing = next((plan for plan in race.ghost_plans if plan.key == key), None)
    if existing is not None and _stored(existing) == wanted:
        return existing, "unchanged"
    uploader = (notes(session).actor.name if notes(session).actor else None) or "system"
    if existing is None:
        plan = GhostPlan(key=key, uploaded_by=uploader, uploaded_at=notes(session).now, **wanted)
        race.ghost_plans.append(plan)
        before, outcome = None, "created"
    else:
        plan, before, outcome = existing, _stored(existing), "replaced"
        plan.name, plan.finish_s, plan.splits = name, finish_s, wanted["splits"]
        plan.uploaded_by, plan.uploaded_at = uploader, notes(session).now
    session.flush()
    action = {"created": "ghost.upload", "replaced": "ghost.replace"}[outcome]
    audit.record(session, action, race=race, subject=key, before=before, after=wanted)
    live_events.race_changed(session, race, GHOSTS_CHANGED)
    return plan, outcome


def remove_plan(session: Session, race: Race, key: str) -> None:
    """Remove an uploaded plan (a published run stays)."""
    plan = find_plan(race, key)
    race.ghost_plans.remove(plan)
    session.flush()
    audit.record(session, "ghost.remove", race=race, subject=key, before=_stored(plan))
    live_events.race_changed(session, race, GHOSTS_CHANGED)
