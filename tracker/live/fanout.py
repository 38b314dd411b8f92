"""One broadcast, one encoding: the packet and its websocket frame are built once per emit
and the same bytes go to every watcher.

python-socketio encodes a broadcast once but hands it to each client's Engine.IO queue,
whose writer greenlet then encodes and frames it again; the profile under the live
yardstick (README, "Live fan-out") spent most of the server's time per delivery there. Here
a client whose connection has nothing pending gets the frame written at once from the
emitting greenlet (`EngineWebSocket.try_write`, which never waits); any other client (busy,
polling, upgrading) gets the same packet through its queue as before, so each
connection's order is kept. Acknowledged emits and binary payloads keep the library's path.

Written against python-socketio 5.18 / python-engineio 4.15 (the versions pinned in
pyproject.toml): it reads the server's `eio.sockets` and each socket's `queue`.
"""

from __future__ import annotations

import json

import socketio
from engineio import packet as eio_packet
from socketio import packet

from .websocket import framed


class FanOutManager(socketio.Manager):
    """Client manager whose emits write one pre-framed packet to every participant."""

    def emit(
        self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs
    ):
        def by_the_library():
            return super(FanOutManager, self).emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to,
                **kwargs,
            )  # fmt: skip

        if callback is not None or namespace not in self.rooms:
            return by_the_library()
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        if not isinstance(encoded, str):  # binary attachments: several packets
            return by_the_library()
        eio_pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        # Engine.IO caches a packet's encoding: every queue that gets it sends these bytes.
        eio_pkt.encode_cache = framed(eio_pkt.encode())
        frame = eio_pkt.encode_cache.frame
        skip = set(skip_sid) if isinstance(skip_sid, list) else {skip_sid}
        sockets = self.server.eio.sockets
        for sid, eio_sid in self.get_participants(namespace, to or room):
            if sid in skip:
                continue
            eio_socket = sockets.get(eio_sid)
            if eio_socket is not None and _write_now(eio_socket, frame):
                continue
            # Everyone else by the library's own path (the in-process test client hooks it).
            self.server._send_eio_packet(eio_sid, eio_pkt)
        return None


def _write_now(eio_socket, frame: bytes) -> bool:
    """Whether the frame went straight to the connection (nothing of it queued before)."""
    websocket = getattr(eio_socket, "websocket", None)
    return (
        websocket is not None
        and eio_socket.upgraded
        and not eio_socket.upgrading
        and not eio_socket.closing
        and not eio_socket.closed
        and eio_socket.queue.empty()
        and websocket.try_write(frame)
    )


def send_encoded(server: socketio.Server, sid: str, namespace: str, event: str, body: str) -> None:
    """Send one client `event` whose one argument is `body`, already JSON (a shared snapshot
    encoded once): no encoding per client."""
    eio_sid = server.manager.eio_sid_from_sid(sid, namespace)
    if eio_sid is None:
        return  # gone meanwhile
    text = f"{packet.EVENT}{namespace},[{json.dumps(event)},{body}]"
    server._send_eio_packet(eio_sid, eio_packet.Packet(eio_packet.MESSAGE, text))
