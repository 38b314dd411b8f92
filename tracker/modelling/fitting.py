"""Fit a `FinishModel` on past finishers: median regressions per checkpoint, and residual
quantiles measured on race-years the regression was not fitted on."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..domain.finish_model import (
    DEFAULT_ELITE_PACE_DRIFT_PER_KM,
    LEVELS,
    CheckpointFit,
    FinishModel,
)
from ..domain.pace_shape import elapsed_on_grid, pace_features
from ..progress import Steps, quietly
from .results_file import CHECKPOINTS, FINISH_KM, Finisher

# Average-pace bands (s/km) with their own residual spread: 4:00, 5:00 and 6:00 min/km.
PACE_EDGES = (240.0, 300.0, 360.0)
# Below this many runners in a band its spread is taken from all paces.
MIN_BAND_RUNNERS = 200
IRLS_ROUNDS = 30
RIDGE = 1e-7  # keeps the columns that are constant at 5 km from making the system singular


def _design(finishers: Sequence[Finisher], km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, ln(finish / average-pace finish) and average pace of each runner at `km`."""
    rows, targets, paces = [], [], []
    for finisher in finishers:
        passings = [(at, elapsed) for _, at, elapsed in finisher.splits if at <= km + 1e-9]
        grid = elapsed_on_grid(passings, km)
        rows.append(pace_features(km, grid))
        targets.append(math.log(finisher.finish_s / (grid[-1] * FINISH_KM / km)))
        paces.append(grid[-1] / km)
    return np.array(rows), np.array(targets), np.array(paces)


def median_regression(features: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Least-absolute-deviation coefficients by iteratively reweighted least squares: the
    projection should be the likeliest finish's median, and fades make the errors skewed."""
    ridge = RIDGE * len(features) * np.eye(features.shape[1])
    ridge[0, 0] = 0.0
    weights = np.ones(len(features))
    for _ in range(IRLS_ROUNDS):
        weighted = features * weights[:, None]
        coefficients = np.linalg.solve(features.T @ weighted + ridge, weighted.T @ targets)
        weights = 1.0 / np.maximum(np.abs(targets - features @ coefficients), 1e-4)
    return coefficients


def _quantile_rows(residuals: np.ndarray, paces: np.ndarray) -> tuple[tuple[float, ...], ...]:
    everyone = tuple(float(q) for q in np.quantile(residuals, LEVELS))
    rows = []
    edges = (0.0, *PACE_EDGES, math.inf)
    for low, high in zip(edges, edges[1:], strict=False):
        inside = residuals[(paces >= low) & (paces < high)]
        rows.append(
            tuple(float(q) for q in np.quantile(inside, LEVELS))
            if len(inside) >= MIN_BAND_RUNNERS
            else everyone
        )
    return tuple(rows)


class FitCache:
    """Design matrices per (race-year, km) and regressions per (km, race-years fitted on),
    kept across fits: a leave-one-race-year-out evaluation fits the same subsets again
    (leaving out g then h is leaving out h then g)."""

    def __init__(self) -> None:
        self._designs: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._coefficients: dict[tuple, np.ndarray] = {}

    def design(self, name: tuple, group: Sequence[Finisher], km: float):
        if (name, km) not in self._designs:
            self._designs[name, km] = _design(group, km)
        return self._designs[name, km]

    def regression(self, km: float, names: Sequence[tuple], designs) -> np.ndarray:
        key = (km, frozenset(names))
        if key not in self._coefficients:
            self._coefficients[key] = median_regression(
                np.vstack([design[0] for design in designs]),
                np.concatenate([design[1] for design in designs]),
            )
        return self._coefficients[key]


def _groups(finishers: Sequence[Finisher]) -> dict[tuple, list[Finisher]]:
    """Finishers by race-year; with one race-year only, five interleaved folds of it."""
    groups: dict[tuple, list[Finisher]] = defaultdict(list)
    for finisher in finishers:
        groups[finisher.group].append(finisher)
    if len(groups) < 2:
        return {(*name, fold): list(finishers[fold::5]) for name in groups for fold in range(5)}
    return dict(groups)


def _out_of_group_residuals(
    km: float, designs: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]], cache: FitCache
) -> tuple[np.ndarray, np.ndarray]:
    """Residuals of each group under a regression fitted on the others: the spread a
    new race-year will show, day-to-day differences included."""
    residuals, paces = [], []
    for name, (features, targets, pace) in designs.items():
        rest = [other for other in designs if other != name]
        coefficients = cache.regression(km, rest, [designs[other] for other in rest])
        residuals.append(targets - features @ coefficients)
        paces.append(pace)
    return np.concatenate(residuals), np.concatenate(paces)


