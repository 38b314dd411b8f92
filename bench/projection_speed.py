"""Projection speed: loading the default finish model, microseconds per projection after a
split, and recomputing a whole 40,000-runner race (pure Python, one core).

Times are CPU seconds of this process (`time.process_time`): on a machine shared with
other work, wall time measures the neighbours; the wall time of the whole race is printed
beside it.

    .venv/bin/python bench/projection_speed.py
"""

from __future__ import annotations

import json
import random
import statistics
import time
from importlib import resources

from tracker.domain.finish_model import FinishModel
from tracker.domain.projection import Passing, project
from tracker.modelling.evaluation import results_course
from tracker.modelling.results_file import CHECKPOINTS

RUNNERS = 40_000


def athlete(rng: random.Random, up_to: str) -> list[Passing]:
    pace, elapsed, covered, passings = rng.uniform(170, 420), 0.0, 0.0, []
    for _, code, km in CHECKPOINTS:
        elapsed += (km - covered) * pace * rng.uniform(0.97, 1.06)
        covered = km
        passings.append(Passing(code, km * 1000, elapsed))
        if code == up_to:
            return passings
    return passings


def measure(runners: int = RUNNERS) -> dict:
    """Model load, µs per projection at four checkpoints, and a whole race of `runners`."""
    text = resources.files("tracker.data").joinpath("default_finish_model.json").read_text()
    loads = []
    for _ in range(20):
        started = time.perf_counter()
        model = FinishModel.from_json(json.loads(text))
        loads.append(time.perf_counter() - started)
    course = results_course(10_800)
    rng = random.Random(1)
    per_checkpoint = {}
    for code in ("10K", "HALF", "30K", "40K"):
        field = [athlete(rng, code) for _ in range(2_000)]
        started = time.process_time()
        for passings in field:
            project(course, passings, model=model)
        per_checkpoint[code] = (time.process_time() - started) / len(field) * 1e6
    race = [athlete(rng, rng.choice(("10K", "HALF", "30K", "40K"))) for _ in range(runners)]
    started, wall = time.process_time(), time.perf_counter()
    for passings in race:
        project(course, passings, model=model)
    whole_race_s = time.process_time() - started
    whole_race_wall_s = time.perf_counter() - wall
    return {
        "model_load_ms": round(statistics.median(loads) * 1000, 2),
        "us_per_projection": {k: round(v, 1) for k, v in per_checkpoint.items()},
        "whole_race_runners": runners,
        "whole_race_s": round(whole_race_s, 2),
        "whole_race_wall_s": round(whole_race_wall_s, 2),
    }


if __name__ == "__main__":
    print(json.dumps(measure()))
