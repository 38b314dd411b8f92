"""Timing equipment over real loopback sockets: nothing lost, nothing stored twice."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from conftest import count_rows
from racekit import set_up_vienna
from tracker.db import db
from tracker.timing import chronotrack, mylaps
from tracker.timing.raceresult import run_client
from tracker.timing.simulators import FakeDecoder, chronotrack_stream, mylaps_send
from tracker.timing.sink import ReadSink

RUNNERS = [str(bib) for bib in range(101, 111)]


@pytest.fixture
def race(app, client, auth):
    """Vienna (gun 08:15 local) with ten more runners wearing chips C101…C110."""
    set_up_vienna(client, auth)
    for bib in RUNNERS:
        response = client.post(
            "/api/races/vienna/athletes",
            json={"bib": bib, "name": f"Runner {bib}", "chips": [f"C{bib}"]},
            headers=auth["admin"],
        )
        assert response.status_code == 201
    db.session.remove()
    return "vienna"


def splits_at(client, checkpoint):
    snapshot = client.get("/api/races/vienna").json
    return {
        a["bib"]: s["elapsed_s"]
        for a in snapshot["athletes"]
        for s in a["splits"]
        if s["checkpoint"] == checkpoint
    }


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def stored_reads():
    db.session.remove()
    return count_rows("raw_reads")


def test_a_decoder_that_drops_mid_race_loses_and_duplicates_nothing(app, client, race, auth):
    # Each runner is read twice (First+last): at 14:2x and a second later. The decoder's
    # clock runs 2 s slow: measured with GETTIME, the offset corrects every read.
    passings = []
    for index, bib in enumerate(RUNNERS):
        for extra_ms in (0, 1000):
            seconds, millis = divmod(20_000 + index * 1000 + extra_ms, 1000)
            clock = f"08:29:{seconds:02d}.{millis:03d}"
            passings.append(f"C{bib};2019-10-12;{clock};0;5;30;;0;;;;;;;;KM5-Main")
    decoder = FakeDecoder(passings=passings, zone="Europe/Vienna", clock_skew_s=-2.0)
    decoder.release(6)  # read before we connect: pulled by number
    sink = ReadSink(app, "vienna", {"KM5-Main": ("5K", "main")}, device="decoder-km5")
    stop = threading.Event()
    worker = threading.Thread(
        target=run_client,
        args=(sink, "127.0.0.1", decoder.port, stop),
        kwargs={"poll_s": 0.3, "retry_s": 0.2},
        daemon=True,
    )
    worker.start()
    try:
        assert wait_until(lambda: stored_reads() == 6)
        assert wait_until(lambda: decoder.pushing() == 1)
        decoder.drop_after_pushes = 3
        decoder.release(8)  # three pushed, then the line drops; five wait on the decoder
        decoder.release(6)
        assert wait_until(lambda: stored_reads() == 20)
    finally:
        stop.set()
        worker.join(timeout=10)
        decoder.close()
    assert decoder.connections >= 2
    time.sleep(0.2)
    assert stored_reads() == 20
    # 08:29:20 local on the decoder is 08:29:22 true time, 14:22 after the 08:15 gun; the
    # runners passed one second apart.
    assert splits_at(client, "5K") == {
        bib: pytest.approx(862.0 + index, abs=0.05) for index, bib in enumerate(RUNNERS)
    }
    health = client.get("/api/races/vienna/timing", headers=auth["official"]).json
    (device,) = health["devices"]
    assert device["name"] == "decoder-km5" and device["connected"] is False
    assert device["clock_offset_s"] == pytest.approx(2.0, abs=0.05)
    assert device["warnings"] == ["clock_offset", "disconnected"]
    (mat,) = health["mats"]
    assert (mat["device"], mat["checkpoint"], mat["reads_total"]) == ("decoder-km5", "5K", 20)


def test_a_chronotrack_stream_out_of_order_with_re_reads_yields_the_right_splits(app, client, race):
    sink = ReadSink(app, "vienna")
    server = chronotrack.LISTENER.serve(sink, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    lines = [
        "CT01_33~1~START~guntime~2019-10-12T08:15:00.00~0~0B7E21~0",
        "CT01_33~2~5K~C101~2019-10-12T08:29:11.40~1~0B7E21~3",
        "CT01_33~3~5K~C101~2019-10-12T08:29:12.10~1~0B7E21~4",  # re-read within 5 s
        "CT01_33~4~5K~C102~2019-10-12T08:29:15.00~1~0B7E21~1",
        "CT01_33~5~5K~C103~2019-10-12T08:29:13.20~1~0B7E21~2",  # timed earlier than the line before
        "CT01_33~6~5K~C101~2019-10-12T08:29:10.90~1~0B7E21~2",  # arrives last, was first
        "CT01_33~7~5K~C102~2019-10-12T08:29:40.00~1~0B7E21~2",  # 25 s later: first crossing wins
        "CT01_33~8~5K~NOBODY~2019-10-12T08:29:16.00~1~0B7E21~2",
        "CT01_33~9~12K~newlocation~2019-10-12T08:29:17.00~0~0B7E21~0",
    ]
    try:
        replies = chronotrack_stream("127.0.0.1", server.server_address[1], lines)
        assert replies[0] == "RaceTracker~1.0~5" and "stream-mode=push" in replies
        assert "start" in replies and "start~12K" in replies and "ack~ping" in replies
        assert splits_at(client, "5K") == {"101": 850.9, "102": 855.0, "103": 853.2}
        assert stored_reads() == 7
        # SimpleClient's Play re-streams the recording: nothing new is stored.
        chronotrack_stream("127.0.0.1", server.server_address[1], lines)
        assert stored_reads() == 7
    finally:
        server.shutdown()
        server.server_close()


def test_mylaps_messages_re_sent_until_acknowledged_are_stored_once(app, client, race):
    sink = ReadSink(app, "vienna", {"KM5": ("5K", "main")})
    server = mylaps.LISTENER.serve(sink, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    message = (
        "KM5@Passing@c=C101|t=08:29:11.347|d=191012|dv=2|re=1|l=1|h=9"
        "@c=C102|t=08:29:14.000|d=191012|dv=2|re=1@c=C101|t=08:29:12.100|d=191012|dv=2|re=1@57@$"
    )
    v1 = (
        "KM5@Store@"
        + "C103   "
        + "08:29:20.500"
        + "02"
        + "01"
        + "1"
        + "000"
        + "0000"
        + "191012"
        + "  "
        + "@58@$"
    )
    try:
        replies = mylaps_send("127.0.0.1", server.server_address[1], [message, message, v1])
        assert replies.count("AckPassing@57") == 2  # the re-send is acknowledged again
        assert "AckStore@58" in replies
        assert stored_reads() == 4
        assert splits_at(client, "5K") == {"101": 851.347, "102": 854.0, "103": 860.5}
    finally:
        server.shutdown()
        server.server_close()


def test_importing_the_same_file_twice_changes_nothing(app, client, race, runner, tmp_path):
    path = tmp_path / "km5.csv"
    path.write_text(
        "source,seq,chip,time,antenna,rssi,rewind\n"
        "km5-bridge,1,C101,2019-10-12T08:29:11.300+02:00,2,-58,0\n"
        "km5-bridge,2,C101,2019-10-12T08:29:11.900+02:00,1,-61,0\n"
        "km5-bridge,3,C104,2019-10-12T08:29:30.000,1,-60,0\n"  # no offset: the event's zone
    )
    first = runner.invoke(
        args=["timing", "import", "vienna", str(path), "--format", "chip-csv", "--map", "km5=5K"]
    )
    assert first.exit_code == 0, first.output
    assert "3 new" in first.output
    again = runner.invoke(
        args=["timing", "import", "vienna", str(path), "--format", "chip-csv", "--map", "km5=5K"]
    )
    assert "0 new, 3 known" in again.output
    assert stored_reads() == 3
    assert splits_at(client, "5K") == {"101": 851.3, "104": 870.0}


def _mat_links(client, auth):
    """Each mat's (device, connected) as officials see it."""
    db.session.remove()  # a fresh read, not the test's earlier snapshot
    health = client.get("/api/races/vienna/timing", headers=auth["official"]).json
    return {(mat["device"], mat["connected"]) for mat in health["mats"]}


