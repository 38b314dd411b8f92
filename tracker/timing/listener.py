"""A threaded TCP listener for timing equipment that connects to us."""

from __future__ import annotations

import socketserver

from .sink import ReadSink


class LinkedConnection(socketserver.BaseRequestHandler):
    """A connection from timing software, shown to officials as a device that is linked
    while it lasts. Mixed in before the handler's socketserver base class."""

    sink: ReadSink
    protocol = "tcp"
    device: str

    def setup(self) -> None:
        super().setup()
        self.device = self.sink.device_for(self.protocol, self.client_address[0])
        peer = "{}:{}".format(*self.client_address[:2])
        self.sink.link(self.device, self.protocol, connected=True, peer=peer)

    def finish(self) -> None:
        super().finish()
        self.sink.link(self.device, self.protocol, connected=False)


class TimingServer(socketserver.ThreadingTCPServer):
    """One thread per connection; the port is reusable right after a restart."""

    allow_reuse_address = True
    daemon_threads = True


def listen(
    handler: type[socketserver.BaseRequestHandler], sink: ReadSink, host: str, port: int
) -> TimingServer:
    """A server whose connections are handled by `handler`, storing into `sink`."""
    bound = type(handler.__name__, (handler,), {"sink": sink})
    return TimingServer((host, port), bound)
