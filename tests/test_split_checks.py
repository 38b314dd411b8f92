"""Flags on times no runner could have run: kept, shown, left out of the projection."""

import pytest

from tracker.domain.projection import Passing
from tracker.domain.split_checks import IMPLAUSIBLE_PACE, NON_MONOTONIC, flag_splits


@pytest.mark.parametrize(
    ("passings", "flags"),
    [
        ([Passing("5K", 5000, 850), Passing("10K", 10000, 1700)], {}),
        # 10 km in 12:30 after 5 km in 14:10: 2:30/km for the whole race is the limit.
        ([Passing("5K", 5000, 850), Passing("10K", 10000, 1000)], {"10K": IMPLAUSIBLE_PACE}),
        # 5 km in 11 minutes from the gun: faster than the world record.
        ([Passing("5K", 5000, 660)], {"5K": IMPLAUSIBLE_PACE}),
        # 5 km in 110 minutes: slower than 20:00/km.
        ([Passing("5K", 5000, 6600)], {"5K": IMPLAUSIBLE_PACE}),
        # 30 km earlier than 25 km.
        ([Passing("25K", 25000, 4259), Passing("30K", 30000, 4200)], {"30K": NON_MONOTONIC}),
    ],
)
def test_impossible_segments_are_flagged(passings, flags):
    assert flag_splits(passings) == flags


def test_one_bad_time_does_not_condemn_the_split_after_it():
    passings = [Passing("5K", 5000, 850), Passing("10K", 10000, 900), Passing("15K", 15000, 2554)]
    assert flag_splits(passings) == {"10K": IMPLAUSIBLE_PACE}
