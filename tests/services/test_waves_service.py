"""Start waves: each with its own gun; gun time from the athlete's wave's gun, chip time
from their own start read, found in the start window after that gun."""

from __future__ import annotations

from datetime import timedelta

import pytest

from racekit import GUN_TIME, after_gun
from tracker.domain.race_clock import SplitTime
from tracker.domain.refusals import Refusal
from tracker.services import athletes, gun, races, waves
from tracker.services.athlete_status import set_status
from tracker.services.reads import ReadIn, ingest_reads
from tracker.services.snapshots import athlete_snapshot
from tracker.services.split_requests import record_split
from tracker.transactions import write

WAVE_B = 1200  # wave B goes 20 minutes after the race's (and wave A's) gun


@pytest.fixture
def waved(session):
    def set_up():
        race = races.create_race(
            session, slug="waved", name="Waved", checkpoints=[{"code": "10K", "distance_m": 1e4}]
        )
        waves.add_wave(session, race, code="A", name="Elite and A")
        waves.add_wave(session, race, code="B")
        races.start_race(session, race, at=GUN_TIME)
        for bib, wave in (("1", "A"), ("2", "B"), ("3", "B")):
            athletes.add_athlete(
                session, race, bib=bib, name=f"Runner {bib}", wave=wave, chips=[f"C{bib}"],
                now=GUN_TIME,
            )  # fmt: skip
        for code, at in (("A", GUN_TIME), ("B", after_gun(WAVE_B))):
            waves.fire_wave(
                session, race, waves.find_wave(race, code), at=at, now=at, tolerance_s=5
            )
        return race

    return write(set_up)


def snapshot(session, race, bib):
    return athlete_snapshot(session, race, races.find_athlete(session, race, bib))


def read(race, session, chip, seconds, checkpoint, seq):
    reads = [ReadIn("mat", chip, after_gun(seconds), checkpoint, "mat-1", seq=seq)]
    write(lambda: ingest_reads(session, race, reads, now=after_gun(9000), future_tolerance_s=5))


def test_a_start_read_long_after_the_race_gun_is_the_waves_runners_own_start(session, waved):
    # 25 minutes after the race's gun, 5 after wave B's: once ignored (outside 10 minutes
    # of the race's gun), so the runner got gun time as chip time.
    read(waved, session, "C2", WAVE_B + 300, "START", 1)
    read(waved, session, "C2", WAVE_B + 300 + 3000, "10K", 2)
    athlete = snapshot(session, waved, "2")
    assert athlete["wave"] == "B"
    assert athlete["chip_start_s"] == WAVE_B + 300
    split = athlete["splits"][0]
    assert (split["elapsed_s"], split["gun_elapsed_s"], split["net_elapsed_s"]) == (
        WAVE_B + 3300,
        3300,
        3000,
    )


def test_without_a_start_read_chip_time_counts_from_the_waves_gun(session, waved):
    read(waved, session, "C3", WAVE_B + 3100, "10K", 1)
    read(waved, session, "C1", 3200, "10K", 2)
    three, one = snapshot(session, waved, "3"), snapshot(session, waved, "1")
    assert three["splits"][0]["net_elapsed_s"] == 3100
    assert (three["places"]["overall"], one["places"]["overall"]) == (1, 2)


def test_correcting_a_waves_gun_moves_its_runners_gun_times_and_is_audited(session, waved):
    read(waved, session, "C3", WAVE_B + 3100, "10K", 1)
    write(
        lambda: waves.correct_wave_gun(
            session, waved, waves.find_wave(waved, "B"), at=after_gun(WAVE_B + 60),
            reason="horn late", now=after_gun(9000), tolerance_s=5,
        )
    )  # fmt: skip
    assert snapshot(session, waved, "3")["splits"][0]["gun_elapsed_s"] == 3040
    from tracker.services import audit

    actions = [entry.action for entry in audit.entries(session, race=waved)]
    assert actions.count("wave.fire") == 2 and "wave.gun_correct" in actions


def test_correcting_the_race_gun_leaves_a_later_waves_gun_where_it_was(session, waved):
    read(waved, session, "C3", WAVE_B + 3100, "10K", 1)
    write(
        lambda: gun.correct_gun(
            session, waved, at=GUN_TIME - timedelta(seconds=10), reason="keyed late",
            actor="official-ana", now=after_gun(9000),
        )
    )  # fmt: skip
    split = snapshot(session, waved, "3")["splits"][0]
    assert (split["elapsed_s"], split["gun_elapsed_s"]) == (WAVE_B + 3110, 3100)


