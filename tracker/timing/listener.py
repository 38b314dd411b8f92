"""A threaded TCP listener for timing equipment that connects to us."""

from __future__ import annotations

import logging
import socketserver

from .sink import ReadSink

log = logging.getLogger(__name__)


class FrameTooLong(Exception):
    """A sender went past a frame's length limit: abuse or a broken sender, not a read."""


class Frames:
    """Complete frames (lines, messages) out of a byte stream, each at most `limit` bytes.

    Only a chunk that holds a separator is split, so a sender that never ends its line
    costs one bounded append per chunk instead of re-splitting an ever-growing buffer.

    >>> frames = Frames(b"\\n", limit=8)
    >>> frames.feed(b"a\\nb"), frames.feed(b"c\\n")
    ([b'a'], [b'bc'])
    """

    def __init__(self, separator: bytes, limit: int) -> None:
        self.separator, self.limit = separator, limit
        self.pending = bytearray()  # grows in place: appending costs the chunk, not the buffer

    def feed(self, chunk: bytes) -> list[bytes]:
        """The frames that `chunk` completes; raises FrameTooLong past the limit."""
        complete = []
        if self.separator in chunk:
            *complete, rest = (self.pending + chunk).split(self.separator)
            self.pending = bytearray(rest)
        else:
            self.pending += chunk
        if len(self.pending) > self.limit or any(len(f) > self.limit for f in complete):
            raise FrameTooLong(f"a frame longer than {self.limit} bytes")
        return [bytes(frame) for frame in complete]


class LinkedConnection(socketserver.BaseRequestHandler):
    """A connection from timing software, shown to officials as a device that is linked
    while it lasts. Mixed in before the handler's socketserver base class."""

    sink: ReadSink
    protocol = "tcp"
    device: str

    def handle(self) -> None:
        """Serve the connection; a sender past a frame's limit is cut off."""
        try:
            self.serve()
        except FrameTooLong as error:
            log.warning("closed the link of %s: %s", self.device, error)

    def serve(self) -> None:
        raise NotImplementedError

    def setup(self) -> None:
        super().setup()
        self.device = self.sink.device_for(self.protocol, self.client_address[0])
        peer = "{}:{}".format(*self.client_address[:2])
        self.sink.link(self.device, self.protocol, connected=True, peer=peer)

    def finish(self) -> None:
        try:
            super().finish()
        finally:  # every open is counted, so every close must be too
            self.sink.link(self.device, self.protocol, connected=False)


class TimingServer(socketserver.ThreadingTCPServer):
    """One thread per connection; the port is reusable right after a restart."""

    allow_reuse_address = True
    daemon_threads = True


def listen(handler: type[LinkedConnection], sink: ReadSink, host: str, port: int) -> TimingServer:
    """A server whose connections are handled by `handler`, storing into `sink`; links a
    crashed predecessor left counted as open are closed first."""
    bound = type(handler.__name__, (handler,), {"sink": sink})
    server = TimingServer((host, port), bound)
    sink.reset_links(handler.protocol)
    return server
