"""Chip reads through the service: an official's word stands over the mats; who is in the
race's summary."""

from __future__ import annotations

from racekit import after_gun
from tracker.domain.race_clock import SplitTime
from tracker.domain.refusals import Refusal
from tracker.domain.summary import SMALL_FIELD
from tracker.services import athletes, races
from tracker.services.reads import ReadIn, ingest_reads
from tracker.services.split_requests import record_split
from tracker.services.splits import correct_split, splits_with_history
from tracker.services.summary import SummaryCheck
from tracker.services.tokens import create_token
from tracker.transactions import write


def read(seq: int, elapsed: float, code: str = "5K") -> ReadIn:
    return ReadIn(
        source="km5",
        chip="KIP1",
        time=after_gun(elapsed),
        checkpoint=code,
        device="km5-box",
        seq=seq,
    )


def ingest(session, race, reads, now=3600.0):
    return write(
        lambda: ingest_reads(session, race, reads, now=after_gun(now), future_tolerance_s=5.0)
    )


def kipchoge_at(session, race, code="5K"):
    """Kipchoge's live split at a checkpoint, read afresh."""
    session.expire_all()
    return next(
        split
        for split in splits_with_history(session, race)
        if (split.athlete.bib, split.checkpoint.code, split.voided_at) == ("1", code, None)
    )


def test_an_officials_correction_stands_when_the_mats_say_otherwise(session, vienna_race):
    (result,) = ingest(session, vienna_race, [read(1, 850.0)])
    assert result.status == "used"
    split = kipchoge_at(session, vienna_race)
    write(
        lambda: correct_split(
            session,
            vienna_race,
            split,
            given=SplitTime(elapsed_s=849.5),
            reason="the photo",
            actor="official-ana",
            now=after_gun(3600),
        )
    )
    (later,) = ingest(session, vienna_race, [read(2, 850.4)])
    assert later.status == "manual_override"
    assert kipchoge_at(session, vienna_race).elapsed_ms == 849_500


def test_a_scorers_own_split_follows_the_reads(session, vienna_race):
    ingest(session, vienna_race, [read(1, 850.4)])
    ingest(session, vienna_race, [read(2, 850.0)])  # earlier in time, arrived later
    assert kipchoge_at(session, vienna_race).elapsed_ms == 850_000


def test_in_a_big_field_only_featured_athletes_pacers_and_leaders_are_in_the_summary(
    session, vienna_race
):
    def add_field():
        for number in range(SMALL_FIELD + 1):
            athletes.add_athlete(
                session, vienna_race, bib=f"{1000 + number}", name="Runner", now=after_gun(60)
            )

    write(add_field)
    check = SummaryCheck(session, vienna_race)
    kipchoge = races.find_athlete(session, vienna_race, "1")
    pacer = races.find_athlete(session, vienna_race, "P1")
    runner = races.find_athlete(session, vienna_race, "1000")
    assert check.includes(kipchoge, []) and check.includes(pacer, [])
    assert not check.includes(runner, [])

    def enter(bib):
        return record_split(
            session,
            vienna_race,
            bib=bib,
            checkpoint_code="5K",
            given=SplitTime(elapsed_s=900.0),
            source="manual",
            entered_by="official-ana",
            now=after_gun(3600),
        ).split

    split = write(lambda: enter("1000"))
    assert SummaryCheck(session, vienna_race).includes(runner, [split])  # a leader at 5K


def test_a_bridges_own_mat_split_follows_the_reads_like_the_scorers(session, vienna_race):
    """A timing bridge that posts a split (source mat) gives the mats' word, not an official's:
    a later read of the same crossing still governs."""
    write(
        lambda: record_split(
            session,
            vienna_race,
            bib="1",
            checkpoint_code="5K",
            given=SplitTime(elapsed_s=851.0),
            source="mat",
            entered_by="km5-bridge",
            now=after_gun(3600),
        )
    )
    (result,) = ingest(session, vienna_race, [read(1, 850.0)])
    assert result.status == "used"
    assert kipchoge_at(session, vienna_race).elapsed_ms == 850_000


def test_no_token_may_sign_as_the_scorer_or_outgrow_a_device_name(session):
    for name in ("scorer", "x" * 61):
        try:
            write(lambda n=name: create_token(session, name=n, role="timing"))
        except Refusal as refusal:
            assert (refusal.code, refusal.field) == ("validation_error", "name")
        else:
            raise AssertionError(f"a token named {name!r} was created")
