"""Rate limits (Flask-Limiter), per client address: wrong credentials and writes.

Wrong tokens at `/login` and wrong bearer tokens at the API share one budget, counted
only when a presented credential is refused, so an official whose login expired is
never locked out by their console's retries. Counters live in Redis when REDIS_URL is
set; if Redis is down they fall back to this process's memory rather than failing.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from redis.backoff import NoBackoff
from redis.retry import Retry
from werkzeug.middleware.proxy_fix import ProxyFix

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]

limiter = Limiter(key_func=get_remote_address)


def refuse_credential() -> None:
    """Count this request against its address's budget of wrong credentials."""
    g.credential_refused = True


def _credential_was_refused(response) -> bool:
    return g.get("credential_refused", False)


def _wrong_credentials_limit() -> str:
    return current_app.config["AUTH_FAILURE_RATE_LIMIT"]


def _write_limit() -> str:
    return current_app.config["WRITE_RATE_LIMIT"]


def _reads_and_logins_exempt() -> bool:
    return request.method not in WRITE_METHODS


# The decorators the edges use: on the API blueprint and on the login view.
wrong_credentials = limiter.shared_limit(
    _wrong_credentials_limit, scope="wrong-credentials", deduct_when=_credential_was_refused
)
writes = limiter.shared_limit(_write_limit, scope="writes", exempt_when=_reads_and_logins_exempt)


def retry_after(error: Exception) -> str:
    """Seconds to wait after a 429: the breached limit's window (Flask-Limiter may raise it)."""
    limit = getattr(error, "limit", None)
    return str(max(1, limit.limit.get_expiry()) if limit is not None else 60)


def init_app(app: Flask) -> None:
    """Bind the limiter; trust X-Forwarded-For only from the configured proxies."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if app.config["REDIS_URL"]:
        # A Redis that hangs must not hold a write: each check waits at most half a second,
        # tried once, and then the in-memory fallback takes over until Redis answers again.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
                "retry": Retry(NoBackoff(), 0),
            },
        )
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # Our 429 handlers set Retry-After from the breached limit; Flask-Limiter's headers
    # describe whichever limit it checked last (the one-second write window: "0").
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["SOCKETIO_CHANNEL"])
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    limiter.init_app(app)