def send_until(sock, data: bytes, answer: bytes) -> None:
    """Send, then read until the peer's answer arrives."""
    sock.sendall(data)
    received = b""
    while answer not in received:
        received += sock.recv(4096)


def assert_link_shown_while_open(client, auth, listener, sink, exchange, device):
    """A listener's mat shows its link connected while the connection lasts, then not."""
    server = listener.serve(sink, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(server.server_address, timeout=10) as sock:
            for data, answer in exchange:
                send_until(sock, data, answer)
            assert _mat_links(client, auth) == {(device, True)}
        assert wait_until(lambda: _mat_links(client, auth) == {(device, False)})
    finally:
        server.shutdown()
        server.server_close()


def test_a_chronotrack_mat_shows_its_link_connected_then_disconnected(app, client, race, auth):
    exchange = [
        (b"SimpleClient~0.6.0~CTP01\r\n", b"start"),
        (b"CT01_33~1~5K~C101~2019-10-12T08:29:11.40~1~0B7E21~3\r\nping\r\n", b"ack~ping"),
    ]
    sink = ReadSink(app, "vienna")
    assert_link_shown_while_open(
        client, auth, chronotrack.LISTENER, sink, exchange, "ctp01@127.0.0.1"
    )


def test_a_mylaps_mat_shows_its_link_connected_then_disconnected(app, client, race, auth):
    exchange = [(b"KM5@Passing@c=C101|t=08:29:11.347|d=191012|dv=2|re=1@57@$", b"AckPassing@57")]
    sink = ReadSink(app, "vienna", {"KM5": ("5K", "main")})
    assert_link_shown_while_open(client, auth, mylaps.LISTENER, sink, exchange, "mylaps@127.0.0.1")


@contextlib.contextmanager
def decoder_client(sink, decoder):
    """The RACE RESULT client reading a fake decoder, stopped (and the decoder closed) after."""
    stop = threading.Event()
    worker = threading.Thread(
        target=run_client,
        args=(sink, "127.0.0.1", decoder.port, stop),
        kwargs={"poll_s": 0.3, "retry_s": 0.2},
        daemon=True,
    )
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=10)
        decoder.close()


