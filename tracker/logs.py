"""Request ids: taken from X-Request-ID when it is a sane token, else made; echoed in the
response (so gunicorn's access line carries it) and set on every log record of the request.

The JSON log format itself is gunicorn's logging configuration (gunicorn.conf.py), so the
operator commands keep plain lines for people.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy or client may hand us: no spaces, quotes or line breaks to forge log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_for(presented: str | None) -> str:
    """The presented id when it is a plain token, else a new one.

    >>> request_id_for("race-day-42")
    'race-day-42'
    >>> len(request_id_for('evil"\\n{"level": "ERROR"}'))
    32
    """
    if presented and _SANE_REQUEST_ID.fullmatch(presented):
        return presented
    return uuid.uuid4().hex


def _take_request_id() -> None:
    g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))


def _echo_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    record.request_id = g.get("request_id") if has_request_context() else None
    return record


def init_app(app: Flask) -> None:
    """Give every request an id, echo it, and put it on the request's log records."""
    app.before_request(_take_request_id)
    app.after_request(_echo_request_id)
    logging.setLogRecordFactory(_record_with_request_id)
