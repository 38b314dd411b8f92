"""The load balancer's health check: the app answers and the database does too."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..db import reachable
from .problems import RETRY_AFTER_S

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when a query reaches the database, 503 when it does not."""
    if not reachable():
        body = {"status": "unavailable", "database": "unreachable"}
        return jsonify(body), 503, {"Retry-After": str(RETRY_AFTER_S)}
    return jsonify({"status": "ok", "database": "ok"})