def fit_model(
    finishers: Sequence[Finisher],
    *,
    source: str,
    elite_sigma_per_sqrt_km: float,
    elite_pace_drift_per_km: float = DEFAULT_ELITE_PACE_DRIFT_PER_KM,
    cache: FitCache | None = None,
    steps: Steps = quietly,
) -> FinishModel:
    """A marathon model from finishers of one or more race-years; `steps` walks the model's
    checkpoints (each a regression and its held-out ranges)."""
    if len(finishers) < 1000:
        raise ValueError(f"{len(finishers)} complete finishers are too few to fit on (1,000+)")
    cache = cache or FitCache()
    checkpoints, baseline = [], []
    groups = _groups(finishers)
    for _, _, km in steps(CHECKPOINTS):
        designs = {name: cache.design(name, group, km) for name, group in groups.items()}
        coefficients = cache.regression(km, list(designs), list(designs.values()))
        residuals, residual_paces = _out_of_group_residuals(km, designs, cache)
        checkpoints.append(
            CheckpointFit(
                km,
                tuple(float(c) for c in coefficients),
                PACE_EDGES,
                _quantile_rows(residuals, residual_paces),
            )
        )
        # The spread of plain average pace (ln actual / average-pace finish), all paces.
        targets = np.concatenate([design[1] for design in designs.values()])
        baseline.append(
            CheckpointFit(km, (), (), (tuple(float(q) for q in np.quantile(targets, LEVELS)),))
        )
    return FinishModel(
        distance_km=FINISH_KM,
        checkpoints=tuple(checkpoints),
        baseline=tuple(baseline),
        elite_sigma_per_sqrt_km=elite_sigma_per_sqrt_km,
        source=source,
        elite_pace_drift_per_km=elite_pace_drift_per_km,
    )


def elite_spread(races: dict[str, dict[float, float]]) -> float:
    """Root-mean-square of ln(finish / average-pace finish) per square-root kilometre left,
    over record races' checkpoints from 10 km on (their even pace's honest spread)."""
    scaled = []
    for splits in races.values():
        finish = splits.get(FINISH_KM)
        if finish is None:
            continue
        for km, elapsed in splits.items():
            if 10 <= km < FINISH_KM:
                error = math.log(finish / (elapsed * FINISH_KM / km))
                scaled.append(error / math.sqrt(FINISH_KM - km))
    return math.sqrt(sum(x * x for x in scaled) / len(scaled))


def elite_drift(races: dict[str, dict[float, float]]) -> float:
    """Spread per km of a record race's change of pace: root-mean-square of ln(pace of a whole
    5 km split ÷ pace of the one before), 5–10 km to 35–40 km, over √5 (the first 5 km holds
    the start and the last 2.2 km the finishing kick)."""
    changes = []
    for splits in races.values():
        marks = [km for km in (5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0) if km in splits]
        paces = [
            (splits[b] - splits[a]) / (b - a)
            for a, b in zip(marks, marks[1:], strict=False)
            if b - a == 5.0
        ]
        changes += [math.log(b / a) for a, b in zip(paces, paces[1:], strict=False)]
    return math.sqrt(sum(x * x for x in changes) / len(changes) / 5)
