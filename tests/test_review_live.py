"""The review's actions reach watchers live: a real gunicorn, real Socket.IO clients."""

from __future__ import annotations

import pytest
import requests

from livekit import RemoteRace as Race
from livekit import Watcher
from servers import Server, flask_cli

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('review') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {token}"}
        yield running


@pytest.fixture
def watcher():
    opened = []

    def open_watcher(*args, **kwargs):
        watching = Watcher(*args, **kwargs).connect()
        opened.append(watching)
        assert watching.wait_for(lambda w: w.state is not None), "no snapshot"
        return watching

    yield open_watcher
    for watching in opened:
        watching.close()


def athlete(state, bib):
    return next(a for a in state["athletes"] if a["bib"] == bib)


def test_assigning_an_unknown_chip_sends_the_athletes_new_splits_to_watchers(server, watcher):
    race = Race(server)
    reads = [
        {
            "source": "km5",
            "seq": 1,
            "chip": "SPARE9",
            "time": "2019-10-12T06:29:10Z",
            "checkpoint": "5K",
        },
        {
            "source": "km10",
            "seq": 1,
            "chip": "SPARE9",
            "time": "2019-10-12T06:43:21Z",
            "checkpoint": "10K",
        },
    ]
    race.post(f"/api/races/{race.slug}/reads", {"reads": reads})
    queue = requests.get(
        f"{race.base}/api/races/{race.slug}/review?kind=unknown_chip",
        headers=server.headers,
        timeout=10,
    ).json()
    assert [item["chip"] for item in queue["items"]] == ["SPARE9"]
    watching = watcher(server.base_url, race.slug, ("P1",))
    assert athlete(watching.state, "P1")["splits"] == []
    race.post(f"/api/races/{race.slug}/athletes/P1/chips", {"chip": "SPARE9"}, expect=(201,))
    assert watching.wait_for(lambda w: len(athlete(w.state, "P1")["splits"]) == 2)
    assert [s["checkpoint"] for s in athlete(watching.state, "P1")["splits"]] == ["5K", "10K"]
    # What the watcher merged is what a page loading now gets.
    assert athlete(watching.view(), "P1") == athlete(race.snapshot(("P1",)), "P1")


def test_a_confirmed_split_reaches_watchers_and_then_counts(server, watcher):
    race = Race(server)
    race.split("1", "5K", 850)
    flagged = race.split("1", "10K", 1000)
    watching = watcher(server.base_url, race.slug, ("1",))
    assert athlete(watching.state, "1")["splits"][1]["flags"] == ["implausible_pace"]
    race.post(f"/api/races/{race.slug}/splits/{flagged['id']}/confirm", {"reason": "video"})
    assert watching.wait_for(
        lambda w: (
            athlete(w.state, "1")["splits"][1]["confirmed"]
            and athlete(w.state, "1")["projection"]["last_checkpoint"] == "10K"
        )
    )
    assert any(d["change"]["type"] == "split_confirmed" for d in watching.deltas)
    assert athlete(watching.view(), "1") == athlete(race.snapshot(("1",)), "1")
