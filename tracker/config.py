"""Configuration from the environment, with defaults that run the tracker out of the box."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Bodies above this are refused with 413 before they are parsed.
MAX_BODY_BYTES = 256 * 1024


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: DATABASE_URL (psycopg 3 for PostgreSQL) or a SQLite file.

    >>> database_url("postgres://u@db/race", "/x")
    'postgresql+psycopg://u@db/race'
    """
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'tracker.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def secret_key(raw: str | None, instance_path: str) -> str:
    """SECRET_KEY, else one generated once and kept in the instance folder (mode 0600).

    A key that changed with every restart would log every official out (their CSRF
    tokens are signed with it); the instance folder is never in the repository.
    """
    if raw:
        return raw
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by an earlier run, or by a sibling process just now
        return _read_key(path)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_text().strip()


def _read_key(path: Path) -> str:
    for _ in range(50):  # a sibling may still be writing it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


def _origins(raw: str | None) -> list[str] | None:
    """None (same origin only) or the listed origins."""
    return [origin.strip() for origin in raw.split(",") if origin.strip()] if raw else None


def from_environment(instance_path: str) -> dict:
    """Settings read once, when the app is created (never at import time)."""
    url = database_url(os.environ.get("DATABASE_URL"), instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": secret_key(os.environ.get("SECRET_KEY"), instance_path),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        # Officials' login cookie: not readable by scripts, not sent cross-site, 12 hours.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        # A login lasts 12 hours from logging in, not from the last click; expired
        # sessions are swept on about one request in this many.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_CLEANUP_N_REQUESTS": 1000,
        # The CSRF token lives as long as the login, not Flask-WTF's default hour.
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
        # gevent under gunicorn (see gunicorn.conf.py); "threading" for a plain dev server.
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE", "gevent"),
        # Browsers from other origins (an overlay served elsewhere) must be listed here.
        "SOCKETIO_CORS_ORIGINS": _origins(os.environ.get("SOCKETIO_CORS_ORIGINS")),
        # The Redis channel shared by the processes of one deployment.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "tracker"),
        # Engine.IO's default is 1 MB; spectators only ever send a few hundred bytes.
        "SOCKETIO_MAX_MESSAGE_BYTES": 64 * 1024,
        # Wrong tokens (login form and bearer) per client address, and writes per address
        # (Flask-Limiter's notation: "10 per minute", "100 per second; 3000 per minute").
        "AUTH_FAILURE_RATE_LIMIT": os.environ.get("AUTH_FAILURE_RATE_LIMIT", "10 per minute"),
        "WRITE_RATE_LIMIT": os.environ.get("WRITE_RATE_LIMIT", "100 per second"),
        # A request body must arrive within this many seconds of its first byte (slowloris).
        "BODY_READ_TIMEOUT_S": float(os.environ.get("BODY_READ_TIMEOUT_S", "10")),
        # Proxies in front that set X-Forwarded-For (nginx: 1); 0 trusts no such header.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Snapshots (watch, resync) one live connection may ask for; more are refused.
        "LIVE_SNAPSHOT_LIMIT": os.environ.get("LIVE_SNAPSHOT_LIMIT", "10 per 10 seconds"),
        # Summary deltas a second a race's watchers hear one by one; past it, batches.
        "LIVE_COALESCE_ABOVE": int(os.environ.get("LIVE_COALESCE_ABOVE", "100")),
        # How far ahead of the server's clock a split time may be (device clocks drift).
        "FUTURE_TOLERANCE_S": float(os.environ.get("FUTURE_TOLERANCE_S", "5")),
        # A bearer token that may read /metrics and nothing else (for Prometheus).
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        # How far back a client-given instant (the gun, a split's or a read's time) may lie:
        # a typo'd year must never brick a race. Raise it to import an older race's files.
        "TIME_WINDOW_DAYS": float(os.environ.get("TIME_WINDOW_DAYS", "7")),
    }


def time_window(config, now) -> dict:
    """The window around `now` that client-given instants must fall in (`instant_refusal`)."""
    return {
        "now": now,
        "window_s": config["TIME_WINDOW_DAYS"] * 86400,
        "future_tolerance_s": config["FUTURE_TOLERANCE_S"],
    }
