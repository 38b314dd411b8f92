"""The load balancer's health check: the app answers and the database does too."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..db import reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when a query reaches the database, 503 when it does not."""
    if not reachable():
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
