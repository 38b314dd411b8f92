"""`flask demo --race city`: a generated mass race with waves, categories and DNFs,
replayed through the split path on the race clock."""

from __future__ import annotations

from test_cli_setup_and_replay import FakeClock

from tracker.db import db
from tracker.demo import city
from tracker.demo.runner import run_demo
from tracker.services.races import find_athlete, find_race
from tracker.services.results import results
from tracker.services.search import search_athletes
from tracker.services.snapshots import athlete_snapshot


def test_the_city_field_is_drawn_the_same_for_a_seed_and_runs_as_a_marathon_does():
    field = city.field(600)
    assert field == city.field(600)
    finishes = sorted(r.splits[-1].elapsed_s for r in field if not r.stops_after)
    assert 2 * 3600 < finishes[0] < finishes[-1] < 9 * 3600
    # Splits rise, and a runner slows as the fitted field did (the half in under half).
    for runner in field:
        times = [s.elapsed_s for s in runner.splits]
        assert times == sorted(times)
    assert {r.athlete["wave"] for r in field} == {"A", "B", "C"}
    assert any(r.stops_after for r in field)


def test_a_lap_of_the_city_demo_fires_the_waves_places_the_field_and_marks_dnfs(app):
    clock = FakeClock()
    run_demo(app, speed=600, laps=1, pause_s=0, sleep=clock.sleep, now=clock.now, race="city",
             runners=300)  # fmt: skip
    race = find_race(db.session, city.SLUG)
    assert all(wave.gun_time is not None for wave in race.waves)
    field = city.field(300)
    stopped = [r.athlete["bib"] for r in field if r.stops_after]
    finishers = results(db.session, race, checkpoint="FINISH", limit=None)
    assert finishers.total == 300 - len(stopped)
    assert [row["places"]["overall"] for row in finishers.rows] == list(
        range(1, finishers.total + 1)
    )
    times = [row["net_elapsed_s"] for row in finishers.rows]
    assert times == sorted(times)
    for bib in stopped:
        athlete = athlete_snapshot(db.session, race, find_athlete(db.session, race, bib))
        assert athlete["status"] == "dnf"
    # A runner of wave C: gun time from their wave's gun, 20 minutes after the race's.
    wave_c = next(r for r in field if r.athlete["wave"] == "C" and not r.stops_after)
    total, found = search_athletes(db.session, race, wave_c.athlete["bib"])
    finish = athlete_snapshot(db.session, race, found[0])["splits"][-1]
    assert finish["elapsed_s"] - finish["gun_elapsed_s"] == 1200