def test_a_wave_gun_before_the_race_gun_or_an_unknown_wave_is_refused(session, waved):
    with pytest.raises(Refusal) as caught:
        write(lambda: waves.add_wave(session, waved, code="B"))
    assert caught.value.code == "wave_exists"
    with pytest.raises(Refusal) as caught:
        write(
            lambda: athletes.add_athlete(
                session, waved, bib="9", name="Nine", wave="Z", now=GUN_TIME
            )
        )
    assert (caught.value.code, caught.value.field) == ("unknown_wave", "wave")
    write(lambda: waves.add_wave(session, waved, code="C"))
    with pytest.raises(Refusal) as caught:
        write(
            lambda: waves.fire_wave(
                session, waved, waves.find_wave(waved, "C"), at=after_gun(-60),
                now=after_gun(9000), tolerance_s=5,
            )
        )  # fmt: skip
    assert caught.value.code == "before_start"


def test_a_manual_split_of_a_wave_runner_counts_from_their_wave(session, waved):
    write(
        lambda: record_split(
            session, waved, bib="2", checkpoint_code="10K",
            given=SplitTime(elapsed_s=WAVE_B + 3000), source="manual",
            entered_by="official-ana", now=after_gun(9000),
        )
    )  # fmt: skip
    assert snapshot(session, waved, "2")["splits"][0]["net_elapsed_s"] == 3000


def test_a_wave_runners_gap_to_schedule_counts_from_their_waves_gun(session, waved):
    # 10 km on the race's 2:00:00 schedule is 1706.4 s; runner 3 ran it from wave B's gun.
    on_schedule = round(10000 / 42195 * 7200, 1)
    read(waved, session, "C3", WAVE_B + on_schedule, "10K", 1)
    projection = snapshot(session, waved, "3")["projection"]
    assert abs(projection["gap_s"]) < 1
    # Even pace to the line from 10 km: the pace needed is the schedule's, 2:50.6/km.
    assert projection["required_pace_s_per_km"] == pytest.approx(7200 / 42.195, abs=0.5)
    assert abs(projection["projected_margin_s"]) < 600


def test_the_race_gun_cannot_be_corrected_to_after_a_later_waves_gun(session, waved):
    with pytest.raises(Refusal) as caught:
        write(
            lambda: gun.correct_gun(
                session, waved, at=after_gun(WAVE_B + 300), reason="typo",
                actor="official-ana", now=after_gun(9000),
            )
        )  # fmt: skip
    assert caught.value.code == "gun_after_wave"
    session.expire_all()
    assert waves.find_wave(waved, "B").gun_time == after_gun(WAVE_B)
    assert waved.gun_time == GUN_TIME


def test_a_wave_that_shared_the_race_gun_moves_with_its_correction(session, waved):
    write(
        lambda: gun.correct_gun(
            session, waved, at=after_gun(30), reason="keyed early",
            actor="official-ana", now=after_gun(9000),
        )
    )  # fmt: skip
    session.expire_all()
    assert waves.find_wave(waved, "A").gun_time == after_gun(30)
    assert waves.find_wave(waved, "B").gun_time == after_gun(WAVE_B)
    one, two = (races.find_athlete(session, waved, bib) for bib in ("1", "2"))
    assert (one.gun_offset_ms, two.gun_offset_ms) == (0, (WAVE_B - 30) * 1000)


def test_a_wave_runners_estimate_and_pace_out_of_the_race_count_from_their_waves_gun(
    session, waved
):
    # Runner 3 (wave B) at 10 km 1800 s after their gun: 3:00/km, not 5:00/km from the race's.
    read(waved, session, "C3", WAVE_B + 1800, "10K", 1)
    track = snapshot(session, waved, "3")["projection"]["track"]
    speed = (track[1][1] - track[0][1]) / (track[1][0] - track[0][0])
    assert speed == pytest.approx(10000 / 1800)
    athlete = races.find_athlete(session, waved, "3")
    write(lambda: set_status(session, waved, athlete, status="dnf", reason="cramp"))
    assert snapshot(session, waved, "3")["projection"]["pace_s_per_km"] == pytest.approx(180)
