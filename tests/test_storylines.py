"""Storylines for the board: the projection's trend, the fastest segment, the schedule side."""

from __future__ import annotations

import pytest

from tracker.domain.course import Course
from tracker.domain.projection import Passing, project
from tracker.domain.storylines import storylines

VIENNA = Course(42195.0, 7200.0)


def at(*splits):
    return [Passing(code, km * 1000.0, t) for code, km, t in splits]


@pytest.mark.parametrize(
    ("splits", "expected"),
    [
        # One split: nothing has changed yet.
        (at(("5K", 5, 850)), []),
        # Ahead at 5K, behind at 10K: the first time behind.
        (at(("5K", 5, 850), ("10K", 10, 1710)), ["behind the schedule for the first time"]),
        # Behind at 10K, ahead at 15K and behind again at 20K: since 10K.
        (
            at(("5K", 5, 860), ("10K", 10, 1700), ("15K", 15, 2600)),
            ["behind the schedule for the first time since 5K"],
        ),
        # The third 5 km the fastest yet (14:00), and back ahead of the schedule.
        (
            at(("5K", 5, 855), ("10K", 10, 1715), ("15K", 15, 2555)),
            ["fastest segment so far (2:48/km)", "ahead of the schedule for the first time"],
        ),
    ],
    ids=["one split", "first time behind", "behind again", "fastest and ahead again"],
)
def test_storylines_at_the_last_mat(splits, expected):
    found = storylines(VIENNA, splits, project(VIENNA, splits), None)
    assert found == expected


@pytest.mark.parametrize(
    ("thirty_k", "expected"),
    [
        # Vienna: 1:59:48.3 at 25K, 1:59:48.6 at 30K: 0.3 s slower shows as 1 s slipped.
        (5111, "projection slipped 1 s since 25K"),
        (5130, "projection slipped 28 s since 25K"),
        (5090, "projection improved 29 s since 25K"),
    ],
)
def test_the_projections_trend_since_the_mat_before_rounds_toward_slower(thirty_k, expected):
    splits = at(("25K", 25, 4259), ("30K", 30, thirty_k))
    lines = storylines(VIENNA, splits, project(VIENNA, splits), project(VIENNA, splits[:1]))
    assert lines[0] == expected
