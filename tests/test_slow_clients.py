"""Slow clients (slowloris): a trickled body cannot hold a connection slot for long."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from livekit import RemoteRace
from servers import Server, flask_cli

pytestmark = pytest.mark.server
SLOTS = 40
TRICKLE_FOR_S = 40  # each slow client gives up by itself after this


def trickle(server, slug: str, closed: list[bool], index: int, stop: threading.Event) -> None:
    """An official's split POST whose body comes one byte a second, until the server hangs up."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow:
        slow.sendall(
            f"POST /api/races/{slug}/splits HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: {server.headers['Authorization']}\r\n"
            "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n".encode()
        )
        slow.settimeout(1)
        deadline = time.monotonic() + TRICKLE_FOR_S
        while time.monotonic() < deadline and not stop.is_set():
            try:
                slow.sendall(b" ")
                while slow.recv(4096):  # a 408 first, then the close
                    pass
                closed[index] = True
                return
            except TimeoutError:
                continue
            except OSError:
                closed[index] = True
                return


def test_trickled_bodies_are_cut_off_and_the_server_keeps_answering(tmp_path):
    database = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    settings = {"TRACKER_WORKER_CONNECTIONS": str(SLOTS), "BODY_READ_TIMEOUT_S": "3"}
    with Server(database, settings) as server:
        server.headers = {"Authorization": f"Bearer {token}"}
        race = RemoteRace(server)
        closed = [False] * SLOTS
        stop = threading.Event()
        slow = [
            threading.Thread(target=trickle, args=(server, race.slug, closed, n, stop), daemon=True)
            for n in range(SLOTS)
        ]
        for thread in slow:
            thread.start()
        time.sleep(1)  # every slot is taken by a slow client now
        try:
            assert requests.get(f"{server.base_url}/healthz", timeout=30).status_code == 200
            assert race.split("1", "5K", 850)["elapsed_s"] == 850
        finally:
            for thread in slow:
                thread.join(timeout=TRICKLE_FOR_S + 5)
            stop.set()
        assert all(closed), f"{closed.count(False)} slow connections were never closed"
