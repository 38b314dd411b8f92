"""The commentators' standings, pure: gaps to the leader and to the athlete ahead, and
the places moved since the mat before."""

from __future__ import annotations

import pytest

from tracker.domain.standings import Gaps, Move, gaps_at, moves


@pytest.mark.parametrize(
    ("wanted", "leader", "between", "before", "expected"),
    [
        # The leader alone: nobody ahead.
        ([1000], 1000, [1000], None, {1000: Gaps(0.0, None)}),
        # The fastest asked is not the leader: the one before it is ahead.
        ([5000], 1000, [5000], 4200, {5000: Gaps(4.0, 0.8)}),
        # Two asked with someone between them who is not asked.
        (
            [2000, 9000],
            1000,
            [2000, 3500, 9000],
            1500,
            {2000: Gaps(1.0, 0.5), 9000: Gaps(8.0, 5.5)},
        ),
        # Tied with the leader: a shared first place, nobody ahead.
        ([1000], 1000, [1000, 1000], None, {1000: Gaps(0.0, None)}),
        # Tied behind: both measured to the one before the tie.
        ([3000], 1000, [3000, 3000], 2000, {3000: Gaps(2.0, 1.0)}),
    ],
)
def test_gaps_at_a_checkpoint(wanted, leader, between, before, expected):
    assert gaps_at(wanted, leader, between, before) == expected


def test_no_gap_is_ever_negative_whatever_the_field():
    field = sorted([4100, 3900, 3900, 4000, 5200, 3800, 6100])
    for index, chip_ms in enumerate(field):
        found = gaps_at([chip_ms], field[0], field, None)[chip_ms]
        assert found.leader_s >= 0
        assert found.ahead_s is None or found.ahead_s > 0
        assert (found.ahead_s is None) == (chip_ms == field[0]), index


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ([], []),
        ([("10K", 4)], [None]),
        ([("10K", 4), ("HALF", 1)], [None, Move("10K", 3)]),
        ([("10K", 1), ("HALF", 4)], [None, Move("10K", -3)]),
        # A checkpoint without a place (a flagged time, no mat) is skipped over.
        ([("10K", 7), ("HALF", None), ("30K", 5)], [None, None, Move("10K", 2)]),
        ([("10K", None), ("HALF", 2)], [None, None]),
    ],
)
def test_places_moved_since_the_mat_before(places, expected):
    assert moves(places) == expected