def test_a_raceresult_mat_shows_its_link_connected_then_disconnected(app, client, race, auth):
    passing = "C101;2019-10-12;08:29:11.400;0;5;30;;0;;;;;;;;KM5-Main"
    decoder = FakeDecoder(passings=[passing], zone="Europe/Vienna")
    decoder.release(1)
    sink = ReadSink(app, "vienna", {"KM5-Main": ("5K", "main")})
    name = f"raceresult@127.0.0.1:{decoder.port}"
    with decoder_client(sink, decoder):
        assert wait_until(lambda: _mat_links(client, auth) == {(name, True)})
    assert wait_until(lambda: _mat_links(client, auth) == {(name, False)})


def test_a_marker_or_unreadable_passing_never_wedges_the_decoder_client(app, client, race):
    # Passing 2 is a marker transponder and 3 a line we cannot read; neither is stored,
    # and the client must still fetch 4 and 5 instead of waiting for 2 for ever.
    passings = [
        "C101;2019-10-12;08:29:10.000;0;5;30;;0;;;;;;;;KM5-Main",
        "99999;2019-10-12;08:29:11.000;0;5;30;;0;;;;;;;;KM5-Main",
        "C102;not a date;08:29:12.000;0;5;30;;0;;;;;;;;KM5-Main",
        "C103;2019-10-12;08:29:13.000;0;5;30;;0;;;;;;;;KM5-Main",
        "C104;2019-10-12;08:29:14.000;0;5;30;;0;;;;;;;;KM5-Main",
    ]
    decoder = FakeDecoder(passings=passings, zone="Europe/Vienna")
    decoder.release(5)
    sink = ReadSink(app, "vienna", {"KM5-Main": ("5K", "main")})
    with decoder_client(sink, decoder):
        assert wait_until(lambda: stored_reads() == 3)
        assert wait_until(lambda: decoder.pushing() == 1)  # past the pull: pushes are on
    assert set(splits_at(client, "5K")) == {"101", "103", "104"}
