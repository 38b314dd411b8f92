"""Crash safety (bench/crash_safety.py at CI size): faults at random moments under ingest
lose no acknowledged split or read, store none twice, and leave the database sound."""

from __future__ import annotations

import importlib.util

import pytest

from servers import ROOT

pytestmark = pytest.mark.server

_spec = importlib.util.spec_from_file_location("crash_safety", ROOT / "bench" / "crash_safety.py")
crash_safety = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crash_safety)


def assert_nothing_lost_or_doubled(summary: dict, faults: int) -> None:
    assert summary["faults"] == faults
    assert summary["problems"] == []  # no 500, no refusal, no acknowledgement of another key
    assert summary["splits_acked"] == summary["splits_sent"]
    assert summary["reads_acked"] == summary["reads_sent"]
    assert summary["splits_lost"] == summary["reads_lost"] == 0
    assert summary["splits_duplicated"] == summary["reads_duplicated"] == 0
    assert summary["two_live_splits_at_one_checkpoint"] == 0
    assert summary["mat_splits_checked"] > 0 and summary["mat_splits_wrong"] == 0
    assert summary["resends"].get("changed", 0) == 0  # a re-send changes nothing
    assert summary["integrity"] == []


def test_ten_kills_of_master_and_worker_under_ingest_lose_nothing_and_double_nothing(
    database_url, tmp_path
):
    summary = crash_safety.run(database_url, kills=10, athletes=8, workdir=tmp_path)
    assert_nothing_lost_or_doubled(summary, 10)
    assert summary["answers"].get("connection_error", 0) > 0  # the kills did hit the load


@pytest.mark.parametrize("fault", ["worker", "hup"])
def test_a_killed_or_reloaded_worker_under_ingest_loses_nothing(database_url, tmp_path, fault):
    summary = crash_safety.run(database_url, kills=2, athletes=6, fault=fault, workdir=tmp_path)
    assert_nothing_lost_or_doubled(summary, 2)
