"""Where the target line and the athlete's estimate are between mats (pure core)."""

from __future__ import annotations

import pytest

from tracker.domain.course import CheckpointMark, Course
from tracker.domain.projection import Passing
from tracker.domain.reference_runs import REFERENCE_RUNS, reference_runs_for, seconds_behind
from tracker.domain.target_line import along, athlete_track, line_track, metres_ahead

MATS = tuple(CheckpointMark(f"{km}K", km * 1000.0) for km in (5, 10, 15, 20, 25, 30, 35, 40))
VIENNA = Course(42195.0, 7200.0, (*MATS, CheckpointMark("FINISH", 42195.0)))
AT_5K = [Passing("5K", 5000.0, 850.0)]
AT_30K = [Passing("25K", 25000.0, 4259.0), Passing("30K", 30000.0, 5111.0)]
FINISHED = [Passing("40K", 40000.0, 6816.0), Passing("FINISH", 42195.0, 7180.2)]


@pytest.mark.parametrize(
    ("passings", "elapsed_s", "expected_m"),
    [
        # At the mat itself: the estimate is the mat.
        (AT_5K, 850.0, 0.0 + 5000.0 - 850.0 * 42195 / 7200),
        # 2:50/km after 5 km, 100 s on: 588.2 m further; the line (2:50.6/km) 586.0 m.
        (AT_5K, 950.0, 5000.0 + 100 / 0.170 - 950.0 * 42195 / 7200),
        # Vienna, 49 s after 30 km: 47.8 m ahead of the line.
        (AT_30K, 5160.0, 30000.0 + 49 / 0.1704 - 5160.0 * 42195 / 7200),
        # Overdue at 35 km: the estimate waits a metre short of the mat, the line goes on.
        (AT_30K, 6100.0, 34999.0 - 6100.0 * 42195 / 7200),
    ],
    ids=["at the mat", "between mats", "vienna at 1:26", "overdue at the next mat"],
)
def test_the_gap_to_the_line_between_mats(passings, elapsed_s, expected_m):
    assert metres_ahead(VIENNA, passings, elapsed_s) == pytest.approx(expected_m, abs=0.01)


def test_before_the_first_split_there_is_no_estimate_only_the_line():
    assert athlete_track(VIENNA, []) == ()
    assert metres_ahead(VIENNA, [], 600.0) is None
    assert along(line_track(VIENNA), 3600.0) == pytest.approx(21097.5)


def test_a_finished_athlete_stays_at_the_finish():
    assert athlete_track(VIENNA, FINISHED) == ((7180.2, 42195.0),)
    assert along(athlete_track(VIENNA, FINISHED), 9000.0) == 42195.0


def test_the_line_follows_custom_checkpoint_targets():
    # A negative-split plan: half-way in 60:30, the finish at 2:00:00.
    course = Course(42195.0, 7200.0, (CheckpointMark("HALF", 21097.5, 3630.0),))
    assert line_track(course) == ((0.0, 0.0), (3630.0, 21097.5), (7200.0, 42195.0))
    assert along(line_track(course), 3630.0) == 21097.5


@pytest.mark.parametrize("elapsed_s", [850.0, 900.0, 1200.0, 1700.0, 5000.0])
def test_the_estimate_never_reaches_the_next_mat_before_it_is_read(elapsed_s):
    assert along(athlete_track(VIENNA, AT_5K), elapsed_s) < 10000.0


@pytest.mark.parametrize(
    ("key", "distance_m", "elapsed_s", "behind_s"),
    [
        ("vienna-2019", 5000.0, 850.0, 0.0),  # himself, at the mat
        ("berlin-2018", 30000.0, 5111.0, -94.0),  # Vienna's 30 km against Berlin's 1:26:45
        ("monza-2017", 21097.5, 3590.0, -7.0),  # half-way, where Monza has a time
        ("vienna-2019", 21097.5, 3590.0, 3590.0 - (3407 + 852 * 1097.5 / 5000)),  # in between
        ("berlin-2022", 30000.0, 5111.0, -29.0),  # Vienna's 30 km against Berlin's 1:25:40
        ("chicago-2023", 21097.5, 3600.0, -48.0),  # half-way, Chicago's 1:00:48
        # Chicago has nothing at 30 km: even pace from its half to its finish.
        ("chicago-2023", 30000.0, 5111.0, 5111.0 - (3648 + 3587 * 8902.5 / 21097.5)),
    ],
)
def test_the_gap_to_a_reference_run_at_a_checkpoint(key, distance_m, elapsed_s, behind_s):
    run = next(run for run in REFERENCE_RUNS if run.key == key)
    assert seconds_behind(run, distance_m, elapsed_s) == pytest.approx(behind_s)


def test_a_ghost_moves_between_mats_like_the_line():
    berlin = next(run for run in REFERENCE_RUNS if run.key == "berlin-2018")
    assert along(berlin.track(), 864.0) == 5000.0
    assert 5000.0 < along(berlin.track(), 1000.0) < 10000.0
    assert reference_runs_for(21097.5) == ()


def test_an_approximate_half_way_time_does_not_hold_the_estimate_before_half_way():
    # 20K measured, HALF recorded but approximate (left out of the estimate): the estimate
    # runs on past half-way, a metre short of 25K, not stuck at 21,096.5 m.
    measured = [Passing("15K", 15000.0, 2554.0), Passing("20K", 20000.0, 3407.0)]
    with_half = Course(42195.0, 7200.0, (*MATS, CheckpointMark("HALF", 21097.5)))
    track = athlete_track(with_half, measured, recorded_m=21097.5)
    assert track[-1][1] == 24999.0
    assert along(track, 3700.0) > 21097.5


def test_a_wave_runners_first_segment_is_run_from_their_waves_gun():
    # Wave B's gun 600 s after the race's; 5 km at 1450 s on the race's clock is 850 s run
    # (2:50/km), so 100 s on the estimate is 588.2 m past the mat, not 5000/1450 m a second.
    track = athlete_track(VIENNA, [Passing("5K", 5000.0, 1450.0)], gun_s=600.0)
    assert along(track, 1550.0) == pytest.approx(5000.0 + 100 / 0.170, abs=0.01)
