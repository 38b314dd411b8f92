"""Scoring rules from raw reads to passings, as tables on the pure function."""

import itertools

import pytest

from tracker.domain.course import CheckpointMark, Course
from tracker.domain.scoring import (
    BACKUP,
    DUPLICATE,
    IMPLAUSIBLE,
    MANUAL_OVERRIDE,
    PRESTART,
    START,
    UNUSED_START,
    USED,
    WRONG_MAT,
    Read,
    score_athlete,
)

COURSE = Course(
    42195,
    7200,
    (CheckpointMark("5K", 5000), CheckpointMark("10K", 10000), CheckpointMark("FINISH", 42195)),
)


def statuses(scored):
    return {key: verdict.status for key, verdict in scored.verdicts.items()}


@pytest.mark.parametrize(
    ("reads", "passings", "expected"),
    [
        # Many reads of one crossing: the first governs, the rest are duplicates.
        (
            [Read("a", "5K", 850.0), Read("b", "5K", 850.4), Read("c", "5K", 853.9)],
            {"5K": "a"},
            {"a": USED, "b": DUPLICATE, "c": DUPLICATE},
        ),
        # A repeated read 10 minutes later at a single-pass checkpoint is a duplicate.
        (
            [Read("a", "5K", 850.0), Read("b", "5K", 1450.0)],
            {"5K": "a"},
            {"a": USED, "b": DUPLICATE},
        ),
        # Main governs inside the 5 s window even when the backup read came first.
        (
            [Read("b", "5K", 849.6, BACKUP), Read("m", "5K", 850.1)],
            {"5K": "m"},
            {"m": USED, "b": DUPLICATE},
        ),
        # The backup fills in when main has nothing.
        ([Read("b", "5K", 849.6, BACKUP)], {"5K": "b"}, {"b": USED}),
        # A read faster than 2:30/km since the last mat cannot be this athlete's crossing.
        (
            [Read("a", "5K", 850.0), Read("x", "10K", 1000.0), Read("b", "10K", 1700.0)],
            {"5K": "a", "10K": "b"},
            {"a": USED, "x": IMPLAUSIBLE, "b": USED},
        ),
        # A mat that is not on this course.
        ([Read("a", "12K", 2000.0)], {}, {"a": WRONG_MAT}),
        # Reads well before the gun are ignored.
        ([Read("a", "5K", -30.0)], {}, {"a": PRESTART}),
    ],
)
def test_reads_become_passings(reads, passings, expected):
    scored = score_athlete(COURSE, reads)
    assert {code: read.key for code, read in scored.passings.items()} == passings
    assert statuses(scored) == expected


def test_a_manual_split_overrides_the_mats_at_its_checkpoint_and_anchors_the_next():
    reads = [Read("a", "5K", 850.0), Read("b", "10K", 1700.0)]
    scored = score_athlete(COURSE, reads, manual={"5K": 851.0})
    assert {code: read.key for code, read in scored.passings.items()} == {"10K": "b"}
    assert statuses(scored) == {"a": MANUAL_OVERRIDE, "b": USED}


def test_the_result_does_not_depend_on_arrival_order():
    reads = [
        Read("a", "5K", 850.0),
        Read("b", "5K", 851.0, BACKUP),
        Read("c", "10K", 1700.2),
        Read("d", "10K", 1699.9, BACKUP),
        Read("e", "10K", 1000.0),
        Read("f", "FINISH", 7180.2),
    ]
    results = {
        (
            tuple(sorted((c, r.key) for c, r in score_athlete(COURSE, order).passings.items())),
            tuple(sorted(statuses(score_athlete(COURSE, order)).items())),
        )
        for order in itertools.islice(itertools.permutations(reads), 0, 720, 7)
    }
    assert len(results) == 1


@pytest.mark.parametrize(
    ("reads", "start_s", "expected"),
    [
        # No start read: chip time falls back to the gun.
        ([Read("f", "5K", 900.0)], None, {"f": USED}),
        # The last start-mat read in the window is the athlete's own start.
        (
            [Read("s1", START, 41.0), Read("s2", START, 43.5), Read("f", "5K", 900.0)],
            43.5,
            {"s1": UNUSED_START, "s2": USED, "f": USED},
        ),
        # A read in the 6 s before the gun counts as the gun ("round up for start").
        ([Read("s", START, -4.0)], 0.0, {"s": USED}),
        # Before that it is a pre-start read; after the 10-minute window it is not a start.
        (
            [Read("p", START, -30.0), Read("late", START, 900.0)],
            None,
            {"p": PRESTART, "late": UNUSED_START},
        ),
    ],
)
def test_the_start_mat_gives_each_athlete_their_own_start(reads, start_s, expected):
    scored = score_athlete(COURSE, reads)
    assert scored.start_s == start_s
    assert statuses(scored) == expected


def test_the_minimum_segment_time_counts_from_the_athletes_own_start():
    # Started 5 minutes after the gun: a 5K read at 12:00 from the gun is 7 min for 5 km,
    # faster than 2:30/km and so not this athlete's crossing.
    reads = [Read("s", START, 300.0), Read("x", "5K", 720.0), Read("f", "5K", 1200.0)]
    scored = score_athlete(COURSE, reads)
    assert {code: read.key for code, read in scored.passings.items()} == {"5K": "f"}
    assert statuses(scored)["x"] == IMPLAUSIBLE
