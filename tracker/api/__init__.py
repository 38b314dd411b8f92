"""The JSON API under /api: routes, strict JSON bodies, problem details (the one table of
refusal code to HTTP status), the bearer-token guard and the OpenAPI description.

May import: services, `access`, `schemas`, `transactions`, the domain; nothing imports it
but `create_app`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from .. import limits

bp = Blueprint("api", __name__, url_prefix="/api")

# The route modules register their views on bp when imported.
from . import (  # noqa: E402,F401
    athletes,
    audit,
    auth,
    body_limit,
    exports,
    ghosts,
    health,
    monitoring,
    openapi,
    pacing,
    problems,
    races,
    reads,
    results,
    review,
    splits,
    waves,
)


def init_app(app: Flask) -> None:
    """Register the API routes, the health check and the problem-details error handlers."""
    problems.init_app(app)
    body_limit.init_app(app)
    # API clients authenticate with bearer tokens, which forged requests cannot carry;
    # requests that rely on the session cookie are CSRF-checked in auth.require_role.
    auth.csrf.init_app(app)
    auth.csrf.exempt(bp)
    limits.wrong_credentials(bp)
    limits.writes(bp)
    app.register_blueprint(bp)
    app.register_blueprint(health.bp)
    # Guesses at /metrics (an official's token or METRICS_TOKEN) share the same budget.
    limits.wrong_credentials(monitoring.bp)
    monitoring.init_app(app)
