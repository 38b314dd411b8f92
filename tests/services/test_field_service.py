"""A big-city field through the services: categories, places by chip time at every
checkpoint, an official's status, personal targets and search."""

from __future__ import annotations

from datetime import timedelta

import pytest

from racekit import GUN_TIME, after_gun
from tracker.domain.race_clock import SplitTime
from tracker.domain.refusals import Refusal
from tracker.services import athlete_status, athletes, gun, races
from tracker.services.races import publish_results
from tracker.services.reads import ReadIn, ingest_reads
from tracker.services.results import results
from tracker.services.search import search_athletes
from tracker.services.snapshots import athlete_snapshot
from tracker.services.split_requests import record_split
from tracker.services.splits import correct_split, find_split
from tracker.services.timing_health import timing_health
from tracker.transactions import write

CHECKPOINTS = [{"code": "10K", "distance_m": 10000.0}, {"code": "HALF", "distance_m": 21097.5}]
FIELD = [
    # bib, name, gender, birth year, chip
    ("101", "José Núñez", "M", 1979, "C101"),  # M40 in 2019
    ("102", "Anna Müller", "F", 1990, "C102"),  # F18
    ("103", "Joseph Kiprono", "M", 1995, "C103"),  # M18
    ("104", "Ørjan Strøm", "M", 1978, "C104"),  # M40
    ("105", "Anne-Marie Dubois", "F", 1972, "C105"),  # F45
]


@pytest.fixture
def city(session):
    def set_up():
        race = races.create_race(
            session, slug="city", name="City", checkpoints=CHECKPOINTS, target_s=4 * 3600
        )
        for bib, name, gender, born, chip in FIELD:
            athletes.add_athlete(
                session,
                race,
                bib=bib,
                name=name,
                gender=gender,
                birth_year=born,
                chips=[chip],
                now=GUN_TIME,
            )
        races.start_race(session, race, at=GUN_TIME)
        return race

    return write(set_up)


def split(session, race, bib, code, elapsed, now=15000.0):
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
        )
    ).split


def athlete(session, race, bib):
    return athlete_snapshot(session, race, races.find_athlete(session, race, bib))


def places(session, race, bib):
    return athlete(session, race, bib)["places"]


def test_the_category_is_the_races_age_group_unless_the_results_service_gives_one(session, city):
    assert [athlete(session, city, bib)["category"] for bib, *_ in FIELD] == [
        "M40", "F18", "M18", "M40", "F45"
    ]  # fmt: skip
    write(
        lambda: athletes.add_athlete(
            session, city, bib="106", name="Given", gender="F", age=50, category="ELITE",
            now=GUN_TIME,
        )
    )  # fmt: skip
    assert athlete(session, city, "106")["category"] == "ELITE"
    assert athlete(session, city, "106")["birth_year"] == GUN_TIME.year - 50


def test_a_race_with_its_own_age_groups_places_athletes_by_them(session):
    race = write(lambda: races.create_race(session, slug="own", name="Own", age_groups=[20, 50]))
    write(
        lambda: athletes.add_athlete(
            session, race, bib="1", name="A", gender="X", age=49, now=GUN_TIME
        )
    )
    assert athlete(session, race, "1")["category"] == "X20"


def test_places_by_chip_time_overall_gender_and_category_move_as_splits_arrive(session, city):
    split(session, city, "101", "10K", 3000)
    assert places(session, city, "101") == {"overall": 1, "gender": 1, "category": 1}
    split(session, city, "104", "10K", 2900)
    split(session, city, "102", "10K", 2950)
    assert places(session, city, "101") == {"overall": 3, "gender": 2, "category": 2}
    assert places(session, city, "102") == {"overall": 2, "gender": 1, "category": 1}
    # A late split at an earlier checkpoint keeps places there; the athlete's own places
    # are at their furthest split.
    split(session, city, "103", "HALF", 6000)
    split(session, city, "103", "10K", 2800)
    assert athlete(session, city, "103")["splits"][0]["places"]["overall"] == 1
    assert places(session, city, "103") == {"overall": 1, "gender": 1, "category": 1}
    assert places(session, city, "104")["overall"] == 2


