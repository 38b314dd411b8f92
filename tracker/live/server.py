"""The Socket.IO server, bound to the app by `bind` (through Redis when REDIS_URL is set)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from .fanout import FanOutManager
from .message_queue import race_day_queue
from .websocket import EngineWebSocket

socketio = SocketIO()


class RefuseWebsocketCompression:
    """WSGI middleware that hides the client's permessage-deflate offer (for the threading
    mode's simple-websocket; the gevent mode's own driver never accepts it).

    simple-websocket accepts compression whenever a client offers it (browsers always do),
    which measured here at 2.5x the memory per client and half the fan-out throughput.
    Live deltas are small; sending them plain is cheaper for everyone.
    """

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


def bind(app: Flask) -> None:
    """Bind Socket.IO to the app with the configured async mode, queue and limits."""
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Always given (None: one process), so an earlier app's queue is never reused.
        client_manager=race_day_queue(app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"])
        or FanOutManager(),
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_MESSAGE_BYTES"],
        # One event of a connection at a time, in order, in the greenlet reading its socket:
        # a flood from one client then waits behind itself (and TCP), not ahead of everyone
        # else's, and a strike-out closes the socket before the rest is read.
        async_handlers=False,
        ping_interval=25,
        ping_timeout=20,
        # Each event reads the login from the session store, so a logout is seen at once.
        manage_session=False,
    )
    if app.config["SOCKETIO_ASYNC_MODE"] == "gevent":
        # Our websocket under Engine.IO (tracker/live/websocket.py): the driver table is
        # the library's module-level dict, so this server gets a copy of its own.
        eio = socketio.server.eio
        eio._async = {**eio._async, "websocket": EngineWebSocket}
    app.wsgi_app = RefuseWebsocketCompression(app.wsgi_app)
