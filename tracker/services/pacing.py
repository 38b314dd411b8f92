"""Pacer groups and their rotations: the groups and plan an organiser sets, a group in or
out recorded by an official or by a pacer's chip at a changeover mat, and the race's
pacing state for every page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import pacer_rotations as rules
from ..domain.race_clock import SplitTime
from ..domain.refusals import Refusal
from ..models import Athlete, PacerGroup, PacerRotation, PacerStint, Race, Split
from . import audit, live_events
from . import splits as split_service  # a module: splits calls back here for pacers
from .races import find_athlete


@dataclass(frozen=True)
class RotationOutcome:
    """What a rotation request recorded (a retry: what the first one did, unchanged)."""

    rotations: list[PacerRotation]
    changed: bool


def find_group(race: Race, code: str) -> PacerGroup:
    """The race's pacer group with this code, or a Refusal naming the `group` field."""
    for group in race.pacer_groups:
        if group.code == code:
            return group
    raise Refusal("unknown_pacer_group", f"The race has no pacer group {code}.", field="group")


def set_group(
    session: Session,
    race: Race,
    *,
    code: str,
    name: str | None,
    members: list[str],
    plan: list[tuple[float, float, bool]],
) -> PacerGroup:
    """Make the group these pacers and this plan (a pacer in another group moves here)."""
    pacers = [find_athlete(session, race, bib, field="members") for bib in dict.fromkeys(members)]
    for pacer in pacers:
        if pacer.role != "pacer":
            raise Refusal(
                "not_a_pacer", f"Bib {pacer.bib} is an athlete, not a pacer.", field="members"
            )
    for _, out_m, _ in plan:
        if out_m > race.distance_m:
            raise Refusal(
                "validation_error",
                f"A stint ends at {out_m:g} m, beyond the finish ({race.distance_m:g} m).",
                field="plan",
            )
    group = next((g for g in race.pacer_groups if g.code == code), None)
    before = _group_record(group) if group else None
    if group is None:
        group = PacerGroup(code=code, name=name or f"Group {code}")
        race.pacer_groups.append(group)
    elif name:
        group.name = name
    group.stints = [
        PacerStint(in_m=in_m, out_m=out_m, illustrative=illustrative)
        for in_m, out_m, illustrative in sorted(plan)
    ]
    session.flush()
    for athlete in session.scalars(select(Athlete).where(Athlete.pacer_group_id == group.id)):
        athlete.pacer_group_id = None
    for pacer in pacers:
        pacer.pacer_group_id = group.id
    session.flush()
    session.expire(group, ["members"])
    audit.record(
        session, "pacer_group.set", race=race, subject=code, before=before,
        after=_group_record(group),
    )  # fmt: skip
    live_events.race_changed(session, race, "pacer_groups_set")
    return group


def _group_record(group: PacerGroup) -> dict:
    return {
        "name": group.name,
        "members": [a.bib for a in group.members],
        "plan": [[s.in_m, s.out_m, s.illustrative] for s in group.stints],
    }


def _standing(race: Race) -> list[PacerRotation]:
    """The rotations that stand, in race order: by time, then as recorded (a corrected
    pacer's split moves its rotation; the rules read the log in the order things happened)."""
    return sorted(
        (r for r in race.pacer_rotations if r.withdrawn_at is None),
        key=lambda r: (r.elapsed_ms, r.id),
    )


def _log(race: Race) -> list[rules.Rotation]:
    return [
        rules.Rotation(r.group.code, r.action, r.distance_m, r.elapsed_ms / 1000, r.source)
        for r in _standing(race)
    ]


def _plan(race: Race) -> list[rules.Stint]:
    return [
        rules.Stint(g.code, s.in_m, s.out_m, s.illustrative)
        for g in race.pacer_groups
        for s in g.stints
    ]


def _store(
    session: Session,
    race: Race,
    decided: list[rules.Rotation],
    *,
    entered_by: str,
    now: datetime,
    key: str | None,
    split: Split | None = None,
) -> list[PacerRotation]:
    """Add the decided rotations, audited, and announce the new pacing once."""
    stored = []
    for rotation in decided:
        row = PacerRotation(
            group=find_group(race, rotation.group),
            action=rotation.action,
            distance_m=rotation.distance_m,
            elapsed_ms=round(rotation.elapsed_s * 1000),
            source=rotation.source,
            entered_by=entered_by,
            # The request's key sits on the rotation it asked for, the last one.
            idempotency_key=key if rotation is decided[-1] else None,
            received_at=now,
            split_id=split.id if split is not None else None,
        )
        race.pacer_rotations.append(row)
        stored.append(row)
        audit.record(
            session,
            f"pacer_rotation.{rotation.action}",
            race=race,
            subject=rotation.group,
            after={
                "distance_m": rotation.distance_m,
                "elapsed_s": rotation.elapsed_s,
                "source": rotation.source,
                "by": entered_by,
            },
        )
    session.flush()  # their ids, for the reply
    live_events.race_changed_later(session, race, "pacer_rotation")
    return stored


