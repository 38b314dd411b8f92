"""Finish-time models behind `project` (../shared/docs/PROJECTION.md).

(A little over 250 lines: the three estimates, their blend and the model's JSON form share
one quantile table and read best together; the regression inputs live in `pace_shape`.)

Three estimates of an athlete's finish, each a distribution (a table of quantiles of the
log finish time), blended by how fast the athlete runs:

* **fitted**: per checkpoint, a median (least-absolute-deviation) regression of
  ln(finish / average-pace finish) on the athlete's pace shape, with out-of-year residual
  quantiles by pace band. Fitted on past marathons, where amateurs fade.
* **elite**: the average-pace finish, with a normal band from pacing physics: the pace of the
  distance left may differ from the average so far (a negative split, a late fade), plus a
  small stride-to-stride wander. Models fitted on amateurs project elites minutes too slow.
* **baseline**: the average-pace finish with the spread average-pace projections showed in
  the training data, for courses the fitted model does not know (another distance).

Pure and stdlib-only; the pace-shape features live in `pace_shape`.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from statistics import NormalDist
from typing import NamedTuple

from .pace_shape import elapsed_on_grid, pace_features

MARATHON_KM = 42.195
# Levels of the quantile tables: finer in the tails so the chance of a target is smooth.
LEVELS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
BAND_LOW, BAND_HIGH = 0.1, 0.9
_MEDIAN, _LOW, _HIGH = LEVELS.index(0.5), LEVELS.index(BAND_LOW), LEVELS.index(BAND_HIGH)
# Marathon average pace (s/km) at or under which an athlete is treated as elite (about
# 2:06:30), and at or over which the fitted model alone applies (about 2:17); between the two
# the estimates are blended. Other distances scale these by Riegel's exponent.
ELITE_PACE_S_PER_KM = 180.0
MASS_PACE_S_PER_KM = 195.0
RIEGEL_EXPONENT = 1.06
# A model's checkpoint serves an athlete this far past it (metres; mats are not exact).
CHECKPOINT_TOLERANCE_KM = 0.1

_Z = tuple(NormalDist().inv_cdf(level) for level in LEVELS)

# The wander of even-pace projections in record races (../shared/data/elite_splits.csv):
# about 0.11 % of the finish per square-root kilometre still to run.
DEFAULT_ELITE_SIGMA_PER_SQRT_KM = 0.0011
# Pacing physics: a well-paced elite's pace still drifts (a negative split, a late fade), each
# kilometre's change adding to the last. With changes of spread k per km the pace over the L km
# left differs from the average so far by k·√(L/3), so the finish by k·√(L³/3) ÷ course km.
# k is the spread of the change between consecutive whole 5 km splits (÷ √5) of the record
# races of ../shared/data/elite_splits.csv: 0.80 % per km (`fitting.elite_drift`).
DEFAULT_ELITE_PACE_DRIFT_PER_KM = 0.0080


@dataclass(frozen=True)
class CheckpointFit:
    """The fitted model at one distance: regression coefficients, and residual quantiles
    (ln actual − ln predicted at LEVELS) for each average-pace band."""

    distance_km: float
    coefficients: tuple[float, ...]
    pace_edges: tuple[float, ...]  # s/km; band i holds paces below edge i (the last: above)
    quantiles: tuple[tuple[float, ...], ...]

    def residual_quantiles(self, pace: float) -> tuple[float, ...]:
        return self.quantiles[bisect.bisect_right(self.pace_edges, pace)]


@dataclass(frozen=True)
class FinishModel:
    """A fitted marathon model, plus the spreads used where it does not apply."""

    distance_km: float
    checkpoints: tuple[CheckpointFit, ...]
    # ln(actual / average-pace finish) quantiles at each fitted checkpoint, for other courses.
    baseline: tuple[CheckpointFit, ...]
    elite_sigma_per_sqrt_km: float
    source: str = ""
    # Spread of an elite's change of pace per km, drifting over the distance left (_elite).
    elite_pace_drift_per_km: float = DEFAULT_ELITE_PACE_DRIFT_PER_KM

    @cached_property
    def fit_distances_km(self) -> tuple[float, ...]:
        """The fitted checkpoints' distances, in order, for a binary search."""
        return tuple(fit.distance_km for fit in self.checkpoints)

    def to_json(self) -> dict:
        def fit_json(fit: CheckpointFit) -> dict:
            return {
                "distance_km": fit.distance_km,
                "coefficients": list(fit.coefficients),
                "pace_edges": list(fit.pace_edges),
                "quantiles": [list(row) for row in fit.quantiles],
            }

        return {
            "distance_km": self.distance_km,
            "levels": list(LEVELS),
            "checkpoints": [fit_json(fit) for fit in self.checkpoints],
            "baseline": [fit_json(fit) for fit in self.baseline],
            "elite_sigma_per_sqrt_km": self.elite_sigma_per_sqrt_km,
            "elite_pace_drift_per_km": self.elite_pace_drift_per_km,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict) -> FinishModel:
        if tuple(data["levels"]) != LEVELS:
            raise ValueError("the model's quantile levels are not this version's")

        def fit_from(item: dict) -> CheckpointFit:
            return CheckpointFit(
                distance_km=item["distance_km"],
                coefficients=tuple(item["coefficients"]),
                pace_edges=tuple(item["pace_edges"]),
                quantiles=tuple(tuple(row) for row in item["quantiles"]),
            )

        return cls(
            distance_km=data["distance_km"],
            checkpoints=tuple(fit_from(item) for item in data["checkpoints"]),
            baseline=tuple(fit_from(item) for item in data["baseline"]),
            elite_sigma_per_sqrt_km=data["elite_sigma_per_sqrt_km"],
            source=data.get("source", ""),
            elite_pace_drift_per_km=data.get(
                "elite_pace_drift_per_km", DEFAULT_ELITE_PACE_DRIFT_PER_KM
            ),
        )


