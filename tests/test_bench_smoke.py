"""The benchmark suite runs end to end and delivers everything: a handful of watchers and
splits, no speed asserted (`./scripts/bench` is the real run)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.server
@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("node") is None, reason="the Node reference needs node")
def test_the_benchmark_suite_runs_and_delivers_everything(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("suite", None)
    import suite

    out = tmp_path / "bench.json"
    suite.main(
        [
            *("--ns", "20", "--paced", "3", "--burst", "3"),
            *("--runners", "30", "--watchers", "5", "--bridges", "2"),
            *("--projection-runners", "500", "--summary-runners", "500"),
            *("--out", str(out)),
        ]
    )
    results = json.loads(out.read_text())
    (row,) = results["fanout"]
    for server in ("tracker", "node"):
        assert row[server]["snapshots"] == 20
        for phase in ("paced", "burst"):
            assert row[server][phase]["missed"] == 0
            assert row[server][phase]["deliveries"] == 20 * 3
    assert [(r["database"], r["watchers"]) for r in results["ingest"]] == [
        ("sqlite", 5),
        ("postgresql", 5),
    ]
    for ingest in results["ingest"]:
        assert ingest["exact"] == ingest["expected_splits"] == ingest["stored_splits"]
        assert ingest["duplicates"] == 0
        assert ingest["deltas_received"] > 0
    assert results["projection"]["whole_race_runners"] == 500
    assert results["summary_snapshot"]["snapshot_bytes"] > 0


@pytest.mark.server
def test_a_mass_race_in_waves_keeps_every_split_once_and_every_place_exact(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("mass_race", None)
    import mass_race

    # The HTTP path only: the listener's replay is the same scoring, and twice the time.
    args = argparse.Namespace(runners=40, clients=2, waves=3, out=0.1, paths="http")
    result = mass_race.main(args)
    assert "ctp01" not in result
    for row in (result["http"],):
        assert row["exact"] == row["expected_splits"] == row["stored_splits"]
        assert row["duplicates"] == row["out_in_results"] == 0
        assert row["marked_out"] > 0
        assert row["places_exact"] == row["ranked_at_HALF"] == row["results_rows"] > 0
