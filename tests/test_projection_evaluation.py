"""`flask projection evaluate|crossval` on the real results in ../shared/data (read there,
never copied): every figure beside average pace's, and the reliability table."""

import csv
import json
import statistics
from pathlib import Path

import pytest

from tracker.domain.finish_model import DEFAULT_ELITE_PACE_DRIFT_PER_KM
from tracker.modelling.crossval import leave_one_out
from tracker.modelling.evaluation import JUDGED, format_report
from tracker.modelling.fitting import elite_drift
from tracker.modelling.results_file import read_finishers, read_record_races

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RECORDS = DATA / "elite_splits.csv"
BERLIN = DATA / "berlin_2014_2017_splits.csv.gz"
needs_data = pytest.mark.skipif(not RECORDS.exists(), reason="../shared/data is not here")
MARATHON_KM = 42.195


def _even_pace_errors(km: float) -> list[float]:
    """Average pace's finish minus the real finish at `km`, per record race, from the CSV."""
    races: dict[str, dict[float, float]] = {}
    with RECORDS.open(newline="") as handle:
        for row in csv.DictReader(handle):
            races.setdefault(row["race"], {})[float(row["checkpoint_km"])] = float(row["elapsed_s"])
    return [
        splits[km] * MARATHON_KM / km - splits[MARATHON_KM]
        for splits in races.values()
        if km in splits
    ]


@needs_data
def test_evaluate_on_the_record_races_reports_each_figure_beside_average_pace(runner):
    result = runner.invoke(
        args=["projection", "evaluate", str(RECORDS), "--target", "7200", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for code in JUDGED:
        row = report[code]
        assert row["runners"] == 7
        for side in ("baseline", "tracker"):
            assert {"mae_s", "p90_s", "bias_s", "coverage_80", "range_width_s", "brier"} <= set(
                row[side]
            )
        assert sum(point["runners"] for point in row["reliability"]) == 7
        assert sum(point["runners"] for point in row["baseline_reliability"]) == 7
    # Average pace's figures are the races' own even-pace errors, worked out from the file.
    errors = _even_pace_errors(30.0)
    at_30k = report["30K"]["baseline"]
    assert at_30k["mae_s"] == pytest.approx(statistics.fmean(map(abs, errors)), abs=0.05)
    assert at_30k["bias_s"] == pytest.approx(statistics.fmean(errors), abs=0.05)
    # Record runs are projected at average pace: the ratio is 1 and the range is the elite's.
    assert report["30K"]["tracker"]["mae_ratio"] == 1.0
    assert report["HALF"]["tracker"]["range_width_s"] < report["HALF"]["baseline"]["range_width_s"]

    table = runner.invoke(args=["projection", "evaluate", str(RECORDS), "--target", "7200"])
    assert table.exit_code == 0, table.output
    assert "| checkpoint | runners | MAE | P90 | bias | 80% range coverage (width) | Brier |" in (
        table.output
    )
    assert "| chance | 10K | HALF | 25K | 30K | 35K | 40K |" in table.output


@needs_data
def test_each_held_out_berlin_year_is_scored_by_a_model_fitted_on_the_other():
    finishers = [f for f in read_finishers(BERLIN) if f.year in ("2016", "2017")][::20]
    results = leave_one_out(
        finishers,
        target_s=10_800,
        elite_sigma_per_sqrt_km=0.0011,
        elite_pace_drift_per_km=DEFAULT_ELITE_PACE_DRIFT_PER_KM,
    )
    assert [row["held_out"] for row in results] == ["berlin 2016", "berlin 2017"]
    assert results[0]["fitted_on"].startswith("berlin 2017: ")
    for row in results:
        report = row["report"]
        assert list(report) == list(JUDGED)
        at_30k = report["30K"]
        # A model of another day of the same flat course halves average pace's error...
        assert at_30k["tracker"]["mae_ratio"] < 0.6
        assert at_30k["tracker"]["brier"] < at_30k["baseline"]["brier"]
        # ...and its range holds near 80 % where average pace's own spread is no narrower.
        assert 0.7 <= at_30k["tracker"]["coverage_80"] <= 0.9
        assert at_30k["tracker"]["range_width_s"] <= at_30k["baseline"]["range_width_s"]
    printed = format_report(results[1]["report"], title="berlin 2017")
    assert "| 30K | " in printed and "| 0.9-1.0 |" in printed


@needs_data
def test_the_elite_drift_is_the_one_the_record_races_show():
    # The default band's pace drift is measured, not chosen: the record races' changes of
    # pace between consecutive 5 km splits.
    assert elite_drift(read_record_races(RECORDS)) == pytest.approx(
        DEFAULT_ELITE_PACE_DRIFT_PER_KM, abs=5e-5
    )


@needs_data
def test_crossval_on_the_record_races_holds_each_out_of_the_elite_band(runner):
    result = runner.invoke(
        args=["projection", "crossval", str(RECORDS), "--target", "7200", "--json"]
    )
    assert result.exit_code == 0, result.output
    left_out = json.loads(result.stdout)["left_out"]
    assert list(left_out) == list(JUDGED)
    inside = [
        round(row["tracker"]["coverage_80"]) for rows in left_out.values() for row in rows.values()
    ]
    assert len(inside) == 42
    # The range measured on the other six holds most of the seventh, at average pace's MAE.
    assert 0.75 <= sum(inside) / 42 < 1.0
    for rows in left_out.values():
        for row in rows.values():
            assert row["tracker"]["mae_s"] == row["baseline"]["mae_s"]
    table = runner.invoke(args=["projection", "crossval", str(RECORDS), "--target", "7200"])
    assert "| HALF | 7 | 32 → 32 | 7 of 7 |" in table.output
