"""Live updates against a real gunicorn with real Socket.IO clients."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livekit import RemoteRace as Race
from livekit import Watcher, login_cookie
from racekit import CHECKPOINTS
from servers import Server, flask_cli

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('live') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {token}"}
        yield running


@pytest.fixture
def watchers():
    opened = []

    def open_watcher(*args, **kwargs):
        watcher = Watcher(*args, **kwargs).connect()
        opened.append(watcher)
        assert watcher.wait_for(lambda w: w.state is not None), "no snapshot"
        return watcher

    yield open_watcher
    for watcher in opened:
        watcher.close()


def athlete(state, bib):
    return next(a for a in state["athletes"] if a["bib"] == bib)


def test_watch_gets_a_snapshot_then_a_posted_split_arrives_as_the_next_delta(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    start_seq = watcher.state["seq"]
    assert {a["bib"] for a in watcher.state["athletes"]} == {"1", "P1"}
    race.split("1", "5K", 850)
    assert watcher.wait_for(lambda w: w.deltas)
    delta = watcher.deltas[0]
    assert delta["seq"] == start_seq + 1
    assert delta["kind"] == "athlete" and delta["change"]["type"] == "split_added"
    assert delta["athlete"]["projection"]["projected_finish_s"] == pytest.approx(7173.15)
    assert [eta["checkpoint"] for eta in delta["athlete"]["projection"]["eta"]][0] == "10K"
    assert athlete(watcher.state, "1")["splits"][0]["elapsed_s"] == 850


def test_clients_of_different_races_hear_only_their_own(server, watchers):
    vienna, berlin = Race(server), Race(server)
    in_vienna = watchers(server.base_url, vienna.slug)
    in_berlin = watchers(server.base_url, berlin.slug)
    vienna.split("1", "5K", 850)
    berlin.split("1", "5K", 870)
    assert in_vienna.wait_for(lambda w: w.deltas) and in_berlin.wait_for(lambda w: w.deltas)
    time.sleep(0.3)
    assert {d["race"] for d in in_vienna.deltas} == {vienna.slug}
    assert {d["race"] for d in in_berlin.deltas} == {berlin.slug}


def test_in_a_big_field_a_spectator_hears_the_leaders_and_whom_they_follow_not_everyone(
    server, watchers
):
    field = [(str(bib), f"Runner {bib}") for bib in range(100, 160)]
    race = Race(server, athletes=field, featured=("100",))
    summary_only = watchers(server.base_url, race.slug)
    follower = watchers(server.base_url, race.slug, ("150",))
    # Bounded snapshots: the featured athlete (and whom one follows), not 60 runners.
    assert [a["bib"] for a in summary_only.state["athletes"]] == ["100"]
    assert [a["bib"] for a in follower.state["athletes"]] == ["100", "150"]
    for place, bib in enumerate(range(100, 112)):
        race.split(str(bib), "5K", 900 + place)
    race.split("150", "5K", 1000)  # 13th at 5 km: not a leader
    assert follower.wait_for(lambda w: "150" in {d["athlete"]["bib"] for d in w.deltas})
    assert summary_only.wait_for(lambda w: len(w.deltas) >= 10)
    time.sleep(0.5)
    heard = [d["athlete"]["bib"] for d in summary_only.deltas]
    assert heard == [str(bib) for bib in range(100, 110)]  # the ten leaders at 5 km
    assert "150" not in heard
    # The follower's state still agrees with a fresh snapshot of what it follows.
    assert athlete(follower.state, "150") == athlete(race.snapshot(("150",)), "150")


def test_a_client_that_misses_changes_and_comes_back_converges_with_one_that_never_left(
    server, watchers
):
    race = Race(server)
    stayed = watchers(server.base_url, race.slug)
    left = watchers(server.base_url, race.slug)
    race.split("1", "5K", 850)
    assert left.wait_for(lambda w: len(w.deltas) == 1)
    left.close()
    first = race.split("1", "10K", 1705)
    race.correct(first["id"], 1700)
    race.split("P1", "5K", 851)
    left.client = socketio.Client(reconnection=False)
    left.__init__(server.base_url, race.slug)
    left.connect()
    assert left.wait_for(lambda w: w.state is not None)
    assert stayed.wait_for(lambda w: w.state["seq"] == left.state["seq"])
    assert left.view() == stayed.view()


def test_a_missed_delta_shows_as_a_gap_and_resync_recovers_it(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    watcher.client.handlers["/live"]["delta"] = lambda delta: None  # deaf for a while
    race.split("1", "5K", 850)
    time.sleep(0.3)
    watcher.client.handlers["/live"]["delta"] = watcher._on_delta
    race.split("1", "10K", 1700)
    assert watcher.wait_for(lambda w: w.snapshots >= 2)
    assert watcher.wait_for(lambda w: w.state["seq"] == race.snapshot()["seq"])
    assert [s["checkpoint"] for s in athlete(watcher.state, "1")["splits"]] == ["5K", "10K"]


def test_heartbeats_carry_the_current_seq(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    assert watcher.wait_for(lambda w: w.heartbeats, timeout=12)
    assert watcher.heartbeats[0]["seq"] == watcher.state["seq"]


operations = st.lists(
    st.tuples(
        st.sampled_from(["split", "correct", "void"]),
        st.sampled_from(["1", "P1"]),
        st.integers(min_value=0, max_value=9),
        st.integers(min_value=-20, max_value=20),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_snapshot_plus_every_delta_merged_equals_a_fresh_snapshot(server, ops):
    race = Race(server)
    watcher = Watcher(server.base_url, race.slug).connect()
    try:
        assert watcher.wait_for(lambda w: w.state is not None)
        live = {}
        for action, bib, checkpoint_index, wobble in ops:
            checkpoint = CHECKPOINTS[checkpoint_index]
            elapsed = checkpoint["distance_m"] * 0.17 + wobble
            split_id = live.get((bib, checkpoint["code"]))
            if action == "split" and split_id is None:
                live[(bib, checkpoint["code"])] = race.split(bib, checkpoint["code"], elapsed)["id"]
            elif action == "correct" and split_id:
                race.correct(split_id, elapsed + 0.5)
            elif action == "void" and split_id:
                race.void(split_id)
                del live[(bib, checkpoint["code"])]
        fresh = race.snapshot()
        assert watcher.wait_for(lambda w: w.state["seq"] == fresh["seq"])
        assert watcher.view() == fresh
    finally:
        watcher.close()


def test_the_clock_event_answers_the_servers_time(server):
    client = socketio.Client(reconnection=False)
    client.connect(server.base_url, namespaces=["/live"], transports=["websocket"], wait_timeout=10)
    try:
        before = time.time()
        answer = client.call("clock", namespace="/live", timeout=5)
        after = time.time()
        assert before - 1 <= answer["server_time"] <= after + 1
    finally:
        client.disconnect()


def test_spectator_events_change_nothing_and_bad_ones_get_errors(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    before = requests.get(f"{server.base_url}/api/races/{race.slug}").json()
    emit = lambda *args: watcher.client.emit(*args, namespace="/live")  # noqa: E731
    emit("watch", "not an object")
    emit("watch", {"race": "no-such-race"})
    emit("watch", {"race": race.slug, "athletes": ["1 OR 1=1"]})
    assert watcher.wait_for(lambda w: len(w.errors) >= 3)
    assert [e["code"] for e in watcher.errors[:3]] == [
        "invalid_event",
        "unknown_race",
        "invalid_event",
    ]
    for event in ("split", "correct_split", "delete"):
        emit(event, {"race": race.slug, "bib": "1", "checkpoint": "5K", "elapsed_s": 850})
    assert watcher.wait_for(lambda w: not w.client.connected)
    assert sum(e["code"] == "unknown_event" for e in watcher.errors) >= 1
    after = requests.get(f"{server.base_url}/api/races/{race.slug}").json()
    assert after == before


def test_an_oversized_message_closes_only_that_connection(server, watchers):
    race = Race(server)
    bystander = watchers(server.base_url, race.slug)
    big = watchers(server.base_url, race.slug)
    big.client.emit("watch", {"race": race.slug, "pad": "x" * 100_000}, namespace="/live")
    assert big.wait_for(lambda w: not w.client.connected)
    race.split("1", "5K", 850)
    assert bystander.wait_for(lambda w: w.deltas)
    assert requests.get(server.base_url + "/healthz").status_code == 200


def test_websocket_compression_is_refused(server):
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    response = requests.get(
        f"{server.base_url}/socket.io/?EIO=4&transport=websocket",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Extensions": "permessage-deflate",
        },
        stream=True,
        timeout=5,
    )
    try:
        assert response.status_code == 101
        assert "Sec-WebSocket-Extensions" not in response.headers
    finally:
        response.close()


def test_a_split_id_round_trips_into_the_delta(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug, ("1",))
    key = str(uuid.uuid4())
    race.post(
        f"/api/races/{race.slug}/splits",
        {"id": key, "bib": "1", "checkpoint": "5K", "elapsed_s": 850},
    )
    assert watcher.wait_for(lambda w: w.deltas)
    assert watcher.deltas[0]["change"]["split_id"] == key
    assert len(watcher.deltas) == 1  # in the summary and followed: heard once


def test_officials_watching_timing_get_mat_health_every_heartbeat(server, watchers):
    race = Race(server)
    cookie = login_cookie(server.base_url, server.headers["Authorization"].split()[-1])
    official = watchers(server.base_url, race.slug, timing=True, cookie=cookie)
    spectator = watchers(server.base_url, race.slug, timing=True)
    assert spectator.wait_for(lambda w: w.errors)
    assert spectator.errors[0]["code"] == "forbidden_role"
    assert official.wait_for(lambda w: w.timing_reports)
    assert official.timing_reports[0]["mats"] == []
    read = {"source": "km5", "device": "km5-box", "chip": "C9", "checkpoint": "5K"}
    race.post(
        f"/api/races/{race.slug}/reads",
        {"reads": [{**read, "seq": 1, "time": "2026-04-26T08:14:10+00:00"}]},
    )
    assert official.wait_for(lambda w: w.timing_reports[-1]["mats"], timeout=15)
    (mat,) = official.timing_reports[-1]["mats"]
    assert (mat["device"], mat["checkpoint"], mat["reads_total"]) == ("km5-box", "5K", 1)
    assert spectator.timing_reports == []
