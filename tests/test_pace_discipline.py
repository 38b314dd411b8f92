"""Pace discipline: each segment against the schedule's pace, flagged beyond a tolerance."""

from __future__ import annotations

import pytest

from racekit import KIPCHOGE, set_up_vienna
from tracker.domain.course import CheckpointMark, Course
from tracker.domain.pace_discipline import drifts
from tracker.domain.projection import Passing

VIENNA = Course(42195.0, 7200.0)


@pytest.mark.parametrize(
    ("passings", "tolerance", "expected"),
    [
        # 5 km in 14:10 against 14:13.2 on schedule: 0.6 s/km fast, inside a second.
        ([Passing("5K", 5000, 850)], 1.0, [("5K", -0.6, False)]),
        # The same, held to half a second: outside.
        ([Passing("5K", 5000, 850)], 0.5, [("5K", -0.6, True)]),
        # A slow 10K segment (15:00 for 5 km): 9.4 s/km slow.
        (
            [Passing("5K", 5000, 850), Passing("10K", 10000, 1750)],
            1.0,
            [("5K", -0.6, False), ("10K", 9.4, True)],
        ),
        # Vienna's finishing kick.
        (
            [Passing("40K", 40000, 6816), Passing("FINISH", 42195, 7180.2)],
            1.0,
            [("40K", -0.2, False), ("FINISH", -4.7, True)],
        ),
    ],
    ids=["inside", "held tighter", "slow segment", "finishing kick"],
)
def test_each_segment_against_the_schedule(passings, tolerance, expected):
    found = [
        (d.checkpoint, round(d.drift_s_per_km, 1), d.outside)
        for d in drifts(VIENNA, passings, tolerance)
    ]
    assert found == expected


def test_a_plan_with_its_own_half_way_target_sets_each_segments_pace():
    plan = Course(42195.0, 7200.0, (CheckpointMark("HALF", 21097.5, 3630.0),))
    (first,) = drifts(plan, [Passing("HALF", 21097.5, 3630.0)], 1.0)
    assert first.drift_s_per_km == pytest.approx(0.0) and not first.outside


def test_the_race_sets_its_tolerance_and_every_athlete_carries_the_drift(client, auth):
    set_up_vienna(client, auth)
    for checkpoint, elapsed in KIPCHOGE:
        response = client.post(
            "/api/races/vienna/splits",
            json={"bib": "1", "checkpoint": checkpoint, "elapsed_s": elapsed},
            headers=auth["official"],
        )
        assert response.status_code == 201, response.json
    athlete = client.get("/api/races/vienna/athletes/1").json
    outside = [d["checkpoint"] for d in athlete["pace_drift"] if d["outside"]]
    assert outside == ["HALF", "FINISH"]  # the approximate half-way (unmarked here), the kick
    assert client.get("/api/races/vienna").json["race"]["pace_tolerance_s_per_km"] == 1.0


@pytest.mark.parametrize("tolerance", [0, -1, 61, "1"])
def test_a_bad_tolerance_is_refused(client, auth, tolerance):
    response = client.post(
        "/api/races",
        json={"slug": "bad", "name": "Bad", "pace_tolerance_s_per_km": tolerance},
        headers=auth["admin"],
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "pace_tolerance_s_per_km"
    assert client.get("/api/races/bad").status_code == 404
