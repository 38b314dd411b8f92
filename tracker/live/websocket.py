"""The websocket under Engine.IO in gevent mode: one greenlet reads, frames are built once.

python-engineio's gevent driver wraps simple-websocket, which runs a reader greenlet of its
own per connection, accepts permessage-deflate whenever a browser offers it, and frames
every message again for every client. Measured under the live yardstick (README,
"Live fan-out") that per-client work was most of the server's CPU per delivery. This driver
keeps Engine.IO's contract (`wait`, `send`, `close`, called as `ws(environ, start_response)`)
with wsproto underneath, and:

- reads in the request's own greenlet (no extra greenlet per connection);
- never negotiates compression (live messages are small; Node's socket.io refuses it too);
- sends a `Framed` message (`fanout` builds one per broadcast) as the frame bytes it
  carries, so a delta is framed once for every watcher;
- lets `fanout` write those bytes straight onto an idle socket (`try_write`), without a
  greenlet switch, and otherwise queues them behind what the connection is already sending.

Every write of a connection goes through `_write`, one at a time and in order.
"""

from __future__ import annotations

import collections
import contextlib

import gevent
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Request,
    TextMessage,
)
from wsproto.frame_protocol import CloseReason, FrameProtocol
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

RECEIVE_BYTES = 4096


class Framed(str):
    """An encoded Engine.IO packet that also carries its websocket frame (server frames are
    unmasked, so one frame serves every client)."""

    frame: bytes


def framed(text: str) -> Framed:
    """`text` as a text message, framed once."""
    message = Framed(text)
    message.frame = FrameProtocol(client=False, extensions=[]).send_data(text, fin=True)
    return message


class EngineWebSocket:
    """Engine.IO's `websocket` driver for gevent (see the module's docstring)."""

    def __init__(self, handler, server) -> None:
        self.app = handler
        self.server = server
        self.max_message_bytes = server.max_http_buffer_size
        self.open = False
        self._ws = WSConnection(ConnectionType.SERVER)
        self._messages: collections.deque = collections.deque()
        self._partial: list = []
        self._partial_bytes = 0
        self._unsent: collections.deque[bytes] = collections.deque()
        self._writing = False

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is None:
            raise RuntimeError("this websocket driver runs under gunicorn's gevent worker")
        # Engine.IO sets this socket's timeout to ping interval + ping timeout: a peer gone
        # silent is dropped by the read, a peer that stops reading by the write.
        self._sock = sock
        request = b"GET / HTTP/1.1\r\n" + b"".join(
            f"{'-'.join(p.capitalize() for p in key[5:].split('_'))}: {value}\r\n".encode()
            for key, value in environ.items()
            if key.startswith("HTTP_")
        )
        self._ws.receive_data(request + b"\r\n")
        for event in self._ws.events():
            if isinstance(event, Request):
                # No extensions accepted: whatever the client offers, no compression.
                self._write(self._ws.send(AcceptConnection(extensions=[])))
                self.open = True
        if self.open:
            # The Engine.IO socket this connection serves, so `fanout` can write to it.
            eio_socket = getattr(self.app, "__self__", None)
            if eio_socket is not None:
                eio_socket.websocket = self
            try:
                self.app(self)
            finally:
                self.open = False
        # Tell gunicorn the connection is ours (as simple-websocket does): no HTTP response.
        raise StopIteration()

    # Engine.IO's side

    def wait(self):
        """The next message from the client, or None once the connection is closed."""
        while not self._messages:
            if not self.open:
                return None
            try:
                data = self._sock.recv(RECEIVE_BYTES)
            except OSError:
                data = b""
            if not data:
                self.open = False
                return None
            self._ws.receive_data(data)
            try:
                self._handle_events()
            except (LocalProtocolError, RemoteProtocolError):
                self.open = False
                return None
        return self._messages.popleft()

    def send(self, message) -> None:
        if not self.open:
            raise OSError("websocket closed")
        if isinstance(message, Framed):
            self._write(message.frame)
        elif isinstance(message, bytes):
            self._write(self._ws.send(Message(data=message)))
        else:
            self._write(self._ws.send(TextMessage(data=str(message))))

    def close(self) -> None:
        if self.open:
            self.open = False
            with contextlib.suppress(OSError, LocalProtocolError):
                self._write(self._ws.send(CloseConnection(CloseReason.NORMAL_CLOSURE)))

    # Fan-out's side

    def try_write(self, frame: bytes) -> bool:
        """Put a frame on the wire now if nothing of this connection is pending, without
        waiting: False if it must go through Engine.IO's queue instead (to keep order)."""
        if not self.open or self._writing or self._unsent:
            return False
        try:
            sent = self._sock._sock.send(frame)
        except BlockingIOError:
            sent = 0
        except OSError:
            return True  # the reading greenlet sees the closed connection and cleans up
        if sent < len(frame):
            # A slow reader: the rest goes out on a greenlet of its own, ahead of anything
            # sent after it, and the broadcast moves on to the next client.
            self._unsent.append(frame[sent:])
            gevent.spawn(self._flush_in_background)
        return True

    # Inside

    def _write(self, data: bytes) -> None:
        self._unsent.append(data)
        self._flush()

    def _flush(self) -> None:
        if self._writing:
            return  # the greenlet already writing sends it, in order
        self._writing = True
        try:
            while self._unsent:
                self._sock.sendall(self._unsent.popleft())
        finally:
            self._writing = False

    def _flush_in_background(self) -> None:
        try:
            self._flush()
        except OSError:
            self.open = False  # the reading greenlet ends the connection

    def _handle_events(self) -> None:
        for event in self._ws.events():
            if isinstance(event, (TextMessage, BytesMessage)):
                self._partial.append(event.data)
                self._partial_bytes += len(event.data)
                if self._partial_bytes > self.max_message_bytes:
                    self.close()
                    return
                if event.message_finished:
                    empty = "" if isinstance(event, TextMessage) else b""
                    self._messages.append(empty.join(self._partial))
                    self._partial, self._partial_bytes = [], 0
            elif isinstance(event, Ping):
                self._write(self._ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                with contextlib.suppress(OSError, LocalProtocolError):
                    self._write(self._ws.send(event.response()))
                self.open = False
                return
