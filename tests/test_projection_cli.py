"""`flask projection fit|evaluate`, and the live API projecting exactly as the evaluation does."""

import csv
import json
import random
from pathlib import Path

import pytest

from racekit import CHECKPOINTS
from tracker.db import db
from tracker.modelling.evaluation import JUDGED, replay, results_course
from tracker.modelling.results_file import read_results
from tracker.services.finish_models import default_model

FIXTURE = Path(__file__).parent / "fixtures" / "berlin_2017_sample.csv"
COLUMNS = ("k5", "k10", "k15", "k20", "half", "k25", "k30", "k35", "k40")
KMS = (5, 10, 15, 20, 21.0975, 25, 30, 35, 40, 42.195)


def synthetic_year(path: Path, year: int, runners: int, seed: int) -> None:
    """Finishers who hold their pace to 25 km, then fade: the slower, the more (up to 20 %
    at 7:00/km), with a day-to-day and a runner-to-runner scatter."""
    rng = random.Random(seed)
    day = rng.uniform(-0.02, 0.02)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["race", "year", "bib", "gender", "age", "age_group", *COLUMNS, "finish"])
        for bib in range(runners):
            pace = rng.uniform(240, 420)
            fade = max(0.0, 0.2 * (pace - 240) / 180 + day + rng.gauss(0, 0.03))
            elapsed, covered, row = 0.0, 0.0, []
            for km in KMS:
                segment_pace = pace * (1 + (fade if covered >= 25 else 0.0))
                elapsed += (km - covered) * segment_pace * rng.uniform(0.99, 1.01)
                covered = km
                row.append(round(elapsed))
            writer.writerow(["synthetic", year, bib, "", "", "", *row])


def test_fit_stores_a_model_for_the_race_that_beats_average_pace_on_another_year(runner, tmp_path):
    synthetic_year(tmp_path / "y1.csv", 2021, 1500, seed=1)
    synthetic_year(tmp_path / "y2.csv", 2022, 1500, seed=2)
    assert runner.invoke(args=["race", "create", "synth", "Synthetic"]).exit_code == 0

    fitted = runner.invoke(args=["projection", "fit", str(tmp_path / "y1.csv"), "--race", "synth"])
    assert fitted.exit_code == 0, fitted.output
    assert "Stored for race synth." in fitted.stdout
    assert "Fitting on 1,500 finishers, per checkpoint" in fitted.stderr

    result = runner.invoke(
        args=["projection", "evaluate", str(tmp_path / "y2.csv"), "--race", "synth", "--json"]
    )
    assert result.exit_code == 0, result.output
    # Progress goes to stderr, so the JSON on stdout stays parseable.
    assert "Replaying 1,500 finishers" in result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"target_s", "model", *JUDGED}
    assert report["model"] == "synthetic 2021: 1,500 finishers"
    at_30k = report["30K"]
    assert set(at_30k) == {"runners", "baseline", "tracker", "reliability", "baseline_reliability"}
    # Average pace cannot see the fade coming; the fitted model learned it from 2021.
    assert at_30k["tracker"]["mae_s"] < 0.5 * at_30k["baseline"]["mae_s"]
    assert at_30k["baseline"]["bias_s"] < -300
    assert 0.7 <= at_30k["tracker"]["coverage_80"] <= 0.9
    assert 0 <= at_30k["tracker"]["brier"] <= 0.25
    # The reliability table accounts for every runner, each in the tenth of their chance.
    points = at_30k["reliability"]
    assert sum(point["runners"] for point in points) == 1500
    for point in points:
        low, high = (float(x) for x in point["chance"].split("-"))
        assert low <= point["predicted"] <= high

    table = runner.invoke(args=["projection", "evaluate", str(tmp_path / "y2.csv")])
    assert table.exit_code == 0
    assert "| 30K | 1,500 |" in table.output


