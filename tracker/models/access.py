"""API tokens, stored as hashes, and the officials' server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utc_now


class ApiToken(db.Model):
    """A bearer token for a machine client or official; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # A revoked name can be issued again; two live tokens never share one.
        Index(
            "uq_api_tokens_live_name",
            "name",
            unique=True,
            sqlite_where=db.text("revoked_at IS NULL"),
            postgresql_where=db.text("revoked_at IS NULL"),
        ),
        CheckConstraint("role in ('admin', 'official', 'timing')", name="role_known"),
    )


class LoginSession(db.Model):
    """An official's browser session, kept by Flask-Session (`tracker.sessions`).

    The columns are the ones Flask-Session's SQLAlchemy backend reads and writes; the
    cookie holds only the random `session_id`, so deleting the row ends the login.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Naive UTC: Flask-Session compares it with datetime.utcnow().
    expiry: Mapped[datetime | None] = mapped_column(DateTime)
