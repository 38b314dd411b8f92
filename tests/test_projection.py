"""The first projection: worked examples on the pure functions."""

from datetime import UTC, datetime

import pytest

from racekit import KIPCHOGE
from tracker.domain.course import CheckpointMark, Course
from tracker.domain.pace import format_duration, format_pace, pace_s_per_km
from tracker.domain.projection import Passing, not_projected, project

MARATHON = 42195.0
VIENNA_CHECKPOINTS = tuple(
    CheckpointMark(code, distance)
    for code, distance in [
        ("5K", 5000),
        ("10K", 10000),
        ("15K", 15000),
        ("20K", 20000),
        ("HALF", 21097.5),
        ("25K", 25000),
        ("30K", 30000),
        ("35K", 35000),
        ("40K", 40000),
        ("FINISH", MARATHON),
    ]
)
VIENNA = Course(MARATHON, 7200.0, VIENNA_CHECKPOINTS)


def kipchoge_until(code: str) -> list[Passing]:
    passings = []
    for checkpoint, elapsed in KIPCHOGE:
        passings.append(Passing(checkpoint, VIENNA.checkpoint(checkpoint).distance_m, elapsed))
        if checkpoint == code:
            return passings
    raise KeyError(code)


@pytest.mark.parametrize(
    ("elapsed_s", "distance_m", "pace"),
    [(850, 5000, 170.0), (7200, MARATHON, 170.636), (3590, 21097.5, 170.162)],
)
def test_pace_is_seconds_per_kilometre(elapsed_s, distance_m, pace):
    assert pace_s_per_km(elapsed_s, distance_m) == pytest.approx(pace, abs=1e-3)


def test_five_km_in_14_10_is_2_50_per_km():
    assert format_pace(pace_s_per_km(850, 5000)) == "2:50"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (7180.2, "1:59:40.2"),
        (850, "14:10"),
        (7200, "2:00:00"),
        (-9, "-0:09"),
        # Rounded up to the tenth, as road results are: never faster than measured.
        (849.9, "14:09.9"),
        (849.91, "14:10"),
        (849.96, "14:10"),
        (59.96, "1:00"),
        (7199.94, "2:00:00"),
        (7199.96, "2:00:00"),
    ],
)
def test_durations_read_like_a_results_board(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("pace", "needed", "text"),
    [(170.0, False, "2:50"), (170.4, False, "2:51"), (170.4, True, "2:50"), (170.99, True, "2:50")],
)
def test_a_pace_run_rounds_up_and_a_pace_needed_rounds_down(pace, needed, text):
    assert format_pace(pace, needed=needed) == text


def test_the_vienna_splits_at_30_km_project_a_1_59_4x_finish():
    projection = project(VIENNA, kipchoge_until("30K"))
    assert format_duration(projection.projected_finish_s).startswith("1:59:4")
    assert projection.projected_finish_s == pytest.approx(5111 * MARATHON / 30000)
    assert projection.projected_margin_s == pytest.approx(projection.projected_finish_s - 7200)
    assert projection.projected_margin_s < 0


def test_gap_is_negative_when_ahead_of_the_even_pace_schedule():
    projection = project(VIENNA, kipchoge_until("5K"))
    # Even 2:00:00 pace reaches 5 km at 853.18 s; Kipchoge was there at 850.
    assert projection.gap_s == pytest.approx(850 - 7200 * 5000 / MARATHON)
    assert projection.gap_s < 0


def test_last_segment_pace_and_required_pace_at_35_km():
    projection = project(VIENNA, kipchoge_until("35K"))
    assert projection.last_segment_pace_s_per_km == pytest.approx((5963 - 5111) / 5)
    assert projection.pace_s_per_km == pytest.approx(5963 / 35)
    assert projection.required_pace_s_per_km == pytest.approx((7200 - 5963) / 7.195)