def test_a_corrected_split_moves_the_places_of_everyone_it_passes(session, city):
    split(session, city, "101", "10K", 3000)
    moved = split(session, city, "104", "10K", 3100)
    write(
        lambda: correct_split(
            session,
            city,
            find_split(session, city, str(moved.id)),
            given=SplitTime(elapsed_s=2990),
            reason="timing photo",
            actor="official-ana",
            now=after_gun(15000),
        )
    )
    assert places(session, city, "104")["overall"] == 1
    assert places(session, city, "101")["overall"] == 2


def test_a_start_read_makes_places_count_chip_time_not_gun_time(session, city):
    split(session, city, "101", "10K", 3000)
    split(session, city, "104", "10K", 3100)
    assert places(session, city, "104")["overall"] == 2
    # 104 crossed the start mat 3 minutes after the gun: 2,920 s of chip time.
    start = ReadIn("mat", "C104", after_gun(180), "START", "start-mat", seq=1)
    write(lambda: ingest_reads(session, city, [start], now=after_gun(15000), future_tolerance_s=5))
    assert athlete(session, city, "104")["splits"][0]["net_elapsed_s"] == 2920
    assert places(session, city, "104")["overall"] == 1
    assert places(session, city, "101")["overall"] == 2


def test_a_gun_correction_keeps_chip_times_and_places(session, city):
    split(session, city, "101", "10K", 3000)
    split(session, city, "104", "10K", 3100)
    write(
        lambda: gun.correct_gun(
            session,
            city,
            at=GUN_TIME - timedelta(seconds=10),
            reason="keyed late",
            actor="official-ana",
            now=after_gun(15000),
        )
    )
    found = results(session, city, checkpoint="10K")
    assert [(r["bib"], r["net_elapsed_s"], r["place"]) for r in found.rows] == [
        ("101", 3010.0, 1),
        ("104", 3110.0, 2),
    ]


def set_status(session, race, bib, status, reason="marshal at 12 km"):
    return write(
        lambda: athlete_status.set_status(
            session, race, races.find_athlete(session, race, bib), status=status, reason=reason
        )
    )


def test_a_dnf_leaves_the_places_and_projection_and_reverting_restores_both(session, city):
    split(session, city, "101", "10K", 3000)
    split(session, city, "104", "10K", 3100)
    set_status(session, city, "101", "dnf")
    out = athlete(session, city, "101")
    assert (out["status"], out["status_reason"], out["places"]) == ("dnf", "marshal at 12 km", None)
    assert out["projection"]["projected_finish_s"] is None
    assert out["projection"]["eta"] == []
    assert out["projection"]["last_checkpoint"] == "10K"
    assert places(session, city, "104")["overall"] == 1
    assert [r["bib"] for r in results(session, city, checkpoint="10K").rows] == ["104"]
    set_status(session, city, "101", "started", reason=None)
    back = athlete(session, city, "101")
    assert (back["status"], back["places"]["overall"]) == ("started", 1)
    assert back["projection"]["projected_finish_s"] is not None
    assert places(session, city, "104")["overall"] == 2


def test_status_follows_the_timing_until_an_official_says_otherwise(session, city):
    assert athlete(session, city, "101")["status"] == "registered"
    split(session, city, "101", "10K", 3000)
    assert athlete(session, city, "101")["status"] == "started"
    split(session, city, "101", "HALF", 6300)
    assert athlete(session, city, "101")["status"] == "started"
    split(session, city, "101", "FINISH", 12900)
    assert athlete(session, city, "101")["status"] == "finished"
    set_status(session, city, "101", "dq", reason="cut the course")
    assert athlete(session, city, "101")["status"] == "dq"


