"""/metrics for Prometheus, not public: an official's or admin's bearer token, or the
METRICS_TOKEN that grants nothing else (what a Prometheus server should hold)."""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..domain.roles import OFFICIALS
from ..metrics import RESPONSES
from .auth import require_role

bp = Blueprint("monitoring", __name__)


def _metrics_token_presented() -> bool:
    configured = current_app.config.get("METRICS_TOKEN")
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(configured)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(presented.strip().encode(), configured.encode())
    )


@require_role(*OFFICIALS)
def _officials_only() -> None:
    """Refuses anyone but an official or admin (401 without a token, 403 for timing)."""


@bp.get("/metrics")
def metrics() -> Response:
    """This process's figures in Prometheus's text format."""
    if not _metrics_token_presented():
        _officials_only()
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def _count_response(response: Response) -> Response:
    RESPONSES.labels(request.endpoint or "unmatched", str(response.status_code)).inc()
    return response


def init_app(app: Flask) -> None:
    """Serve /metrics and count every response by endpoint and status."""
    app.register_blueprint(bp)
    app.after_request(_count_response)
