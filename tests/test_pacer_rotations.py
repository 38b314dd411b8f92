"""The pure rules of pacer rotations (tracker.domain.pacer_rotations)."""

from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.pacer_rotations import (
    IN,
    OUT,
    Rotation,
    Stint,
    chip_rotation,
    official_rotation,
    pacing_now,
    plan_against_actual,
)
from tracker.domain.refusals import Refusal

PLAN = [Stint("A", 0, 5000), Stint("B", 5000, 10000), Stint("A", 10000, 15000)]
A_IN = Rotation("A", IN, 0, 0, "official")


def test_a_pacer_of_the_group_already_in_front_records_nothing():
    assert chip_rotation([A_IN], PLAN, "A", 10000, 1700, "chip") == []


def test_a_late_read_does_not_rewrite_what_happened_after_it():
    log = [A_IN, Rotation("A", OUT, 5000, 850, "chip"), Rotation("B", IN, 5000, 850, "chip")]
    assert chip_rotation(log, PLAN, "A", 5000, 849, "chip") == []


def test_a_group_goes_in_again_at_its_second_planned_stint_and_the_plan_pairs_them_in_order():
    log = [A_IN, *chip_rotation([A_IN], PLAN, "B", 5000, 850, "chip")]
    log += chip_rotation(log, PLAN, "A", 10000, 1700, "chip")
    assert pacing_now(log) == "A"
    rows = plan_against_actual(PLAN, log)
    assert [(r.group, r.planned_in_m, r.in_m, r.out_m) for r in rows] == [
        ("A", 0, 0, 5000),
        ("B", 5000, 5000, 10000),
        ("A", 10000, 10000, None),
    ]


def test_a_stint_run_without_a_plan_shows_as_a_row_without_one():
    rows = plan_against_actual([], [A_IN])
    assert [(r.group, r.planned_in_m, r.in_m) for r in rows] == [("A", None, 0)]


def test_a_rotation_before_the_last_one_is_refused():
    log = [A_IN, Rotation("A", OUT, 5000, 850, "official")]
    refusal = official_rotation(log, "B", IN, 4000, 700)
    assert isinstance(refusal, Refusal) and refusal.code == "rotation_out_of_order"


steps = st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from([IN, OUT])), max_size=20)


@given(steps)
def test_at_most_one_group_paces_and_it_is_the_last_one_to_go_in_unless_it_went_out(steps):
    log: list[Rotation] = []
    for metres, (group, action) in enumerate(steps):
        decided = official_rotation(log, group, action, float(metres), float(metres))
        if isinstance(decided, Refusal):
            assert decided.code in ("group_already_pacing", "group_not_pacing")
            continue
        log += decided
        assert pacing_now(log) == (group if action == IN else None)
    # Every group that went in also went out, except the one in front.
    open_stints = [r for r in plan_against_actual([], log) if r.out_m is None]
    assert [r.group for r in open_stints] == ([pacing_now(log)] if pacing_now(log) else [])