def record_rotation(
    session: Session,
    race: Race,
    *,
    group_code: str,
    action: str,
    checkpoint_code: str | None,
    distance_m: float | None,
    given: SplitTime,
    entered_by: str,
    now: datetime,
    client_id: uuid.UUID | None = None,
    future_tolerance_s: float = 5.0,
) -> RotationOutcome:
    """An official's "group in" or "group out", at a checkpoint or a distance, recorded
    once however often the request is repeated with its id."""
    group = find_group(race, group_code)
    if checkpoint_code is not None:
        distance_m = split_service.find_checkpoint(race, checkpoint_code).distance_m
    if distance_m is None or distance_m > race.distance_m:
        raise Refusal(
            "validation_error",
            f"Give a checkpoint or a distance on the course (0–{race.distance_m:g} m).",
            field="distance_m",
        )
    elapsed_ms = split_service.elapsed_ms_of(session, race, given, now, future_tolerance_s)
    key = str(client_id) if client_id else None
    if key is not None:
        earlier = session.scalar(select(PacerRotation).where(PacerRotation.idempotency_key == key))
        if earlier is not None:
            if not _same(earlier, race, group, action, distance_m, elapsed_ms):
                raise Refusal(
                    "idempotency_conflict",
                    "This id was used for a different rotation; send a new id.",
                    existing_id=earlier.id,
                )
            return RotationOutcome([earlier], changed=False)
    decided = rules.official_rotation(_log(race), group.code, action, distance_m, elapsed_ms / 1000)
    if isinstance(decided, Refusal):
        raise decided
    stored = _store(session, race, decided, entered_by=entered_by, now=now, key=key)
    return RotationOutcome(stored, changed=True)


def _same(earlier, race, group, action, distance_m, elapsed_ms) -> bool:
    return (
        earlier.race_id == race.id
        and earlier.group_id == group.id
        and earlier.action == action
        and earlier.distance_m == distance_m
        and earlier.elapsed_ms == elapsed_ms
    )


def pacer_passed(session: Session, race: Race, athlete: Athlete, split: Split) -> None:
    """A pacer's time at a mat: their group goes in if the plan hands over to it here
    (`rules.chip_rotation`); a chip read says so as `chip`, a typed time as `split`."""
    if athlete.pacer_group_id is None:
        return
    group = next(g for g in race.pacer_groups if g.id == athlete.pacer_group_id)
    decided = rules.chip_rotation(
        _log(race),
        _plan(race),
        group.code,
        split.checkpoint.distance_m,
        split.elapsed_ms / 1000,
        "chip" if split.source == "mat" else "split",
    )
    if decided:
        _store(
            session,
            race,
            decided,
            entered_by=split.entered_by,
            now=split.received_at,
            key=None,
            split=split,
        )


def pacer_split_changed(session: Session, race: Race, split: Split) -> None:
    """A pacer's split was corrected, voided or restored: the rotations it put in follow
    it (moved to its new time, withdrawn while it is voided, back when it is restored),
    each change audited."""
    followers = [r for r in race.pacer_rotations if r.split_id == split.id]
    changed = False
    for rotation in followers:
        before = {
            "elapsed_s": rotation.elapsed_ms / 1000,
            "withdrawn": rotation.withdrawn_at is not None,
        }
        if split.voided_at is not None:
            rotation.withdrawn_at = rotation.withdrawn_at or split.voided_at
        else:
            rotation.withdrawn_at = None
            rotation.elapsed_ms = split.elapsed_ms
        after = {
            "elapsed_s": rotation.elapsed_ms / 1000,
            "withdrawn": rotation.withdrawn_at is not None,
        }
        if after == before:
            continue
        changed = True
        withdrawn, was = after["withdrawn"], before["withdrawn"]
        action = "withdraw" if withdrawn else ("restore" if was else "move")
        audit.record(
            session,
            f"pacer_rotation.{action}",
            race=race,
            subject=rotation.group.code,
            before=before,
            after={**after, "action": rotation.action, "split": str(split.id)},
        )
    if changed:
        live_events.race_changed_later(session, race, "pacer_rotation")


def pacing_view(race: Race) -> dict:
    """The race's pacing: the groups, who is in front now, the plan against what
    happened, and every rotation (empty lists for a race without pacer groups)."""
    if not race.pacer_groups:
        return {"groups": [], "now": None, "plan": [], "rotations": []}
    log = _log(race)
    return {
        "groups": [
            {
                "code": g.code,
                "name": g.name,
                "members": [{"bib": a.bib, "name": a.name} for a in _by_bib(g.members)],
            }
            for g in race.pacer_groups
        ],
        "now": rules.pacing_now(log),
        "plan": [
            {
                "group": row.group,
                "planned_in_m": row.planned_in_m,
                "planned_out_m": row.planned_out_m,
                "in_m": row.in_m,
                "in_s": row.in_s,
                "out_m": row.out_m,
                "out_s": row.out_s,
                "illustrative": row.illustrative,
            }
            for row in rules.plan_against_actual(_plan(race), log)
        ],
        "rotations": [rotation_view(r) for r in _standing(race)],
    }


def _by_bib(athletes: list[Athlete]) -> list[Athlete]:
    """Bibs in their natural order: P2 before P11."""
    return sorted(athletes, key=lambda a: (len(a.bib), a.bib))


def rotation_view(rotation: PacerRotation) -> dict:
    """One rotation as the API and the live state show it."""
    return {
        "id": rotation.id,
        "group": rotation.group.code,
        "action": rotation.action,
        "distance_m": rotation.distance_m,
        "elapsed_s": rotation.elapsed_ms / 1000,
        "source": rotation.source,
        "entered_by": rotation.entered_by,
    }
