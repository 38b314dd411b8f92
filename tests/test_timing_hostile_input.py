"""Listeners under hostile or broken input: a bad line is skipped, never the connection."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from conftest import count_rows
from racekit import set_up_vienna
from tracker.cli.timing import timing_group
from tracker.db import db
from tracker.timing import chronotrack, mylaps
from tracker.timing.sink import ReadSink

GOOD_CT = "CT01_33~2~5K~KIP1~2019-10-12T08:29:10.00~1~0B7E21~3"


@pytest.fixture
def race(app, client, auth):
    set_up_vienna(client, auth)
    db.session.remove()
    return "vienna"


@pytest.fixture
def serve(app, race):
    """Start a protocol's listener on a free loopback port; stopped after the test."""
    servers = []

    def start(listener, locations=None):
        server = listener.serve(ReadSink(app, race, locations or {}), "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def receive_until(sock: socket.socket, answer: bytes) -> bytes:
    """Read until `answer` arrives; the socket's timeout bounds the wait."""
    received = b""
    while answer not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"closed by the server before {answer!r}: {received!r}")
        received += chunk
    return received


def wait_for_close(sock: socket.socket) -> None:
    """Return once the server closed the connection; the socket's timeout fails the test."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass


def stored_reads() -> int:
    db.session.remove()
    return count_rows("raw_reads")


BAD_CT = [
    *(f"CT01_33~1~5K~KIP1~{unix}~1~0B7E21~3" for unix in ("inf", "-inf", "nan", "1e300", "-1e300")),
    "CT01_33~1~5K~KIP1~1e12~1~0B7E21~3",  # the year 33658
    "CT01_33~1~5K~KIP1~0001-01-01T00:00:00.00~1~0B7E21~3",  # before 1970, and before UTC
    "CT01_33~1~5K~KIP1~9999-12-31T23:59:59.99~1~0B7E21~3",
    "CT01_33~100000000000000000000~5K~KIP1~2019-10-12T08:29:10.00~1~0B7E21~3",  # seq too big
    "CT01_33~1~5K~" + "K" * 65 + "~2019-10-12T08:29:10.00~1~0B7E21~3",  # chip too long
    "CT01_33~1~5K~KI\x00P1~2019-10-12T08:29:10.00~1~0B7E21~3",  # NUL: PostgreSQL refuses it
]


@pytest.mark.parametrize("bad", BAD_CT)
def test_a_chronotrack_line_that_cannot_be_a_read_is_skipped_and_the_rest_stored(serve, bad):
    address = serve(chronotrack.LISTENER)
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(b"SimpleClient~0.6.0~CTP01\r\n")
        receive_until(sock, b"start\r\n")
        sock.sendall(f"{bad}\r\n{GOOD_CT}\r\nping\r\n".encode())
        receive_until(sock, b"ack~ping")
        # The sender's re-send is answered again, not crashed on.
        sock.sendall(f"{bad}\r\nping\r\n".encode())
        receive_until(sock, b"ack~ping")
    assert stored_reads() == 1


def test_chronotrack_lines_sent_with_the_greeting_are_not_lost(serve):
    address = serve(chronotrack.LISTENER)
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(f"SimpleClient~0.6.0~CTP01\r\n{GOOD_CT}\r\nping\r\n".encode())
        receive_until(sock, b"ack~ping")
    assert stored_reads() == 1


def test_a_chronotrack_line_that_never_ends_closes_the_connection(serve):
    address = serve(chronotrack.LISTENER)
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(b"SimpleClient~0.6.0~CTP01\r\n")
        receive_until(sock, b"start\r\n")
        # Closed while we are still sending is what we want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"CT01_33~" + b"9" * (1 << 20))
        wait_for_close(sock)
    # The listener still serves the next connection.
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(f"SimpleClient~0.6.0~CTP01\r\n{GOOD_CT}\r\nping\r\n".encode())
        receive_until(sock, b"ack~ping")
    assert stored_reads() == 1


GOOD_ML = "c=KIP1|t=08:29:10.000|d=191012|dv=2|re=1"


@pytest.mark.parametrize("utc", [str(10**30), "-" + str(10**30), "99999999999999999"])
def test_a_mylaps_record_with_an_impossible_utc_is_skipped_and_the_rest_acknowledged(serve, utc):
    address = serve(mylaps.LISTENER, {"KM5": ("5K", "main")})
    message = f"KM5@Passing@c=KIP1|utc={utc}|dv=2|re=1@{GOOD_ML}@57@$"
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(message.encode())
        receive_until(sock, b"AckPassing@57@$")
        sock.sendall(message.encode())  # T&S re-sends: acknowledged again
        receive_until(sock, b"AckPassing@57@$")
    assert stored_reads() == 1


def test_a_mylaps_message_that_never_ends_closes_the_connection(serve):
    address = serve(mylaps.LISTENER, {"KM5": ("5K", "main")})
    with socket.create_connection(address, timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"KM5@Passing@" + b"c=KIP1|" * (1 << 18))
        wait_for_close(sock)
    assert stored_reads() == 0


@pytest.mark.parametrize("name", ["chronotrack", "mylaps"])
def test_listeners_bind_to_loopback_unless_told_otherwise(name):
    (host,) = [p for p in timing_group.commands[name].params if p.name == "host"]
    assert host.default == "127.0.0.1"
