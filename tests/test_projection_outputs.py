"""The projection gives, to the last digit that matters, what it gave before it was made fast.

`tests/fixtures/projection_outputs.json` holds the outputs of the implementation before the
speed work (issue 12) for a fixed, generated field: elites, blends, the fitted mass, own
starts, a replay clock, a 10 km course (baseline) and scheduled targets. Regenerate it only
when a change of results is intended:

    .venv/bin/python tests/test_projection_outputs.py
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from tracker.domain.course import CheckpointMark, Course
from tracker.domain.finish_model import FinishModel
from tracker.domain.projection import Passing, project
from tracker.modelling.evaluation import results_course

STORED = Path(__file__).parent / "fixtures" / "projection_outputs.json"
GUN = datetime(2026, 4, 26, 8, 0, tzinfo=UTC)
TEN_K = Course(
    10_000,
    1_800,
    (
        CheckpointMark("5K", 5_000, 880.0),
        CheckpointMark("8K", 8_000),
        CheckpointMark("FIN", 10_000),
    ),
)


def _model() -> FinishModel:
    text = resources.files("tracker.data").joinpath("default_finish_model.json").read_text()
    return FinishModel.from_json(json.loads(text))


def _passings(rng: random.Random, course: Course, pace: float, upto: int) -> list[Passing]:
    elapsed, covered, out = 0.0, 0.0, []
    for mark in course.checkpoints[:upto]:
        elapsed += (mark.distance_m - covered) / 1000 * pace * rng.uniform(0.96, 1.07)
        covered = mark.distance_m
        out.append(Passing(mark.code, mark.distance_m, round(elapsed, 3)))
    return out


def cases() -> list[dict]:
    """A fixed field of projections to make: course, passings and options of each."""
    rng = random.Random(12)
    marathon = results_course(7_200)
    out = []
    for n in range(400):
        course_name = "10k" if n % 7 == 0 else "marathon"
        course = TEN_K if course_name == "10k" else marathon
        pace = rng.choice((168.0, 176.0, 183.0, 188.0, 192.0, 199.0)) if n % 3 == 0 else None
        pace = pace or rng.uniform(200, 430)
        upto = rng.randint(0, len(course.checkpoints))
        passings = _passings(rng, course, pace, upto)
        rng.shuffle(passings)  # any order
        out.append(
            {
                "course": course_name,
                "passings": [dataclasses.astuple(p) for p in passings],
                "model": n % 5 != 0,
                "own_start_s": rng.choice((0.0, 0.0, 12.5, 240.0)),
                "gun": n % 4 == 0,
                "clock_rate": 60.0 if n % 8 == 0 else 1.0,
            }
        )
    return out


def outputs(field: list[dict]) -> list[dict]:
    """Each case's projection as JSON (instants as ISO text)."""
    model = _model()
    courses = {"10k": TEN_K, "marathon": results_course(7_200)}
    results = []
    for case in field:
        projection = project(
            courses[case["course"]],
            [Passing(*p) for p in case["passings"]],
            gun_time=GUN if case["gun"] else None,
            clock_rate=case["clock_rate"],
            model=model if case["model"] else None,
            own_start_s=case["own_start_s"],
        )
        as_dict = _fields(projection)
        as_dict["eta"] = [
            {**(eta := _fields(item)), "at": eta["at"].isoformat() if eta["at"] else None}
            for item in projection.eta
        ]
        results.append(as_dict)
    return results


def _fields(record) -> dict:
    """A projection's or an ETA's fields by name (a dataclass before the speed work, a
    named tuple after it)."""
    if dataclasses.is_dataclass(record):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return record._asdict()


def _same(now, before, path: str = "") -> None:
    if isinstance(before, dict):
        assert now.keys() == before.keys(), path
        for key in before:
            _same(now[key], before[key], f"{path}.{key}")
    elif isinstance(before, list):
        assert len(now) == len(before), path
        for i, (a, b) in enumerate(zip(now, before, strict=True)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(before, float) and isinstance(now, float):
        # Reordered arithmetic may move the last binary digit; a nanosecond is no change.
        assert math.isclose(now, before, rel_tol=1e-12, abs_tol=1e-9), (path, now, before)
    else:
        assert now == before, (path, now, before)


def test_projections_are_what_they_were_before_the_speed_work():
    stored = json.loads(STORED.read_text())
    now = outputs(cases())
    assert len(now) == len(stored) == 400
    for i, (a, b) in enumerate(zip(now, stored, strict=True)):
        _same(a, b, f"case {i}")


def test_the_stored_field_covers_every_method():
    methods = {item["method"] for item in json.loads(STORED.read_text())}
    assert methods == {None, "elite", "blend", "fitted", "baseline", "finished"}


if __name__ == "__main__":
    STORED.write_text(json.dumps(outputs(cases()), indent=0, sort_keys=True) + "\n")
    print(f"wrote {STORED}")