def test_setting_dns_dnf_or_dq_needs_a_reason_and_the_audit_log_keeps_who_and_why(session, city):
    with pytest.raises(Refusal) as caught:
        set_status(session, city, "101", "dns", reason=None)
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
    assert athlete(session, city, "101")["status"] == "registered"
    assert set_status(session, city, "101", "dns", reason="did not collect bib") is True
    assert set_status(session, city, "101", "dns", reason="did not collect bib") is False
    from tracker.services import audit

    entries = [e for e in audit.entries(session, race=city) if e.action == "athlete.status"]
    assert len(entries) == 1
    assert "did not collect bib" in entries[0].after


def test_an_athlete_out_of_the_race_is_due_at_no_mat(session, city):
    now = after_gun(2 * 3600)
    due = {
        cp["code"]: cp["athletes_due"] for cp in timing_health(session, city, now)["checkpoints"]
    }
    assert due["10K"] == 5
    set_status(session, city, "101", "dns", reason="no show")
    due = {
        cp["code"]: cp["athletes_due"] for cp in timing_health(session, city, now)["checkpoints"]
    }
    assert due["10K"] == 4


def test_a_personal_target_drives_gap_chance_and_pace_needed(session, city):
    split(session, city, "101", "10K", 3000)  # 5:00/km
    race_target = athlete(session, city, "101")["projection"]
    write(
        lambda: athlete_status.set_target(
            session, city, races.find_athlete(session, city, "101"), target_s=3.5 * 3600
        )
    )
    own = athlete(session, city, "101")
    assert own["target_s"] == 12600
    # 50:00 at 10 km: 6:08 ahead of the race's 4:00 schedule, 1:26 of his own 3:30.
    assert race_target["gap_s"] == pytest.approx(3000 - 14400 * 10000 / 42195, abs=0.01)
    assert own["projection"]["gap_s"] == pytest.approx(3000 - 12600 * 10000 / 42195, abs=0.01)
    assert own["projection"]["required_pace_s_per_km"] < race_target["required_pace_s_per_km"]
    assert own["projection"]["probability_under_target"] < race_target["probability_under_target"]


@pytest.mark.parametrize(
    ("query", "bibs"),
    [
        ("jose", ["101", "103"]),
        ("josé n", ["101"]),
        ("NUÑEZ", ["101"]),
        ("jos", ["101", "103"]),
        ("orjan strom", ["104"]),
        ("anne mar", ["105"]),
        ("an", ["102", "105"]),
        ("104", ["104"]),
        ("müll", ["102"]),
        ("nobody", []),
    ],
)
def test_search_finds_by_bib_or_the_start_of_any_word_of_a_name_ignoring_case_and_accents(
    session, city, query, bibs
):
    total, found = search_athletes(session, city, query)
    assert ([a.bib for a in found], total) == (bibs, len(bibs))


def test_search_pages_through_the_field(session, city):
    total, first = search_athletes(session, city, "j", offset=0, limit=1)
    _, second = search_athletes(session, city, "j", offset=1, limit=1)
    assert total == 2 and [a.bib for a in first + second] == ["101", "103"]
    # Past the last page: no athletes, and still how many there are in all.
    assert search_athletes(session, city, "j", offset=5, limit=1) == (2, [])
    assert search_athletes(session, city, "nobody", offset=5, limit=1) == (0, [])


def test_results_by_category_are_paged_and_unofficial_until_published(session, city):
    for bib, elapsed in (("101", 3000), ("104", 2900), ("103", 2800), ("102", 3100)):
        split(session, city, bib, "10K", elapsed)
    found = results(session, city, checkpoint="10K", category="M40", limit=1)
    assert (found.total, found.official) == (2, False)
    assert [(r["bib"], r["place"], r["places"]) for r in found.rows] == [
        ("104", 1, {"overall": 2, "gender": 2, "category": 1})
    ]
    women = results(session, city, checkpoint="10K", gender="F")
    assert [(r["bib"], r["place"]) for r in women.rows] == [("102", 1)]
    write(lambda: publish_results(session, city, now=after_gun(20000)))
    assert results(session, city, checkpoint="10K").official is True
