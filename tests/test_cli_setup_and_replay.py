"""Operator commands: race set-up and CSV imports, replaying splits, the demo race."""

import csv
from datetime import UTC, datetime, timedelta

import pytest

from conftest import count_rows
from racekit import KIPCHOGE, set_up_vienna
from tracker.db import db
from tracker.demo import vienna
from tracker.demo.runner import run_demo
from tracker.services.races import find_race
from tracker.services.snapshots import race_snapshot


def write_csv(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def test_a_race_is_set_up_from_the_cli_and_csv_files(runner, client, tmp_path):
    result = runner.invoke(
        args=[
            "race",
            "create",
            "berlin",
            "Berlin Marathon",
            "--target-s",
            "7300",
            "--timezone",
            "Europe/Berlin",
        ]
    )
    assert result.exit_code == 0, result.output
    checkpoints = write_csv(
        tmp_path / "cp.csv",
        ["code", "name", "distance_m", "target_elapsed_s"],
        [["5K", "5 km", "5000", ""], ["HALF", "Half", "21097.5", "3640"]],
    )
    athletes = write_csv(
        tmp_path / "ath.csv",
        ["bib", "name", "country", "role", "chips"],
        [["007", "Runner Seven", "GER", "athlete", "A1 A2"], ["W12", "Pacer", "", "pacer", ""]],
    )
    assert runner.invoke(args=["import", "checkpoints", "berlin", checkpoints]).exit_code == 0
    imported = runner.invoke(args=["import", "athletes", "berlin", athletes])
    assert imported.exit_code == 0
    assert "Adding 2 to berlin" in imported.stderr
    assert imported.stdout == "Imported 2 athletes into berlin.\n"
    snapshot = client.get("/api/races/berlin").json
    assert [cp["code"] for cp in snapshot["race"]["checkpoints"]] == ["5K", "HALF", "FINISH"]
    assert snapshot["race"]["checkpoints"][1]["target_elapsed_s"] == 3640
    assert [a["bib"] for a in snapshot["athletes"]] == ["007", "W12"]
    assert count_rows("chips") == 2


def test_an_import_with_one_bad_row_imports_nothing_and_names_the_line(runner, tmp_path):
    runner.invoke(args=["race", "create", "berlin", "Berlin"])
    athletes = write_csv(tmp_path / "ath.csv", ["bib", "name"], [["1", "Good"], ["2!", "Bad bib"]])
    result = runner.invoke(args=["import", "athletes", "berlin", athletes])
    assert result.exit_code != 0
    assert "line 3" in result.output and "bib" in result.output
    assert count_rows("athletes") == 0


def test_replaying_a_splits_csv_enters_each_split_once(runner, client, auth, tmp_path):
    set_up_vienna(client, auth)
    rows = [["1", code, elapsed] for code, elapsed in KIPCHOGE]
    path = write_csv(tmp_path / "splits.csv", ["bib", "checkpoint", "elapsed_s"], rows + rows[:3])
    result = runner.invoke(args=["replay", "vienna", path])
    assert result.exit_code == 0, result.output
    assert "10 new" in result.stdout
    assert "Replaying 10 splits" in result.stderr
    again = runner.invoke(args=["replay", "vienna", path])
    assert "0 new" in again.output
    assert count_rows("splits") == 10
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert athlete["projection"]["projected_finish_s"] == 7180.2
    assert {s["source"] for s in athlete["splits"]} == {"import"}


def test_the_export_replays_into_a_fresh_race(runner, client, auth, tmp_path):
    set_up_vienna(client, auth)
    runner.invoke(
        args=[
            "replay",
            "vienna",
            write_csv(
                tmp_path / "s.csv",
                ["bib", "checkpoint", "elapsed_s"],
                [["1", c, e] for c, e in KIPCHOGE],
            ),
        ]
    )
    export = tmp_path / "export.csv"
    export.write_text(client.get("/api/races/vienna/splits.csv").text)
    set_up_vienna(client, auth, slug="again")
    result = runner.invoke(args=["replay", "again", str(export)])
    assert "10 new" in result.output, result.output


class FakeClock:
    """A wall clock that moves only when the code under test sleeps."""

    def __init__(self):
        self.instant = datetime.now(UTC)
        self.waits = []

    def now(self):
        return self.instant

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.instant += timedelta(seconds=seconds)


def test_the_demo_replays_kipchoges_vienna_race_to_1_59_40_2(app):
    clock = FakeClock()
    run_demo(app, speed=60, laps=1, sleep=clock.sleep, now=clock.now)
    waits = clock.waits
    race = find_race(db.session, vienna.SLUG)
    assert race.clock_rate == 60
    snapshot = race_snapshot(db.session, race)
    kipchoge = next(a for a in snapshot["athletes"] if a["bib"] == "1")
    assert [s["checkpoint"] for s in kipchoge["splits"]] == [
        cp["code"] for cp in vienna.CHECKPOINTS
    ]
    assert kipchoge["projection"]["projected_finish_s"] == 7180.2
    assert {a["role"] for a in snapshot["athletes"]} == {"athlete", "pacer"}
    # Between splits the replay waits for the race clock: 14:10 at 60x is about 14 s.
    assert waits[0] == pytest.approx(850 / 60, abs=1)
    assert sum(waits[:-1]) == pytest.approx(7180.2 / 60, abs=2)


def test_a_second_demo_lap_starts_a_fresh_race(app):
    clock = FakeClock()
    run_demo(app, speed=600, laps=2, sleep=clock.sleep, now=clock.now)
    assert count_rows("races") == 1
    assert count_rows("splits") == len(vienna.SPLITS)


def test_the_demo_rotates_its_pacer_groups_at_the_mats_and_the_last_peels_off_at_41_km(app):
    clock = FakeClock()
    run_demo(app, speed=600, laps=1, sleep=clock.sleep, now=clock.now)
    race = find_race(db.session, vienna.SLUG)
    pacing = race_snapshot(db.session, race)["race"]["pacing"]
    assert sum(len(g["members"]) for g in pacing["groups"]) == 41
    assert pacing["now"] is None  # alone for the last 1.2 km
    went_in = [
        (r["group"], r["distance_m"], r["source"])
        for r in pacing["rotations"]
        if r["action"] == "in"
    ]
    assert went_in == [
        ("A", 0.0, "official"),
        *((group, in_m, "split") for group, in_m, _ in vienna.PACER_PLAN[1:]),
    ]
    # Every planned stint was run where it was planned.
    assert [(p["group"], p["in_m"], p["out_m"]) for p in pacing["plan"]] == vienna.PACER_PLAN
    assert all(p["illustrative"] for p in pacing["plan"])  # no record has the real points
