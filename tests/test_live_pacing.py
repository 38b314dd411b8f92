"""Pacer rotations reach watchers live: a real gunicorn, real Socket.IO clients."""

from __future__ import annotations

import pytest
import requests

from livekit import RemoteRace, Watcher
from servers import Server, flask_cli

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('pacing') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {token}"}
        yield running


@pytest.fixture
def race(server):
    """Kipchoge; pacers P1 (group A, 0-5 km) and P2, P3 (group B, from 5 km)."""
    race = RemoteRace(server, athletes=(("1", "Eliud Kipchoge"),))
    for bib in ("P1", "P2", "P3"):
        race.post(f"/api/races/{race.slug}/athletes", {"bib": bib, "name": bib, "role": "pacer"})
    for code, members, plan in (("A", ["P1"], [0, 5000]), ("B", ["P2", "P3"], [5000, 10000])):
        response = requests.put(
            f"{race.base}/api/races/{race.slug}/pacer-groups/{code}",
            json={"members": members, "plan": [{"in_m": plan[0], "out_m": plan[1]}]},
            headers=server.headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
    return race


@pytest.fixture
def watcher(server, race):
    watcher = Watcher(server.base_url, race.slug).connect()
    assert watcher.wait_for(lambda w: w.state is not None), "no snapshot"
    yield watcher
    watcher.close()


def rotate(race, group, action, elapsed_s, **place):
    body = {"group": group, "action": action, "elapsed_s": elapsed_s, **place}
    return race.post(f"/api/races/{race.slug}/pacer-rotations", body)


def test_an_officials_rotation_arrives_as_the_next_race_delta_with_who_is_pacing(race, watcher):
    assert watcher.state["race"]["pacing"]["now"] is None
    start_seq = watcher.state["seq"]
    rotate(race, "A", "in", 0, distance_m=0)
    assert watcher.wait_for(lambda w: w.state["race"]["pacing"]["now"] == "A")
    delta = watcher.deltas[-1]
    assert delta["seq"] == start_seq + 1
    assert (delta["kind"], delta["change"]["type"]) == ("race", "pacer_rotation")
    fresh = race.snapshot()
    assert watcher.wait_for(lambda w: w.state["seq"] == fresh["seq"])
    assert watcher.view() == fresh


def test_a_pacers_time_at_the_changeover_mat_hands_over_live_and_merges_to_a_fresh_snapshot(
    race, watcher
):
    rotate(race, "A", "in", 0, distance_m=0)
    race.split("P2", "5K", 849)
    race.split("P3", "5K", 851)  # B is in already: nothing more
    race.split("1", "5K", 850)
    assert watcher.wait_for(lambda w: w.state["race"]["pacing"]["now"] == "B")
    fresh = race.snapshot()
    assert watcher.wait_for(lambda w: w.state["seq"] == fresh["seq"])
    assert watcher.view() == fresh
    rotations = fresh["race"]["pacing"]["rotations"]
    assert [(r["group"], r["action"], r["source"]) for r in rotations] == [
        ("A", "in", "official"),
        ("A", "out", "split"),
        ("B", "in", "split"),
    ]
    # The pacer's split came first, then the race's new pacing, in one numbered stream.
    kinds = [(d["kind"], d["change"]["type"]) for d in watcher.deltas]
    assert kinds.index(("athlete", "split_added")) < kinds.index(("race", "pacer_rotation"), 1)