class FinishEstimate(NamedTuple):
    """A projected finish as a distribution: ln(finish seconds) at LEVELS (a named tuple,
    like the projection: one is built per projection)."""

    log_quantiles: tuple[float, ...]
    method: str  # fitted | elite | blend | baseline

    @property
    def median_s(self) -> float:
        return math.exp(self.log_quantiles[_MEDIAN])

    @property
    def low_s(self) -> float:
        return math.exp(self.log_quantiles[_LOW])

    @property
    def high_s(self) -> float:
        return math.exp(self.log_quantiles[_HIGH])

    def probability_under(self, target_s: float) -> float:
        """The chance of finishing under `target_s`, read off the quantile table (linear in
        between, and at most 1 % / 99 % beyond its ends)."""
        x = math.log(target_s)
        table = self.log_quantiles
        if x <= table[0]:
            return LEVELS[0] * max(0.0, 1 - (table[0] - x) / max(table[-1] - table[0], 1e-9))
        if x >= table[-1]:
            return 1 - (1 - LEVELS[-1]) * max(
                0.0, 1 - (x - table[-1]) / max(table[-1] - table[0], 1e-9)
            )
        i = bisect.bisect_right(table, x)
        x0, x1 = table[i - 1], table[i]
        share = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
        return LEVELS[i - 1] + share * (LEVELS[i] - LEVELS[i - 1])


def estimate_finish(
    model: FinishModel | None,
    course_km: float,
    passings: Sequence[tuple[float, float]],
) -> FinishEstimate:
    """The finish distribution for an athlete with `passings` ((km, seconds from their own
    start), distance order, not finished) on a course of `course_km`.

    Kipchoge at 30 km in Vienna is elite: even pace, a band of about ±56 s:

    >>> vienna = estimate_finish(None, 42.195, [(30.0, 5111.0)])
    >>> vienna.method, round(vienna.median_s, 1), round(vienna.low_s), round(vienna.high_s)
    ('elite', 7188.6, 7133, 7244)

    Without a fitted model an amateur gets average pace with a wide band:

    >>> estimate_finish(None, 42.195, [(30.0, 10800.0)]).method
    'baseline'
    """
    at_km, elapsed = passings[-1]
    average = elapsed / at_km
    remaining_km = course_km - at_km
    log_even = math.log(elapsed * course_km / at_km)
    scale = (course_km / MARATHON_KM) ** (RIEGEL_EXPONENT - 1)
    weight = _elite_weight(average / scale)
    if weight == 1.0:
        return FinishEstimate(_elite(model, log_even, remaining_km, course_km), "elite")
    fitted = _fitted(model, course_km, passings) if model else None
    if fitted is not None and weight == 0.0:
        return FinishEstimate(fitted, "fitted")
    elite = _elite(model, log_even, remaining_km, course_km)
    if fitted is None:
        baseline = _baseline(model, course_km, at_km, log_even)
        return FinishEstimate(_mix(elite, baseline, weight), "baseline")
    return FinishEstimate(_mix(elite, fitted, weight), "blend")


