"""A deadline for reading a request body, so a client that trickles one cannot hold a
connection slot for minutes (slowloris).

gunicorn bounds the header read of its gevent worker by `keepalive` (gunicorn.conf.py)
but has no bound on reading a body, which the app does; this middleware adds one. The
deadline counts from the request's arrival, in total, not per byte: one byte every few
seconds never resets it, and a request that waited for a database connection meanwhile
has used up its time. A body not in by then is answered 408 and the connection's
read side is shut, so gunicorn closes it at once instead of draining the rest.
"""

from __future__ import annotations

import contextlib
import socket
import time

import gevent
from flask import Flask
from werkzeug.exceptions import RequestTimeout


class BodyTooSlow(RequestTimeout):
    description = "The request body did not arrive in time; send it at once and retry."


class DeadlineReader:
    """`wsgi.input` that refuses to wait past a deadline for the rest of the body."""

    def __init__(self, stream, seconds: float, connection=None) -> None:
        self._stream, self._deadline = stream, time.monotonic() + seconds
        self._connection = connection  # gunicorn's socket, when there is one

    def _expire(self) -> BodyTooSlow:
        if self._connection is not None:
            with contextlib.suppress(OSError):  # already gone
                self._connection.shutdown(socket.SHUT_RD)
        return BodyTooSlow()

    def _within_deadline(self, read, *args):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise self._expire()
        timeout = gevent.Timeout(remaining)
        timeout.start()
        try:
            return read(*args)
        except gevent.Timeout as expired:
            if expired is not timeout:
                raise
            raise self._expire() from None
        finally:
            timeout.close()

    def read(self, *args):
        return self._within_deadline(self._stream.read, *args)

    def readline(self, *args):
        return self._within_deadline(self._stream.readline, *args)

    def readlines(self, *args):
        return self._within_deadline(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")


class BodyDeadline:
    """WSGI middleware putting a DeadlineReader on every request that has a body."""

    def __init__(self, app, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    def __call__(self, environ, start_response):
        has_body = environ.get("CONTENT_LENGTH") not in (None, "", "0") or (
            "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        )
        if has_body and "wsgi.input" in environ:
            environ["wsgi.input"] = DeadlineReader(
                environ["wsgi.input"], self.seconds, environ.get("gunicorn.socket")
            )
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Bound body reads under gevent (the production worker); 0 turns the bound off."""
    seconds = app.config["BODY_READ_TIMEOUT_S"]
    if seconds > 0 and app.config["SOCKETIO_ASYNC_MODE"] == "gevent":
        app.wsgi_app = BodyDeadline(app.wsgi_app, seconds)
