"""Pacer rotations: which group is pacing, what a group going in or out means, and the
plan against what happened.

One group paces at a time: a group going in relieves the group that was pacing, at the
same point (Vienna 2019 changed its groups of seven on the run). A group going out leaves
the athlete alone until the next group goes in.

>>> log = [Rotation("A", IN, 0.0, 0.0, "official")]
>>> pacing_now(log)
'A'
>>> [(r.group, r.action) for r in official_rotation(log, "B", IN, 5000.0, 850.0)]
[('A', 'out'), ('B', 'in')]
"""

from __future__ import annotations

from dataclasses import dataclass

from .refusals import Refusal

IN, OUT = "in", "out"
# A changeover mat matches a planned handover at its distance, give or take this.
SAME_PLACE_M = 1.0


@dataclass(frozen=True)
class Rotation:
    """A group going in or out: where (metres), when (seconds from the gun), who said so."""

    group: str
    action: str
    distance_m: float
    elapsed_s: float
    source: str


@dataclass(frozen=True)
class Stint:
    """The plan: a group goes in at `in_m` and hands over at `out_m`."""

    group: str
    in_m: float
    out_m: float
    illustrative: bool = False


@dataclass(frozen=True)
class PlanRow:
    """One stint as planned beside what happened (None: not yet, or not planned)."""

    group: str
    planned_in_m: float | None
    planned_out_m: float | None
    in_m: float | None
    in_s: float | None
    out_m: float | None
    out_s: float | None
    illustrative: bool = False


def pacing_now(rotations: list[Rotation]) -> str | None:
    """The group pacing after these rotations (in the order they were recorded).

    >>> went = [Rotation("A", IN, 0, 0, "official"), Rotation("A", OUT, 41000, 6970, "chip")]
    >>> pacing_now(went) is None
    True
    """
    current = None
    for rotation in rotations:
        if rotation.action == IN:
            current = rotation.group
        elif rotation.group == current:
            current = None
    return current


def _handover(current: str | None, group: str, at_m: float, at_s: float, source: str):
    relieved = [Rotation(current, OUT, at_m, at_s, source)] if current else []
    return [*relieved, Rotation(group, IN, at_m, at_s, source)]


def official_rotation(
    rotations: list[Rotation], group: str, action: str, distance_m: float, elapsed_s: float
) -> list[Rotation] | Refusal:
    """What an official's "group in" or "group out" records, or why it cannot be.

    >>> official_rotation([], "A", OUT, 100.0, 20.0).code
    'group_not_pacing'
    """
    current = pacing_now(rotations)
    if rotations and (elapsed_s < rotations[-1].elapsed_s or distance_m < rotations[-1].distance_m):
        last = rotations[-1]
        return Refusal(
            "rotation_out_of_order",
            f"Group {last.group} went {last.action} later on the course"
            f" ({last.distance_m:g} m, {last.elapsed_s:g} s from the gun); a rotation"
            " cannot go before it.",
        )
    if action == IN:
        if current == group:
            return Refusal("group_already_pacing", f"Group {group} is pacing already.")
        return _handover(current, group, distance_m, elapsed_s, "official")
    if current != group:
        return Refusal(
            "group_not_pacing",
            f"Group {group} is not pacing"
            + (f" (group {current} is)." if current else " (no group is)."),
        )
    return [Rotation(group, OUT, distance_m, elapsed_s, "official")]


def chip_rotation(
    rotations: list[Rotation],
    stints: list[Stint],
    group: str,
    distance_m: float,
    elapsed_s: float,
    source: str,
) -> list[Rotation]:
    """What a pacer's time at a mat records: their group goes in where the plan hands over
    to it at this mat and it is not pacing yet; anything else records nothing (a pacer of
    the group already pacing, a late read, a group the plan has elsewhere).

    >>> plan = [Stint("A", 0, 5000), Stint("B", 5000, 10000)]
    >>> log = [Rotation("A", IN, 0, 0, "official")]
    >>> [(r.group, r.action) for r in chip_rotation(log, plan, "B", 5000, 849, "chip")]
    [('A', 'out'), ('B', 'in')]
    >>> chip_rotation(log, plan, "B", 10000, 1699, "chip")
    []
    """
    if pacing_now(rotations) == group:
        return []
    if rotations and elapsed_s < rotations[-1].elapsed_s:
        return []
    planned_here = any(s.group == group and abs(s.in_m - distance_m) < SAME_PLACE_M for s in stints)
    gone_in_here = any(
        r.group == group and r.action == IN and abs(r.distance_m - distance_m) < SAME_PLACE_M
        for r in rotations
    )
    if not planned_here or gone_in_here:
        return []
    return _handover(pacing_now(rotations), group, distance_m, elapsed_s, source)


def plan_against_actual(stints: list[Stint], rotations: list[Rotation]) -> list[PlanRow]:
    """Each planned stint beside the group's matching time in front (its n-th stint with
    its n-th going in), then any stint run that was not planned, in course order.

    >>> rows = plan_against_actual(
    ...     [Stint("A", 0, 5000), Stint("B", 5000, 10000)],
    ...     [Rotation("A", IN, 0, 0, "official"), Rotation("A", OUT, 5000, 850, "chip"),
    ...      Rotation("B", IN, 5000, 850, "chip")])
    >>> [(r.group, r.in_m, r.out_m) for r in rows]
    [('A', 0, 5000), ('B', 5000, None)]
    """
    run: dict[str, list[tuple]] = {}
    for index, rotation in enumerate(rotations):
        if rotation.action != IN:
            continue
        out = next(
            (
                later
                for later in rotations[index + 1 :]
                if later.group == rotation.group and later.action == OUT
            ),
            None,
        )
        run.setdefault(rotation.group, []).append((rotation, out))
    rows = []
    for stint in sorted(stints, key=lambda s: (s.in_m, s.group)):
        done = run.get(stint.group, [])
        went_in, went_out = done.pop(0) if done else (None, None)
        rows.append(_row(stint.group, stint, went_in, went_out))
    for group, left in run.items():
        rows.extend(_row(group, None, went_in, went_out) for went_in, went_out in left)
    return sorted(rows, key=_course_order)


def _row(group, stint, went_in, went_out) -> PlanRow:
    return PlanRow(
        group=group,
        planned_in_m=stint.in_m if stint else None,
        planned_out_m=stint.out_m if stint else None,
        in_m=went_in.distance_m if went_in else None,
        in_s=went_in.elapsed_s if went_in else None,
        out_m=went_out.distance_m if went_out else None,
        out_s=went_out.elapsed_s if went_out else None,
        illustrative=stint.illustrative if stint else False,
    )


def _course_order(row: PlanRow) -> tuple:
    where = row.planned_in_m if row.planned_in_m is not None else row.in_m
    return (where, row.group)
