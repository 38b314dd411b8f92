"""An uploaded ghost reaches every watcher live: snapshot plus deltas equals a fresh one."""

from __future__ import annotations

import pytest
import requests

from livekit import RemoteRace as Race
from livekit import Watcher
from racekit import EVEN_PLAN as PLAN
from servers import Server, flask_cli
from tracker.domain.reference_runs import REFERENCE_RUNS

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('ghosts') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "official", "--name", "ref")
    admin = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops")
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {admin.split()[-1]}"}
        running.official = {"Authorization": f"Bearer {token.split()[-1]}"}
        yield running


def _same_as_fresh(watcher: Watcher, base_url: str, slug: str) -> bool:
    fresh = requests.get(f"{base_url}/api/races/{slug}", timeout=10).json()
    state = watcher.state
    return (state["race"], state["seq"], state["athletes"]) == (
        fresh["race"],
        fresh["seq"],
        fresh["athletes"],
    )


def test_an_uploaded_then_removed_ghost_reaches_a_watcher_with_every_athletes_gap(server):
    race = Race(server)
    race.split("1", "5K", 850)
    race.split("1", "10K", 1700)
    watcher = Watcher(server.base_url, race.slug, athletes=("1",)).connect()
    url = f"{server.base_url}/api/races/{race.slug}/ghosts/even-2-01"
    try:
        assert watcher.wait_for(lambda w: w.state is not None)
        assert "even-2-01" not in watcher.state["athletes"][0]["ghost_gaps"]
        uploaded = requests.put(url, json=PLAN, headers=server.official, timeout=10)
        assert uploaded.status_code == 201, uploaded.text

        def has_ghost(w: Watcher) -> bool:
            kipchoge = next(a for a in w.state["athletes"] if a["bib"] == "1")
            return "even-2-01" in kipchoge["ghost_gaps"]

        assert watcher.wait_for(has_ghost)
        assert watcher.state["race"]["ghosts"][-1]["key"] == "even-2-01"
        kipchoge = next(a for a in watcher.state["athletes"] if a["bib"] == "1")
        assert kipchoge["ghost_gaps"]["even-2-01"] == [["5K", -10.0], ["10K", -20.0]]
        assert _same_as_fresh(watcher, server.base_url, race.slug)
        delta = next(d for d in watcher.deltas if d["kind"] == "race")
        assert delta["change"]["type"] == "ghosts_changed"

        removed = requests.delete(url, headers=server.official, timeout=10)
        assert removed.status_code == 200, removed.text
        assert watcher.wait_for(lambda w: not has_ghost(w))
        assert [g["key"] for g in watcher.state["race"]["ghosts"]] == [
            run.key for run in REFERENCE_RUNS
        ]
        assert _same_as_fresh(watcher, server.base_url, race.slug)
    finally:
        watcher.close()
