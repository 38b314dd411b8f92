"""The live fan-out's shortcuts keep the live guarantees, against a real gunicorn: one shared
snapshot per race and `seq`, and one frame per broadcast written to websocket and polling
clients alike, in order."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from livekit import RemoteRace as Race
from livekit import Watcher
from servers import Server, flask_cli

pytestmark = pytest.mark.server
METRICS_TOKEN = "fan-out-metrics-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('fanout') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    # A mass passage is past 50 deltas a second here: one batch of 100 reads is one, however
    # slow the machine.
    env = {"METRICS_TOKEN": METRICS_TOKEN, "LIVE_COALESCE_ABOVE": "50"}
    with Server(database, env) as running:
        running.headers = {"Authorization": f"Bearer {token}"}
        running.database = database
        yield running


class PollingWatcher(Watcher):
    """A watcher on Engine.IO's long-polling transport (its packets go through the queue)."""

    def connect(self) -> Watcher:
        self.client.connect(
            self.base_url, namespaces=["/live"], transports=["polling"], wait_timeout=10
        )
        self.watch()
        return self


@pytest.fixture
def watchers():
    opened = []

    def open_watcher(*args, kind=Watcher, **kwargs):
        watcher = kind(*args, **kwargs).connect()
        opened.append(watcher)
        assert watcher.wait_for(lambda w: w.state is not None), "no snapshot"
        return watcher

    yield open_watcher
    for watcher in opened:
        watcher.close()


def snapshot_reads(server) -> float:
    response = requests.get(
        f"{server.base_url}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == "tracker_live_snapshot_reads_total"
    )


def test_watches_of_an_unchanged_race_share_one_snapshot_read_once(server, watchers):
    race = Race(server)
    first = watchers(server.base_url, race.slug)
    reads = snapshot_reads(server)

    others = [watchers(server.base_url, race.slug) for _ in range(5)]
    others[0].resync()
    assert others[0].wait_for(lambda w: w.snapshots == 2 and w.state is not None)

    assert snapshot_reads(server) == reads  # no database read for any of them
    assert all(other.view() == first.view() for other in others)
    # Each got the shared snapshot stamped with its own time of sending.
    assert len({built for other in others for built in other.built_at}) == 1

    seq = first.state["seq"]
    race.split("1", "5K", 850.0)
    assert first.wait_for(lambda w: w.state["seq"] == seq + 1)
    late = watchers(server.base_url, race.slug)
    assert snapshot_reads(server) == reads + 1  # the change made the shared one stale
    assert late.view() == first.view()


def test_websocket_and_polling_watchers_hear_every_delta_once_in_order(server, watchers):
    race = Race(server, athletes=[(str(bib), f"Runner {bib}") for bib in range(1, 13)])
    sockets = [watchers(server.base_url, race.slug) for _ in range(3)]
    polling = [watchers(server.base_url, race.slug, kind=PollingWatcher) for _ in range(2)]
    start = sockets[0].state["seq"]

    ids = []
    for bib in range(1, 13):
        split_id = str(uuid.uuid4())
        race.post(
            f"/api/races/{race.slug}/splits",
            {"id": split_id, "bib": str(bib), "checkpoint": "5K", "elapsed_s": 850.0 + bib},
        )
        ids.append(split_id)

    for watcher in sockets + polling:
        assert watcher.wait_for(lambda w: w.state["seq"] == start + 12), watcher.deltas
        assert [d["seq"] for d in watcher.deltas] == list(range(start + 1, start + 13))
        assert [d["change"]["split_id"] for d in watcher.deltas] == ids
        assert watcher.snapshots == 1  # nothing missed, so never a resync
    fresh = race.snapshot()
    assert all(watcher.view() == fresh for watcher in sockets + polling)


@pytest.fixture(scope="module")
def mass_race(server):
    """300 pacers (all in the summary, as a big group's pacers are) with chips, gun 3 h ago."""
    timing = flask_cli(server.database, "token", "create", "--role", "timing", "--name", "mat")
    gun = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    race = Race(server, athletes=(), gun=gun.isoformat())
    for n in range(1, 301):
        body = {"bib": f"P{n}", "name": f"Pacer {n}", "role": "pacer", "chips": [f"chip-{n}"]}
        race.post(f"/api/races/{race.slug}/athletes", body)
    race.gun = gun
    race.timing_headers = {"Authorization": f"Bearer {timing.split()[-1]}"}
    return race


def test_a_mass_passage_reaches_spectators_in_a_few_batches_with_nothing_lost(
    server, mass_race, watchers
):
    race = mass_race
    spectators = [watchers(server.base_url, race.slug) for _ in range(3)]
    follower = watchers(server.base_url, race.slug, ("P7", "P250"))
    # The set-up's own changes may still be on their way (coalesced 4 times a second): every
    # watcher first reaches the race's current seq, and the passage is counted from there.
    start = race.snapshot()["seq"]
    for watcher in [*spectators, follower]:
        assert watcher.wait_for(lambda w: w.state["seq"] == start, timeout=20)
        watcher.deltas.clear()

    # 300 athletes over the 5K mat within a second or two: three batches of 100 reads.
    began = time.monotonic()
    for first in range(1, 301, 100):
        reads = [
            {
                "source": "mat-5k",
                "seq": n,
                "chip": f"chip-{n}",
                "time": (race.gun + timedelta(seconds=900 + n * 0.2)).isoformat(),
                "checkpoint": "5K",
            }
            for n in range(first, first + 100)
        ]
        response = requests.post(
            f"{server.base_url}/api/races/{race.slug}/reads",
            json={"reads": reads},
            headers=race.timing_headers,
            timeout=30,
        )
        assert response.status_code in (200, 201), response.text
    for watcher in [*spectators, follower]:
        assert watcher.wait_for(lambda w: w.state["seq"] == start + 300, timeout=20)
    passage_s = time.monotonic() - began

    fresh = race.snapshot(("P7", "P250"))
    assert follower.view() == fresh
    for watcher in spectators:
        assert watcher.view() == race.snapshot()
    for watcher in [*spectators, follower]:
        covered = []
        for delta in watcher.deltas:
            if delta["kind"] == "batch":
                covered += range(delta["first_seq"], delta["seq"] + 1)
                assert len(delta["changes"]) == delta["seq"] - delta["first_seq"] + 1
            else:
                covered.append(delta["seq"])
        assert covered == sorted(set(covered))  # each once, in order
        if watcher.snapshots == 1:  # no resync (a heartbeat may beat a commit's publish)
            assert covered == list(range(start + 1, start + 301))
        batches = [d for d in watcher.deltas if d["kind"] == "batch"]
        assert batches, "a mass passage must be coalesced"
        # One by one up to the threshold (50 within a second), then a batch every 0.25 s.
        assert len(watcher.deltas) <= 50 + passage_s / 0.25 + 2
