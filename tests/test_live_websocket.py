"""The live layer's websocket driver on a real socket pair: the handshake it answers, and
the order of frames when a client reads slowly (the fan-out's direct writes meet a full
socket buffer)."""

from __future__ import annotations

import socket
from contextlib import contextmanager

import gevent
import gevent.socket
import pytest
from wsproto.frame_protocol import FrameProtocol, Opcode

from tracker.live.websocket import EngineWebSocket, framed

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


class _Engine:
    max_http_buffer_size = 1_000_000


def _environ(server_end, offer_deflate=True):
    environ = {
        "gunicorn.socket": server_end,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_CONNECTION": "Upgrade",
        "HTTP_UPGRADE": "websocket",
        "HTTP_SEC_WEBSOCKET_VERSION": "13",
        "HTTP_SEC_WEBSOCKET_KEY": KEY,
    }
    if offer_deflate:
        environ["HTTP_SEC_WEBSOCKET_EXTENSIONS"] = "permessage-deflate; client_max_window_bits"
    return environ


@contextmanager
def _serve(handler, offer_deflate=True, buffer_bytes=None):
    """Run the driver on one end of a socket pair; yield the client's end and the greenlet."""
    server_end, client_end = gevent.socket.socketpair()
    if buffer_bytes:
        server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, buffer_bytes)
        client_end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer_bytes)
    websocket = EngineWebSocket(handler, _Engine())

    def run():
        with pytest.raises(StopIteration):  # gunicorn's sign that the connection is taken
            websocket(_environ(server_end, offer_deflate), None)

    served = gevent.spawn(run)
    try:
        yield client_end, served
    finally:
        served.kill()
        server_end.close()
        client_end.close()


def _read_response(client_end) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += client_end.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def test_the_handshake_accepts_the_websocket_and_refuses_compression():
    with _serve(lambda ws: ws.send("40")) as (client_end, served):
        head, _ = _read_response(client_end)
        served.join(timeout=5)
    assert head.startswith(b"HTTP/1.1 101")
    assert b"sec-websocket-extensions" not in head.lower()


def test_frames_keep_their_order_when_the_client_reads_slowly():
    texts = [f"42/live,{n:05d}" + "x" * 2000 for n in range(400)]
    outcome = {}

    def handler(ws):
        # Half the frames written directly (as the fan-out does), half sent as Engine.IO's
        # writer sends them, interleaved, into a socket the client is not yet reading.
        for n, text in enumerate(texts):
            if n % 2 == 0 and ws.try_write(framed(text).frame):
                continue
            ws.send(text)
        outcome["sent"] = True
        gevent.sleep(2)  # keep the connection open while the client catches up

    with _serve(handler, buffer_bytes=8192) as (client_end, _):
        _, rest = _read_response(client_end)
        gevent.sleep(0.5)  # the client stalls: writes find the buffer full
        frames = FrameProtocol(client=True, extensions=[])
        received, partial = [], ""
        frames.receive_bytes(rest)
        while len(received) < len(texts):
            for frame in frames.received_frames():
                assert frame.opcode in (Opcode.TEXT, Opcode.CONTINUATION)
                partial += frame.payload
                if frame.message_finished:
                    received.append(partial)
                    partial = ""
            if len(received) < len(texts):
                frames.receive_bytes(client_end.recv(65536))
    assert outcome.get("sent")
    assert received == texts
