"""A threaded TCP listener for timing equipment that connects to us."""

from __future__ import annotations

import socketserver

from .sink import ReadSink


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