def average_pace_estimate(
    model: FinishModel | None, course_km: float, at_km: float, elapsed_s: float
) -> FinishEstimate:
    """Average pace with the spread average-pace projections had in the model's training
    data: the yardstick's own 80 % range, which `flask projection evaluate` scores beside the
    tracker's."""
    log_even = math.log(elapsed_s * course_km / at_km)
    return FinishEstimate(_baseline(model, course_km, at_km, log_even), "baseline")


def _elite_weight(marathon_pace: float) -> float:
    """1 at elite pace, 0 at mass pace, linear in between."""
    span = MASS_PACE_S_PER_KM - ELITE_PACE_S_PER_KM
    return min(1.0, max(0.0, (MASS_PACE_S_PER_KM - marathon_pace) / span))


def _mix(a: tuple[float, ...], b: tuple[float, ...], weight_a: float) -> tuple[float, ...]:
    """Quantile averaging: each level a weighted mean of the two tables' values."""
    return tuple(weight_a * x + (1 - weight_a) * y for x, y in zip(a, b, strict=True))


def _elite(
    model: FinishModel | None, log_even: float, remaining_km: float, course_km: float
) -> tuple[float, ...]:
    """Average pace, with a spread of ln(finish) of √((k·√(L³/3) ÷ course km)² + w²·L) for
    L km left: k the pace's drift per km, w the stride-to-stride wander per √km.

    Kipchoge at half-way in Vienna (59:50), 21.1 km left: the drift gives 0.80 % × 55.9 ÷ 42.2
    = 1.06 % and the wander 0.11 % × 4.6 = 0.50 %; the 80 % range is ±1.5 %, about ±108 s.
    """
    wander = model.elite_sigma_per_sqrt_km if model else DEFAULT_ELITE_SIGMA_PER_SQRT_KM
    drift = model.elite_pace_drift_per_km if model else DEFAULT_ELITE_PACE_DRIFT_PER_KM
    remaining_km = max(remaining_km, 0.0)
    sigma = math.hypot(
        drift * math.sqrt(remaining_km**3 / 3) / course_km, wander * math.sqrt(remaining_km)
    )
    return tuple(log_even + z * sigma for z in _Z)


def _fitted(
    model: FinishModel, course_km: float, passings: Sequence[tuple[float, float]]
) -> tuple[float, ...] | None:
    """The fitted model's table, from its last checkpoint the athlete has passed; None where
    it does not apply (another distance, or before its first checkpoint)."""
    if abs(course_km - model.distance_km) > CHECKPOINT_TOLERANCE_KM:
        return None
    at_km, elapsed = passings[-1]
    index = bisect.bisect_right(model.fit_distances_km, at_km + CHECKPOINT_TOLERANCE_KM)
    if index == 0:
        return None
    fit = model.checkpoints[index - 1]
    if at_km < fit.distance_km:  # a few metres short of the fitted mat: read as that mat
        passings = [*passings[:-1], (fit.distance_km, elapsed)]
    grid = elapsed_on_grid(passings, fit.distance_km)
    features = pace_features(fit.distance_km, grid)
    log_ratio = sum(map(operator.mul, fit.coefficients, features))
    finish_at_fit = grid[-1] * model.distance_km / fit.distance_km * math.exp(log_ratio)
    # Past the fitted mat, run the predicted remaining pace from the newest split.
    remaining_pace = (finish_at_fit - grid[-1]) / (model.distance_km - fit.distance_km)
    finish = elapsed + remaining_pace * (course_km - at_km)
    log_finish = math.log(finish)
    return tuple([log_finish + q for q in fit.residual_quantiles(grid[-1] / fit.distance_km)])


def _baseline(
    model: FinishModel | None, course_km: float, at_km: float, log_even: float
) -> tuple[float, ...]:
    """Average pace, with the spread average-pace projections had at the same share of a
    marathon (or the elite spread, widened tenfold, without any model)."""
    if model is None or not model.baseline:
        sigma = DEFAULT_ELITE_SIGMA_PER_SQRT_KM * 10 * math.sqrt(max(course_km - at_km, 0.0))
        return tuple(log_even + z * sigma for z in _Z)
    share_km = at_km / course_km * model.distance_km
    fit = min(model.baseline, key=lambda item: abs(item.distance_km - share_km))
    spread = fit.quantiles[0]
    median = spread[_MEDIAN]
    # Centred on average pace: the baseline does not pretend to know the fade.
    return tuple(log_even + q - median for q in spread)
