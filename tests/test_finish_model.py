"""The finish models behind project(): worked examples on the pure functions."""

import math

import pytest

from tracker.domain.course import CheckpointMark, Course
from tracker.domain.finish_model import (
    LEVELS,
    CheckpointFit,
    FinishModel,
    estimate_finish,
)
from tracker.domain.pace_shape import pace_features
from tracker.domain.projection import Passing, project

# A model whose 30 km regression says "finish 5 % slower than average pace" for everyone
# (only the intercept is set), with residual quantiles of ±2 % at the 10th/90th percentile.
SPREAD = (-0.05, -0.03, -0.02, -0.01, -0.005, -0.002, 0.0, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05)
FEATURES_AT_30K = len(pace_features(30.0, [1500.0 * k for k in range(1, 7)]))
FIVE_PERCENT_SLOWER = FinishModel(
    distance_km=42.195,
    checkpoints=(
        CheckpointFit(
            30.0,
            (math.log(1.05),) + (0.0,) * (FEATURES_AT_30K - 1),
            (240.0, 300.0, 360.0),
            (SPREAD,) * 4,
        ),
    ),
    baseline=(CheckpointFit(21.0975, (), (), (SPREAD,)),),
    elite_sigma_per_sqrt_km=0.0011,
    source="worked example",
)
MARATHON = Course(
    42195.0,
    10800.0,
    tuple(CheckpointMark(f"{km}K", km * 1000) for km in (5, 10, 15, 20, 25, 30, 35, 40)),
)


def even_splits(pace_s_per_km: float, up_to_km: int) -> list[tuple[float, float]]:
    return [(float(km), pace_s_per_km * km) for km in range(5, up_to_km + 1, 5)]


def test_the_fitted_regression_sets_the_median_and_its_residuals_the_range():
    # 30 km at 5:00/km: average pace says 3:30:58.5; the model says 5 % slower.
    estimate = estimate_finish(FIVE_PERCENT_SLOWER, 42.195, even_splits(300.0, 30))
    assert estimate.method == "fitted"
    assert estimate.median_s == pytest.approx(12658.5 * 1.05)
    assert estimate.low_s == pytest.approx(12658.5 * 1.05 * math.exp(-0.02))
    assert estimate.high_s == pytest.approx(12658.5 * 1.05 * math.exp(0.02))
    # Under the median exactly: an even chance; beyond the table's ends: 1 % or less.
    assert estimate.probability_under(estimate.median_s) == pytest.approx(0.5)
    assert estimate.probability_under(estimate.high_s) == pytest.approx(0.9)
    assert estimate.probability_under(9000.0) < 0.01


def test_past_the_fitted_mat_the_predicted_remaining_pace_runs_from_the_newest_split():
    # At 30 km the model predicts 13,291.4 s: 12.195 km at 5:38.3/km still to run. An
    # athlete at 32 km (a mat the model has no fit for) at 9,700 s runs that from there.
    at_30k = FIVE_PERCENT_SLOWER.checkpoints[0]
    assert at_30k.distance_km == 30.0
    remaining_pace = (12658.5 * 1.05 - 9000.0) / 12.195
    passings = [*even_splits(300.0, 30), (32.0, 9700.0)]
    estimate = estimate_finish(FIVE_PERCENT_SLOWER, 42.195, passings)
    assert estimate.median_s == pytest.approx(9700.0 + remaining_pace * 10.195)


def test_elites_are_projected_at_even_pace_and_fast_amateurs_get_a_blend():
    elite = estimate_finish(FIVE_PERCENT_SLOWER, 42.195, even_splits(175.0, 30))
    assert elite.method == "elite"
    assert elite.median_s == pytest.approx(175.0 * 42.195)
    # 3:07.5/km is half-way between elite (3:00) and mass (3:15) pace: each level of the
    # quantile table is the mean of the two estimates' levels.
    blend = estimate_finish(FIVE_PERCENT_SLOWER, 42.195, even_splits(187.5, 30))
    assert blend.method == "blend"
    even = 187.5 * 42.195
    assert blend.median_s == pytest.approx(math.sqrt(even * even * 1.05))


def test_before_the_first_fitted_mat_and_on_other_distances_average_pace_is_the_centre():
    before = estimate_finish(FIVE_PERCENT_SLOWER, 42.195, even_splits(300.0, 25))
    half_marathon = estimate_finish(FIVE_PERCENT_SLOWER, 21.0975, even_splits(300.0, 10))
    for estimate, finish in ((before, 12658.5), (half_marathon, 6329.25)):
        assert estimate.method == "baseline"
        assert estimate.median_s == pytest.approx(finish)
        assert estimate.low_s < finish < estimate.high_s


def test_project_carries_the_range_the_chance_and_the_method():
    passings = [Passing(f"{km:.0f}K", km * 1000, t) for km, t in even_splits(300.0, 30)]
    projection = project(MARATHON, passings, model=FIVE_PERCENT_SLOWER)
    assert projection.projected_finish_s == pytest.approx(12658.5 * 1.05)
    assert projection.projected_low_s < projection.projected_finish_s
    assert projection.projected_high_s > projection.projected_finish_s
    assert projection.method == "fitted"
    # 3:00:00 is far under a projected 3:41:31: no chance to speak of.
    assert projection.probability_under_target < 0.01


def test_a_late_starter_is_projected_from_their_own_start():
    # Crossed the start mat 10 minutes after the gun, then 5:00/km: the model sees 5:00/km.
    passings = [Passing(f"{km:.0f}K", km * 1000, 600.0 + t) for km, t in even_splits(300.0, 30)]
    projection = project(MARATHON, passings, model=FIVE_PERCENT_SLOWER, own_start_s=600.0)
    assert projection.projected_finish_s == pytest.approx(600.0 + 12658.5 * 1.05)


def test_a_finished_athlete_has_a_certain_verdict():
    passings = [Passing("FINISH", 42195.0, 10_700.0)]
    projection = project(MARATHON, passings, model=FIVE_PERCENT_SLOWER)
    assert projection.projected_low_s == projection.projected_high_s == 10_700.0
    assert projection.probability_under_target == 1.0
    assert projection.method == "finished"


def test_the_model_survives_its_json_form():
    assert FinishModel.from_json(FIVE_PERCENT_SLOWER.to_json()) == FIVE_PERCENT_SLOWER
    assert len(LEVELS) == len(SPREAD)


def test_the_elite_range_allows_for_a_negative_split_record_run():
    # Chicago 2023: half-way in 60:48 (even pace says 2:01:36), finish 2:00:35, the second
    # half 1.7 % faster. 21.1 km left: a pace drifting 0.8 % per km moves the finish by
    # 0.8 % x sqrt(21.1^3 / 3) / 42.2 = 1.06 %, the wander 0.11 % x sqrt(21.1 km) = 0.5 %;
    # together 1.17 %, so the 80 % range is even pace +-1.5 %, about +-110 s.
    estimate = estimate_finish(None, 42.195, [(21.0975, 3648.0)])
    assert estimate.method == "elite"
    assert estimate.median_s == pytest.approx(7296.0)
    left = 42.195 - 21.0975
    sigma = math.hypot(0.0080 * math.sqrt(left**3 / 3) / 42.195, 0.0011 * math.sqrt(left))
    assert estimate.high_s == pytest.approx(7296.0 * math.exp(1.2815516 * sigma), abs=0.5)
    assert estimate.low_s < 7235.0 < estimate.high_s
    # Near the line little drift is left: 40 km in Vienna, about +-15 s.
    late = estimate_finish(None, 42.195, [(40.0, 6816.0)])
    assert 25 < late.high_s - late.low_s < 35
