"""Officials' logins as server-side sessions (Flask-Session), kept in the SQL database.

The cookie carries only a random session id; the login itself is a row of
`login_sessions`, so logging out deletes it and a copied cookie is worth nothing after.
The database rather than Redis: it holds the tokens the sessions stand for, every write
needs it anyway, and a Redis outage must not log the officials out.
"""

from __future__ import annotations

from flask import Flask, current_app, session
from flask_session.base import ServerSideSessionInterface
from flask_session.sqlalchemy import SqlAlchemySessionInterface

from .db import db
from .models import LoginSession

SESSION_KEY_PREFIX = "login:"


class MigratedSessionInterface(SqlAlchemySessionInterface):
    """Flask-Session's SQLAlchemy backend on our migrated `login_sessions` table.

    Its own constructor declares a model class on our metadata and creates the table at
    runtime; here the schema changes only through migrations, so we hand it ours.
    """

    def __init__(self, app: Flask) -> None:
        self.client = db
        self.sql_session_model = LoginSession
        ServerSideSessionInterface.__init__(
            self,
            app,
            key_prefix=SESSION_KEY_PREFIX,
            use_signer=False,
            permanent=True,
            sid_length=32,
            serialization_format="msgpack",
            cleanup_n_requests=app.config["SESSION_CLEANUP_N_REQUESTS"],
        )

    def open_session(self, app: Flask, request):
        """Load the login, then give the database connection back to the pool at once: a
        client trickling its body must not hold one (slowloris against the pool)."""
        loaded = super().open_session(app, request)
        db.session.rollback()
        return loaded


def login_data(session_id: str) -> dict | None:
    """What the login with this id holds (its token id), or None once it has ended."""
    interface = current_app.session_interface
    return interface._retrieve_session_data(interface._get_store_id(session_id))


def start_login() -> None:
    """A fresh session id at login, so an id planted before it is worth nothing after."""
    current_app.session_interface.regenerate(session)
    session.clear()
    session.permanent = True


def current_login() -> str | None:
    """The id of this request's login session, if it holds one."""
    return session.sid if session else None


def init_app(app: Flask) -> None:
    """Keep the session in the database; the cookie names only its random id."""
    app.session_interface = MigratedSessionInterface(app)
