"""Configuration from the environment, with defaults that run the tracker out of the box."""

from __future__ import annotations

import os
import secrets
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


def _origins(raw: str | None) -> list[str] | None:
    """None (same origin only) or the listed origins."""
    return [origin.strip() for origin in raw.split(",") if origin.strip()] if raw else None


def from_environment(instance_path: str) -> dict:
    """Settings read once, when the app is created (never at import time)."""
    url = database_url(os.environ.get("DATABASE_URL"), instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Without SECRET_KEY sessions last only as long as the process; fine for the demo.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        # Officials' login cookie: not readable by scripts, not sent cross-site, 12 hours.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
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
        # Snapshots (watch, resync) one live connection may ask for; more are refused.
        "LIVE_SNAPSHOT_LIMIT": os.environ.get("LIVE_SNAPSHOT_LIMIT", "10 per 10 seconds"),
        # How far ahead of the server's clock a split time may be (device clocks drift).
        "FUTURE_TOLERANCE_S": float(os.environ.get("FUTURE_TOLERANCE_S", "5")),
    }
