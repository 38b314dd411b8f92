"""Body limits against a real gunicorn: a chunked body is held to the same 256 KiB."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from opskit import running_race

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def race(sqlite_template, tmp_path_factory):
    with running_race(sqlite_template, tmp_path_factory.mktemp("limits")) as running:
        yield running


def _chunked_post(port: int, path: str, headers: dict[str, str], chunks: list[bytes]) -> bytes:
    """POST with Transfer-Encoding: chunked (the test client never chunks); the raw answer.

    The answer is read while the body is still being sent: a server that answers early and
    closes would otherwise reset the connection and take its answer with it.
    """
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    head += ["Content-Type: application/json", "Transfer-Encoding: chunked"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    answer = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:

        def read() -> None:
            try:
                while data := connection.recv(65536):
                    answer.extend(data)
            except OSError:
                pass

        reader = threading.Thread(target=read)
        reader.start()
        try:
            connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            for chunk in chunks:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the whole body was sent
        reader.join(timeout=20)
    return bytes(answer)


def test_a_chunked_body_over_the_limit_is_refused_with_413_and_stores_nothing(race):
    split = b'{"bib": "1", "checkpoint": "5K", "elapsed_s": 850}'
    padding = [b" " * 65536] * 32  # 2 MiB of spaces after a valid object
    answer = _chunked_post(
        race.server.port, "/api/races/vienna/splits", race.official, [split, *padding]
    )
    status_line = answer.split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, answer[:500]
    assert b"payload_too_large" in answer
    athlete = requests.get(f"{race.base_url}/api/races/vienna/athletes/1").json()
    assert athlete["splits"] == []


def test_a_chunked_body_under_the_limit_is_read_whole(race):
    split = b'{"bib": "1", "checkpoint": "10K", "elapsed_s": 1700}'
    answer = _chunked_post(
        race.server.port, "/api/races/vienna/splits", race.official, [split, b" " * 1000]
    )
    assert b" 201 " in answer.split(b"\r\n", 1)[0], answer[:500]
