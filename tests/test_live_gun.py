"""A corrected gun reaches every watcher: they take a fresh snapshot with shifted times."""

from __future__ import annotations

import pytest
import requests

from livekit import RemoteRace as Race
from livekit import Watcher
from servers import Server, flask_cli

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('gun') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {token}"}
        yield running


def test_a_corrected_gun_sends_every_watcher_to_a_fresh_snapshot(server):
    race = Race(server)
    race.split("1", "5K", 850)
    watcher = Watcher(server.base_url, race.slug).connect()
    try:
        assert watcher.wait_for(lambda w: w.state is not None)
        race.post(
            f"/api/races/{race.slug}/gun",
            {"at": "2019-10-12T08:14:58+02:00", "reason": "the starter's clock"},
        )
        fresh = requests.get(f"{server.base_url}/api/races/{race.slug}", timeout=10).json()
        kipchoge = next(a for a in fresh["athletes"] if a["bib"] == "1")
        assert [s["elapsed_s"] for s in kipchoge["splits"]] == [852.0]
        # The watcher resyncs on the race's gun_corrected delta and ends with the same state.
        assert watcher.wait_for(lambda w: w.state["athletes"] == fresh["athletes"])
        assert (watcher.state["race"], watcher.state["seq"]) == (fresh["race"], fresh["seq"])
    finally:
        watcher.close()