def test_etas_lie_on_a_straight_line_to_the_projected_finish():
    gun = datetime(2019, 10, 12, 6, 15, tzinfo=UTC)
    projection = project(VIENNA, kipchoge_until("30K"), gun_time=gun)
    assert [eta.checkpoint for eta in projection.eta] == ["35K", "40K", "FINISH"]
    finish = projection.eta[-1]
    assert finish.elapsed_s == pytest.approx(projection.projected_finish_s)
    pace = projection.pace_s_per_km
    assert projection.eta[0].elapsed_s == pytest.approx(5111 + 5 * pace)
    assert (finish.at - gun).total_seconds() == pytest.approx(finish.elapsed_s)


def test_a_replayed_race_clock_maps_etas_onto_the_wall_clock_at_its_rate():
    gun = datetime(2026, 1, 1, tzinfo=UTC)
    projection = project(VIENNA, kipchoge_until("HALF"), gun_time=gun, clock_rate=60)
    finish = projection.eta[-1]
    assert (finish.at - gun).total_seconds() == pytest.approx(finish.elapsed_s / 60)


def test_before_the_first_split_etas_follow_the_target_schedule():
    projection = project(VIENNA, [])
    assert projection.projected_finish_s is None
    assert [eta.checkpoint for eta in projection.eta][0] == "5K"
    assert projection.eta[-1].elapsed_s == pytest.approx(7200)


def test_a_finished_athlete_is_projected_at_the_actual_finish_with_nothing_ahead():
    projection = project(VIENNA, kipchoge_until("FINISH"))
    assert projection.finished
    assert projection.projected_finish_s == 7180.2
    assert projection.projected_margin_s == pytest.approx(-19.8)
    assert projection.required_pace_s_per_km is None
    assert projection.eta == ()


def test_passings_in_any_order_give_the_same_projection():
    passings = kipchoge_until("25K")
    assert project(VIENNA, list(reversed(passings))) == project(VIENNA, passings)


def test_past_the_target_time_no_pace_can_meet_it():
    slow = [Passing("40K", 40000, 7300)]
    assert project(VIENNA, slow).required_pace_s_per_km is None


def test_a_custom_target_schedule_is_followed_between_its_points():
    course = Course(
        MARATHON, 7200, (CheckpointMark("HALF", 21097.5, 3570), CheckpointMark("FINISH", MARATHON))
    )
    assert course.target_elapsed_at(21097.5) == 3570
    assert course.target_elapsed_at(10000) == pytest.approx(3570 * 10000 / 21097.5)
    second_half = (7200 - 3570) * (30000 - 21097.5) / (MARATHON - 21097.5)
    assert course.target_elapsed_at(30000) == pytest.approx(3570 + second_half)


def test_commentary_notes_read_out_the_schedule_the_projection_and_the_pace_needed():
    from tracker.domain.commentary import notes_for

    passings = kipchoge_until("30K")[-2:]
    assert notes_for(VIENNA, passings, project(VIENNA, passings)) == [
        "gained 1.1 s on schedule over the last 5 km",  # 1.18 s: a gain never looks bigger
        "on course for 1:59:49, 11 s under the target",
        "needs 2:51/km from here",
    ]
    finished = kipchoge_until("FINISH")
    assert notes_for(VIENNA, finished, project(VIENNA, finished))[-1] == (
        "finished in 1:59:40.2, 19.8 s under the target"
    )
    struggling = [Passing("35K", 35000, 6900)]
    assert (
        notes_for(VIENNA, struggling, project(VIENNA, struggling))[-1]
        == "the target is out of reach"
    )


def test_an_athlete_out_of_the_race_keeps_the_average_pace_run_from_their_waves_gun():
    # Out after 10 km at 2400 s on the race's clock, in a wave fired 600 s after it: 1800 s
    # run, 3:00/km (from the race's gun it would read 4:00/km).
    seen = [Passing("10K", 10000.0, 2400.0)]
    assert not_projected(Course(42195, 7200), seen, gun_s=600.0).pace_s_per_km == 180.0
    assert not_projected(Course(42195, 7200), seen).pace_s_per_km == 240.0