def test_crossval_holds_each_year_out_and_beats_average_pace_on_it(runner, tmp_path):
    files = []
    for year, seed in ((2021, 4), (2022, 5), (2023, 6)):
        synthetic_year(tmp_path / f"y{year}.csv", year, 800, seed=seed)
        files.append(str(tmp_path / f"y{year}.csv"))
    result = runner.invoke(args=["projection", "crossval", *files, "--json"])
    assert result.exit_code == 0, result.output
    assert "Race-years held out" in result.stderr
    held_out = json.loads(result.stdout)["held_out"]
    assert [row["held_out"] for row in held_out] == [
        "synthetic 2021",
        "synthetic 2022",
        "synthetic 2023",
    ]
    # Each year is scored by a model that never saw it.
    assert held_out[0]["fitted_on"] == "synthetic 2022, synthetic 2023: 1,600 finishers"
    for row in held_out:
        at_30k = row["report"]["30K"]
        assert at_30k["runners"] == 800
        assert at_30k["tracker"]["mae_ratio"] < 0.5
        assert at_30k["tracker"]["brier"] <= at_30k["baseline"]["brier"]
    table = runner.invoke(args=["projection", "crossval", *files])
    assert table.exit_code == 0, table.output
    assert table.output.count("| synthetic 20") == 3


def test_fit_refuses_too_few_finishers_and_needs_somewhere_to_put_the_model(runner, tmp_path):
    synthetic_year(tmp_path / "small.csv", 2021, 50, seed=3)
    assert runner.invoke(args=["race", "create", "synth", "Synthetic"]).exit_code == 0
    too_few = runner.invoke(
        args=["projection", "fit", str(tmp_path / "small.csv"), "--race", "synth"]
    )
    assert too_few.exit_code != 0 and "too few" in too_few.output
    nowhere = runner.invoke(args=["projection", "fit", str(tmp_path / "small.csv")])
    assert nowhere.exit_code != 0 and "--race" in nowhere.output


def test_evaluate_reads_gzip_and_prints_every_judged_checkpoint(runner, tmp_path):
    import gzip

    packed = tmp_path / "sample.csv.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    result = runner.invoke(args=["projection", "evaluate", str(packed), "--target", "12600"])
    assert result.exit_code == 0, result.output
    for code in JUDGED:
        assert f"| {code} | 40 |" in result.output


@pytest.mark.parametrize("finisher_index", [5, 20, 35])
def test_the_live_api_projects_exactly_as_the_evaluation(client, auth, finisher_index):
    """One real Berlin 2017 finisher's splits posted to a race: after each, the API's
    projection is the one `flask projection evaluate` scored for the same splits."""
    finisher = read_results(FIXTURE)[finisher_index]
    admin = auth["admin"]
    created = client.post(
        "/api/races",
        json={"slug": "berlin", "name": "Berlin", "target_s": 10800, "checkpoints": CHECKPOINTS},
        headers=admin,
    )
    assert created.status_code == 201
    client.post("/api/races/berlin/athletes", json={"bib": "7", "name": "Runner"}, headers=admin)
    client.post("/api/races/berlin/start", json={"at": "2017-09-24T09:15:00+02:00"}, headers=admin)
    db.session.remove()

    course = results_course(10800)
    for code, expected, _ in replay(course, default_model(), finisher):
        elapsed = dict((c, t) for c, _, t in finisher.splits)[code]
        posted = client.post(
            "/api/races/berlin/splits",
            json={"bib": "7", "checkpoint": code, "elapsed_s": elapsed},
            headers=auth["official"],
        )
        assert posted.status_code == 201, posted.json
        live = client.get("/api/races/berlin/athletes/7").json["projection"]
        assert live["projected_finish_s"] == pytest.approx(expected.projected_finish_s, abs=1e-3)
        assert live["projected_low_s"] == pytest.approx(expected.projected_low_s, abs=1e-3)
        assert live["projected_high_s"] == pytest.approx(expected.projected_high_s, abs=1e-3)
        assert live["probability_under_target"] == pytest.approx(
            expected.probability_under_target, abs=1e-3
        )
        assert live["projection_method"] == expected.method
