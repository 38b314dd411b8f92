"""The body limit for chunked requests, which carry no Content-Length to check up front.

Werkzeug reads a chunked body only up to MAX_CONTENT_LENGTH and then stops without a word,
so a valid object followed by megabytes of padding was stored as if it were the whole body.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge


def _is_chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def refuse_oversized_chunked_body() -> None:
    """Read a chunked body within the limit; one byte past it is a 413, as with a length."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None or request.content_length is not None or not _is_chunked():
        return
    request.get_data(cache=True)  # at most `limit` bytes, kept for the view
    if request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def init_app(app: Flask) -> None:
    """Check every request (API and pages) before its view reads the body."""
    app.before_request(refuse_oversized_chunked_body)
