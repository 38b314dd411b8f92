"""An official's word on an athlete: dns, dnf, dq (with a reason, in the audit log), or its
withdrawal; and the athlete's own target. Places follow at once (services.places)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.athlete_status import OFFICIAL, STATUSES, officials_word
from ..domain.pacing_plan import check_plan
from ..domain.refusals import Refusal
from ..models import Athlete, Race
from . import audit, live_events
from .courses import course_of


def set_status(
    session: Session, race: Race, athlete: Athlete, *, status: str, reason: str | None
) -> bool:
    """Set dns / dnf / dq, or withdraw it by asking for a status the timing decides
    (registered, started, finished); True when it changed. A reason is required to set one."""
    if status not in STATUSES:
        raise Refusal("validation_error", f"Unknown status {status!r}.", field="status")
    stored = officials_word(status)
    if stored in OFFICIAL and not reason:
        raise Refusal(
            "reason_required", f"Say why the athlete is {stored.upper()}.", field="reason"
        )
    if stored == athlete.status and (stored is None or reason == athlete.status_reason):
        return False
    before = {"status": athlete.status, "reason": athlete.status_reason}
    athlete.status, athlete.status_reason = stored, reason if stored else None
    audit.record(
        session,
        "athlete.status",
        race=race,
        subject=athlete.bib,
        before=before,
        after={"status": stored, "requested": status, "reason": reason},
    )
    live_events.athlete_changed(session, race, athlete, "status_changed")
    return True


def set_target(
    session: Session,
    race: Race,
    athlete: Athlete,
    *,
    target_s: float | None,
    plan: dict[str, float] | None = None,
) -> bool:
    """The athlete's own finish target (none: the race's) and pacing plan through it (none:
    even pace), checked together; True when either changed."""
    plan = plan or None
    refusal = check_plan(course_of(race), target_s, plan or {})
    if refusal is not None:
        raise refusal
    if (target_s, plan) == (athlete.target_s, athlete.plan):
        return False
    audit.record(
        session,
        "athlete.target",
        race=race,
        subject=athlete.bib,
        before={"target_s": athlete.target_s, "plan": athlete.plan},
        after={"target_s": target_s, "plan": plan},
    )
    athlete.target_s, athlete.plan = target_s, plan
    live_events.athlete_changed(session, race, athlete, "target_changed")
    return True
