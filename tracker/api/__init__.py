"""The JSON API under /api, its error shape and its OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api")

from . import (  # noqa: E402,F401  (routes register on bp)
    exports,
    health,
    openapi,
    problems,  # noqa: E402
    races,
    splits,
)


def init_app(app: Flask) -> None:
    """Register the API routes, the health check and the problem-details error handlers."""
    problems.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(health.bp)
