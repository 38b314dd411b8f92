"""A listener's link state counts its open connections; a restarted bridge's reads conflict."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from conftest import count_rows
from racekit import set_up_vienna
from tracker.db import db
from tracker.timing import chronotrack
from tracker.timing.simulators import chronotrack_stream
from tracker.timing.sink import ReadSink

DEVICE = "ctp01@127.0.0.1"


@pytest.fixture
def race(app, client, auth):
    set_up_vienna(client, auth)
    db.session.remove()
    return "vienna"


@pytest.fixture
def listener(app, race):
    """A ChronoTrack listener on a free loopback port."""
    server = chronotrack.LISTENER.serve(ReadSink(app, race), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address
    server.shutdown()
    server.server_close()


def device(client, auth, name=DEVICE) -> dict:
    db.session.remove()
    health = client.get("/api/races/vienna/timing", headers=auth["official"]).json
    return {d["name"]: d for d in health["devices"]}.get(name, {})


def wait_until(predicate, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def greet(address) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    sock.sendall(b"SimpleClient~0.6.0~CTP01\r\n")
    received = b""
    while b"start\r\n" not in received:
        received += sock.recv(4096)
    return sock


def test_a_second_connection_from_the_same_host_closing_leaves_the_feed_connected(
    client, auth, listener
):
    feed = greet(listener)
    try:
        second = greet(listener)
        assert wait_until(lambda: device(client, auth).get("open_links") == 2)
        second.close()
        assert wait_until(lambda: device(client, auth).get("open_links") == 1)
        shown = device(client, auth)
        assert (shown["connected"], shown["warnings"]) == (True, [])
    finally:
        feed.close()
    assert wait_until(lambda: device(client, auth).get("open_links") == 0)
    assert device(client, auth)["connected"] is False


def test_links_left_open_by_a_crashed_listener_are_closed_when_it_starts_again(
    app, client, auth, race
):
    crashed = ReadSink(app, race)
    for _ in range(2):  # two connections open when the process died: no close ever came
        crashed.link(DEVICE, "ctp01", connected=True, peer="127.0.0.1:50000")
    assert device(client, auth)["connected"] is True
    server = chronotrack.LISTENER.serve(ReadSink(app, race), "127.0.0.1", 0)
    try:
        shown = device(client, auth)
        assert (shown["connected"], shown["open_links"]) == (False, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with greet(server.server_address):
            assert wait_until(lambda: device(client, auth).get("open_links") == 1)
    finally:
        server.shutdown()
        server.server_close()
    assert wait_until(lambda: device(client, auth).get("connected") is False)


def test_a_chronotrack_recording_renumbered_after_a_reboot_is_kept_as_conflicts(
    client, auth, listener, caplog
):
    first = ["CT01_33~1~5K~KIP1~2019-10-12T08:29:10.00~1~0B7E21~3"]
    chronotrack_stream(*listener, first)
    # The box rebooted and numbers from 1 again: a different read under a known key.
    rebooted = ["CT01_33~1~5K~KIP1~2019-10-12T08:29:05.00~1~0B7E21~3"]
    chronotrack_stream(*listener, rebooted)
    db.session.remove()
    assert (count_rows("raw_reads"), count_rows("read_conflicts")) == (1, 1)
    health = client.get("/api/races/vienna/timing", headers=auth["official"]).json
    (conflict,) = health["read_conflicts"]
    assert (conflict["key"], conflict["time"]) == ("ct:5K:0B7E21:1", "2019-10-12T06:29:05+00:00")
    assert health["read_conflicts_total"] == 1
    # Scored, the earlier time would have corrected the split to 845 s.
    splits = client.get("/api/races/vienna/athletes/1").json["splits"]
    assert [s["elapsed_s"] for s in splits] == [850.0]
    # The listener says so in its log, for the timing crew.
    assert "read kept for review, not scored" in caplog.text
