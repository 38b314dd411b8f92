"""LLRP readers, against llrpkit's own reader emulator (`llrpkit emulate`, a separate process
that speaks LLRP over TCP, written by llrpkit's authors rather than by us)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from llrpkit.inventory import TagReport

from conftest import count_rows
from racekit import set_up_vienna
from tracker.db import db, utc_now
from tracker.timing import llrp
from tracker.timing.sink import ReadSink, parse_location_map

# llrpkit's default tag population: tag i carries this EPC, ending in i, on antenna 1 + i % 2.
EPC_PREFIX = "E2000017010B01621000"
TAGS = 4
GUN_AGO_S = 2400.0  # 40 min: 5 km and 10 km are both plausible by then


def epc(index: int) -> str:
    return f"{EPC_PREFIX}{index:04X}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def emulated_reader(port: int):
    """`llrpkit emulate` on a loopback port: four tags, two antennas, ~40 reads a second."""
    command = shutil.which("llrpkit", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [command, "emulate", "--port", str(port), "--tags", str(TAGS), "--antennas", "2"]
        + ["--rate", "40"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, "the emulator did not start"
            time.sleep(0.1)
        time.sleep(0.3)  # the probe connection above must be gone before ours comes
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def llrp_client(sink: ReadSink, port: int):
    stop = threading.Event()
    worker = threading.Thread(
        target=llrp.run_client,
        args=(sink, "127.0.0.1", port, stop),
        kwargs={"retry_s": 0.3},
        daemon=True,
    )
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=15)
        assert not worker.is_alive()


@pytest.fixture
def race(app, client, auth):
    """Vienna with its gun 40 minutes ago and four runners wearing the emulator's tags."""
    set_up_vienna(client, auth, start=False)
    for index in range(TAGS):
        response = client.post(
            "/api/races/vienna/athletes",
            json={"bib": str(200 + index), "name": f"Runner {index}", "chips": [epc(index)]},
            headers=auth["admin"],
        )
        assert response.status_code == 201, response.json
    gun = utc_now() - timedelta(seconds=GUN_AGO_S)
    response = client.post(
        "/api/races/vienna/start", json={"at": gun.isoformat()}, headers=auth["admin"]
    )
    assert response.status_code == 200, response.json
    db.session.remove()
    return "vienna"


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def splits(client):
    db.session.remove()
    snapshot = client.get("/api/races/vienna").json
    return {
        (a["bib"], s["checkpoint"]): s["elapsed_s"]
        for a in snapshot["athletes"]
        for s in a["splits"]
    }


def link(client, auth, name):
    db.session.remove()
    devices = client.get("/api/races/vienna/timing", headers=auth["official"]).json["devices"]
    return {device["name"]: device["connected"] for device in devices}.get(name)


def test_an_llrp_reader_times_each_chip_once_and_survives_a_restart(app, client, race, auth):
    port = free_port()
    name = f"llrp@127.0.0.1:{port}"
    sink = ReadSink(app, "vienna", parse_location_map(("ant1=5K", "ant2=10K")))
    expected = {(str(200 + i), "5K" if i % 2 == 0 else "10K") for i in range(TAGS)}
    with emulated_reader(port):
        connected_at = utc_now()
        with llrp_client(sink, port):
            assert wait_until(lambda: set(splits(client)) == expected)
            assert link(client, auth, name) is True
            first = splits(client)
            time.sleep(2.5)  # the tags stay in the field: more sightings, no new splits
        assert wait_until(lambda: link(client, auth, name) is False)
        # A second connection to the same reader stores nothing twice.
        with llrp_client(sink, port):
            assert wait_until(lambda: link(client, auth, name) is True)
            time.sleep(1.5)
        in_field_s = (utc_now() - connected_at).total_seconds()
    assert splits(client) == first
    # Each split is the reader's first sighting: after our connection, never after now.
    for elapsed in first.values():
        assert GUN_AGO_S - 1 <= elapsed <= GUN_AGO_S + in_field_s
    # The raw log keeps one sighting a second per chip, however many the reader sends
    # (~10 a second each here).
    db.session.remove()
    assert TAGS * 3 <= count_rows("raw_reads") <= TAGS * (in_field_s + 1)


def test_a_reader_that_goes_away_shows_disconnected_and_is_reconnected(app, client, race, auth):
    port = free_port()
    name = f"llrp@127.0.0.1:{port}"
    sink = ReadSink(app, "vienna", parse_location_map(("ant1=5K", "ant2=10K")))
    with emulated_reader(port), llrp_client(sink, port):
        assert wait_until(lambda: link(client, auth, name) is True)
        before = count_rows("raw_reads")
    # (the client stopped with the block; start it again against a reader that is down)
    with llrp_client(sink, port):
        time.sleep(1.0)
        assert link(client, auth, name) is False
        with emulated_reader(port):
            assert wait_until(lambda: link(client, auth, name) is True)
            assert wait_until(lambda: count_rows("raw_reads") > before)


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        (TagReport(epc=bytes.fromhex("E200"), antenna=1), "first-seen"),
        (TagReport(epc=bytes.fromhex("E200"), antenna=1, first_seen_us=2**70), "out of range"),
    ],
)
def test_a_tag_report_without_a_usable_time_is_skipped(tag, reason):
    with pytest.raises(ValueError, match=reason):
        llrp.device_read(tag, "llrp:test")


def test_a_tag_report_becomes_a_read_at_its_first_sighting():
    tag = TagReport(epc=bytes.fromhex("e2000017"), antenna=3, first_seen_us=1_570_860_910_347_000)
    read = llrp.device_read(tag, "llrp:test")
    assert (read.chip, read.location, read.seq) == ("E2000017", "ant3", None)
    assert read.time.isoformat() == "2019-10-12T06:15:10.347000+00:00"
