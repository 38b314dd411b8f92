"""A pacing plan checked before it becomes a ghost: written times, CSV rows, the rules."""

from __future__ import annotations

import pytest

from tracker.domain.ghost_plans import csv_plan, duration_s, plan_refusal, plan_run
from tracker.domain.reference_runs import seconds_behind
from tracker.domain.refusals import Refusal

MARATHON = 42195.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:25:40", 5140.0),
        ("14:20", 860.0),
        ("850", 850.0),
        ("1:59:40.2", 7180.2),
        (" 2:01:09 ", 7269.0),
        ("1:75:00", None),
        ("14:60", None),
        ("-5:00", None),
        ("", None),
        ("2h01", None),
    ],
)
def test_a_written_time_reads_as_seconds_or_not_at_all(text, seconds):
    assert duration_s(text) == seconds


@pytest.mark.parametrize(
    ("splits", "finish_s", "code", "field"),
    [
        ([(5000, 860), (10000, 1720)], 7260, None, None),
        ([], 7260, None, None),
        ([(10000, 1720), (5000, 860)], 7260, "non_monotonic", "splits.1.distance_m"),
        ([(5000, 860), (5000, 870)], 7260, "non_monotonic", "splits.1.distance_m"),
        ([(5000, 860), (10000, 860)], 7260, "non_monotonic", "splits.1.elapsed_s"),
        ([(5000, 860)], 860, "non_monotonic", "finish_s"),
        ([(0, 0)], 7260, "plan_beyond_course", "splits.0.distance_m"),
        ([(MARATHON, 7000)], 7260, "plan_beyond_course", "splits.0.distance_m"),
        ([(5000, 700)], 7260, "implausible_pace", "splits.0.elapsed_s"),
        ([(5000, 860)], 60000, "implausible_pace", "finish_s"),
        # One stretch too fast between two plausible ones is found where it is.
        (
            [(5000, 860), (10000, 1200), (15000, 2580)],
            7260,
            "implausible_pace",
            "splits.1.elapsed_s",
        ),
    ],
)
def test_a_plan_is_refused_where_it_breaks_a_rule(splits, finish_s, code, field):
    refusal = plan_refusal(MARATHON, finish_s, splits)
    if code is None:
        assert refusal is None
    else:
        assert (refusal.code, refusal.field) == (code, field)


def test_a_csv_file_ends_at_the_finish_and_names_its_first_bad_row():
    assert csv_plan("distance,elapsed\n5000,14:20\n\n42195,2:01:00\n", MARATHON) == {
        "finish_s": 7260.0,
        "splits": [{"distance_m": 5000.0, "elapsed_s": 860.0}],
    }
    with pytest.raises(Refusal) as short:
        csv_plan("5000,14:20\n40000,1:54:40\n", MARATHON)
    assert short.value.code == "plan_without_finish"
    with pytest.raises(Refusal) as bad:
        csv_plan("5000,14:20\n10000,fast\n42195,2:01:00\n", MARATHON)
    assert (bad.value.code, bad.value.field) == ("invalid_csv", "row 2")


def test_an_uploaded_plan_gaps_like_a_published_run():
    run = plan_run("even", "Even", 7260.0, [(5000.0, 860.0)], distance_m=MARATHON, source="x")
    assert run.track()[-1] == (7260.0, MARATHON)
    assert seconds_behind(run, 5000.0, 850.0) == -10.0
