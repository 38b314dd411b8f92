"""An official's pacing plan (or a reference run the tracker does not ship), checked before
it becomes a ghost: times read from text, the splits in order, inside the course, at a pace
somebody could run.
"""

from __future__ import annotations

import csv
import io
import re

from .projection import Passing
from .reference_runs import ReferenceRun
from .refusals import Refusal
from .split_checks import IMPLAUSIBLE_PACE, flag_splits

# "1:25:40", "14:10", "850", "1:59:40.2": hours and minutes optional.
_DURATION = re.compile(r"^(?:(\d{1,2}):)??(?:(\d{1,3}):)?(\d{1,5}(?:\.\d+)?)$")
# A finish row may sit a metre off the race's distance (42195 against 42195.0).
FINISH_TOLERANCE_M = 1.0


def duration_s(text: str) -> float | None:
    """Seconds in a written time, or None when it is not one.

    >>> duration_s("1:25:40"), duration_s("14:10"), duration_s("850.5"), duration_s("1:75:00")
    (5140.0, 850.0, 850.5, None)
    """
    match = _DURATION.match(text.strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    if (hours or minutes) and float(seconds) >= 60 or (hours and int(minutes or 0) >= 60):
        return None
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)


def read_plan_csv(text: str) -> list[tuple[float, float]]:
    """Rows of `distance,elapsed` (metres, a written time; a header row is allowed) as
    (distance m, elapsed s), or a Refusal naming the first bad row.

    >>> read_plan_csv("distance,elapsed\\n5000,14:10\\n42195,1:59:40.2\\n")
    [(5000.0, 850.0), (42195.0, 7180.2)]
    """
    rows: list[tuple[float, float]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower().startswith("distance"):
            continue
        field = f"row {number}"
        if len(cells) != 2:
            raise Refusal(
                "invalid_csv", f"Row {number} needs two cells: distance,elapsed.", field=field
            )
        try:
            distance = float(cells[0])
        except ValueError:
            distance = None
        elapsed = duration_s(cells[1])
        if distance is None or distance != distance or elapsed is None:
            raise Refusal(
                "invalid_csv",
                f"Row {number} should read like 30000,1:25:40 (metres, then the time).",
                field=field,
            )
        rows.append((distance, elapsed))
    if not rows:
        raise Refusal("invalid_csv", "The file has no rows of distance,elapsed.")
    return rows


def finish_and_splits(
    rows: list[tuple[float, float]], race_distance_m: float
) -> tuple[float, list[tuple[float, float]]]:
    """A file's rows as the finish time and the splits before it: the last row is the
    finish, at the race's distance (a Refusal otherwise).

    >>> finish_and_splits([(5000.0, 850.0), (42195.0, 7180.2)], 42195.0)
    (7180.2, [(5000.0, 850.0)])
    """
    last_m, last_s = rows[-1]
    if abs(last_m - race_distance_m) > FINISH_TOLERANCE_M:
        raise Refusal(
            "plan_without_finish",
            f"The last row is at {last_m:g} m: end the plan with the finish,"
            f" {race_distance_m:g} m, and its time.",
        )
    return last_s, rows[:-1]


def csv_plan(text: str, race_distance_m: float) -> dict:
    """A CSV file's plan in the shape of a JSON upload (without its name).

    >>> csv_plan("5000,14:10\\n42195,1:59:40.2", 42195.0)
    {'finish_s': 7180.2, 'splits': [{'distance_m': 5000.0, 'elapsed_s': 850.0}]}
    """
    finish_s, splits = finish_and_splits(read_plan_csv(text), race_distance_m)
    return {"finish_s": finish_s, "splits": [{"distance_m": d, "elapsed_s": t} for d, t in splits]}


def plan_refusal(
    race_distance_m: float, finish_s: float, splits: list[tuple[float, float]]
) -> Refusal | None:
    """Why a plan cannot be a ghost over this course, or None: splits strictly inside the
    course in order of distance, each later than the one before, the finish last, and every
    stretch at a plausible pace (domain.split_checks).

    >>> plan_refusal(42195.0, 7200.0, [(5000.0, 853.0), (10000.0, 1700.0)]) is None
    True
    >>> plan_refusal(42195.0, 7200.0, [(5000.0, 853.0), (10000.0, 900.0)]).code
    'implausible_pace'
    """
    before_m, before_s = 0.0, 0.0
    for index, (distance_m, elapsed_s) in enumerate(splits):
        field = f"splits.{index}"
        if not 0 < distance_m < race_distance_m:
            return Refusal(
                "plan_beyond_course",
                f"A split at {distance_m:g} m is not inside the course (0 to"
                f" {race_distance_m:g} m, the finish given as finish_s).",
                field=f"{field}.distance_m",
            )
        if distance_m <= before_m:
            return Refusal(
                "non_monotonic",
                f"The split at {distance_m:g} m comes after one at {before_m:g} m: list them"
                " in order of distance, each once.",
                field=f"{field}.distance_m",
            )
        if elapsed_s <= before_s:
            return Refusal(
                "non_monotonic",
                f"The time at {distance_m:g} m is not later than the one before it.",
                field=f"{field}.elapsed_s",
            )
        before_m, before_s = distance_m, elapsed_s
    if finish_s <= before_s:
        return Refusal(
            "non_monotonic", "The finish time is not later than the last split.", field="finish_s"
        )
    points = [*splits, (race_distance_m, finish_s)]
    passings = [Passing(str(index), d, t) for index, (d, t) in enumerate(points)]
    for code, flag in flag_splits(passings).items():
        if flag == IMPLAUSIBLE_PACE:
            index = int(code)
            field = "finish_s" if index == len(splits) else f"splits.{index}.elapsed_s"
            return Refusal(
                "implausible_pace",
                f"Reaching {points[index][0]:g} m at {points[index][1]:g} s means a pace nobody"
                " runs (faster than 2:30/km or slower than 20:00/km).",
                field=field,
            )
    return None


def plan_run(
    key: str,
    name: str,
    finish_s: float,
    splits: list[tuple[float, float]],
    *,
    distance_m: float,
    source: str,
) -> ReferenceRun:
    """A checked plan as a reference run over the race's distance."""
    points = tuple((float(d), float(t)) for d, t in splits) + ((distance_m, finish_s),)
    return ReferenceRun(key, name, finish_s, source, points)
