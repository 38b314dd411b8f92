"""Hostile and heavy use of /live against a real gunicorn: floods, dodged strikes, storms."""

from __future__ import annotations

import pytest
import requests

from livekit import RemoteRace as Race
from livekit import Watcher
from servers import Server, flask_cli

pytestmark = pytest.mark.server

FLOOD = 500


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('abuse') / 'tracker.sqlite3'}"
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


def emit(watcher: Watcher, event: str, data=None) -> None:
    watcher.client.emit(event, data, namespace="/live")


def codes(watcher: Watcher) -> list[str]:
    return [error["code"] for error in watcher.errors]


@pytest.mark.parametrize("event", ["resync", "watch"])
def test_a_snapshot_flood_is_refused_struck_and_closed_while_others_are_served(
    server, watchers, event
):
    race = Race(server)
    bystander = watchers(server.base_url, race.slug)
    flooder = watchers(server.base_url, race.slug)
    for _ in range(FLOOD):
        emit(flooder, event, {"race": race.slug})
    assert flooder.wait_for(lambda w: not w.client.connected), "the flooder stayed connected"
    assert "rate_limited" in codes(flooder)
    # Answered with a few snapshots at most, not hundreds.
    assert flooder.snapshots <= 1 + 10
    race.split("1", "5K", 850)
    assert bystander.wait_for(lambda w: w.deltas)
    assert bystander.state["seq"] == race.snapshot()["seq"]


def test_watchers_of_an_unchanged_race_share_one_snapshot_until_it_changes(server, watchers):
    race = Race(server)
    first = [watchers(server.base_url, race.slug) for _ in range(8)]
    for watcher in first:
        emit(watcher, "resync", {"race": race.slug})
    assert all(w.wait_for(lambda w: w.snapshots == 2) for w in first)
    built = {at for w in first for at in w.built_at}
    assert len(built) == 1, "an unchanged race was read again"
    seq = first[0].state["seq"]
    race.split("1", "5K", 850)
    late = watchers(server.base_url, race.slug)
    assert late.built_at[0] not in built
    assert late.state["seq"] == seq + 1
    assert [s["checkpoint"] for s in late.state["athletes"][0]["splits"]] == ["5K"]


def test_a_disconnect_event_sent_by_the_client_is_a_strike_not_a_goodbye(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    emit(watcher, "split", {"bib": "1"})
    emit(watcher, "split", {"bib": "1"})
    assert watcher.wait_for(lambda w: len(w.errors) >= 2)
    emit(watcher, "disconnect", "client namespace disconnect")
    # Still watching: a resync is answered, not refused as not_watching.
    emit(watcher, "resync", {"race": race.slug})
    assert watcher.wait_for(lambda w: not w.client.connected), "the strikes were reset"
    assert codes(watcher)[:3] == ["unknown_event"] * 3
    assert "not_watching" not in codes(watcher)


def test_an_unknown_event_with_several_arguments_is_a_strike_not_a_server_error(server, watchers):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    for _ in range(3):
        emit(watcher, "split", ("1", "5K", 850))
    assert watcher.wait_for(lambda w: not w.client.connected), "no strikes were counted"
    assert codes(watcher) == ["unknown_event"] * 3
    assert requests.get(server.base_url + "/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize("event", ["watch", "resync", "clock"])
def test_known_events_with_extra_arguments_are_refused_as_invalid(server, watchers, event):
    race = Race(server)
    watcher = watchers(server.base_url, race.slug)
    emit(watcher, event, ({"race": race.slug}, "extra"))
    assert watcher.wait_for(lambda w: w.errors)
    assert codes(watcher) == ["invalid_event"]
