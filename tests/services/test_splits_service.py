"""Entering, correcting and voiding splits through the service, as every edge does."""

from __future__ import annotations

import uuid

import pytest

from racekit import after_gun
from tracker.domain.race_clock import SplitTime
from tracker.domain.refusals import Refusal
from tracker.services import athletes, races
from tracker.services.split_requests import record_split
from tracker.services.splits import correct_split, enter_split, find_checkpoint
from tracker.transactions import write


def record(session, race, bib="1", code="5K", elapsed=850.0, now=3600.0, **extra):
    return write(
        lambda: record_split(
            session,
            race,
            bib=bib,
            checkpoint_code=code,
            given=SplitTime(elapsed_s=elapsed),
            source="manual",
            entered_by="official-ana",
            now=after_gun(now),
            **extra,
        )
    )


@pytest.mark.parametrize(
    ("bib", "code", "elapsed", "refused", "field"),
    [
        ("999", "5K", 850.0, "unknown_bib", "bib"),
        ("1", "12K", 850.0, "unknown_checkpoint", "checkpoint"),
        ("1", "5K", -1.0, "before_start", None),
        ("1", "5K", 4000.0, "future_time", None),
    ],
)
def test_a_split_the_rules_refuse_is_a_refusal_naming_the_field(
    session, vienna_race, bib, code, elapsed, refused, field
):
    with pytest.raises(Refusal) as caught:
        record(session, vienna_race, bib=bib, code=code, elapsed=elapsed)
    assert (caught.value.code, caught.value.field) == (refused, field)


def test_a_split_before_the_gun_is_refused_as_race_not_started(session):
    race = write(lambda: races.create_race(session, slug="later", name="Later"))
    write(lambda: athletes.add_athlete(session, race, bib="1", name="Runner", now=after_gun(0)))
    with pytest.raises(Refusal) as caught:
        record(session, race, code="FINISH")
    assert caught.value.code == "race_not_started"


def test_the_same_key_again_returns_the_stored_split_and_another_split_under_it_is_refused(
    session, vienna_race
):
    key = uuid.uuid4()
    first = record(session, vienna_race, client_id=key)
    again = record(session, vienna_race, client_id=key)
    assert (first.changed, again.changed, again.split.id) == (True, False, first.split.id)
    with pytest.raises(Refusal) as caught:
        record(session, vienna_race, code="10K", elapsed=1700.0, client_id=key)
    assert caught.value.code == "idempotency_conflict"
    assert caught.value.extra["existing_id"] == str(first.split.id)


def test_enter_split_checks_the_time_itself_instead_of_trusting_its_caller(session, vienna_race):
    athlete = races.find_athlete(session, vienna_race, "1")
    with pytest.raises(Refusal) as caught:
        write(
            lambda: enter_split(
                session,
                vienna_race,
                athlete,
                find_checkpoint(vienna_race, "5K"),
                SplitTime(elapsed_s=9000.0),
                source="mat",
                entered_by="scorer",
                now=after_gun(3600),
                idempotency_key=None,
            )
        )
    assert caught.value.code == "future_time"


def test_enter_correct_and_void_each_add_one_revision_with_before_and_after(session, vienna_race):
    split = record(session, vienna_race).split
    write(
        lambda: correct_split(
            session,
            vienna_race,
            split,
            given=SplitTime(elapsed_s=851.0),
            reason="photo finish",
            actor="official-ana",
            now=after_gun(3700),
        )
    )
    from tracker.services.splits import void_split

    write(
        lambda: void_split(
            session,
            vienna_race,
            split,
            reason="wrong bib",
            actor="official-ana",
            now=after_gun(3800),
        )
    )
    history = [
        (r.version, r.action, r.elapsed_ms_before, r.elapsed_ms_after, r.reason)
        for r in split.revisions
    ]
    assert history == [
        (1, "enter", None, 850000, None),
        (2, "correct", 850000, 851000, "photo finish"),
        (3, "void", 851000, None, "wrong bib"),
    ]
    assert split.version == 3
