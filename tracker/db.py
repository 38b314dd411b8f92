"""The database handle, migrations, and the connection settings that make commits durable."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from .domain.refusals import Refusal

# Predictable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()

SQLITE_BUSY_TIMEOUT_MS = 5000


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    On SQLite that is BEGIN IMMEDIATE: the write lock is taken up front, so two writers
    queue on the busy timeout instead of one failing when it upgrades a read lock.
    Call it before the first query of a request that writes.
    """
    session.connection(execution_options={"immediate_write": True})


def _configure_sqlite(engine: Engine) -> None:
    """WAL, synchronous=FULL (an acknowledged commit survives power loss), busy timeout."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get("immediate_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _render_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as a plain DateTime, so they never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def init_app(app: Flask) -> None:
    """Bind the database and migrations to the app and tune SQLite connections."""
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=app.config["MIGRATIONS_DIR"],
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that
        render_item=_render_item,
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
    # Registered after Flask-SQLAlchemy's, so it runs first (teardowns run in reverse).
    app.teardown_appcontext(_release_session)


def _release_session(error: BaseException | None) -> None:
    """End the request's session; a connection the database dropped under us (a restart)
    is discarded, never turned into a 500 after the answer was decided."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        # Closing tried to roll back on a dead connection: forget this session altogether
        # (its connection is already gone), so Flask-SQLAlchemy's own teardown has nothing left.
        db.session.registry.clear()


def reachable() -> bool:
    """Whether a query reaches the database now (a failed one is rolled back)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def unavailable(error: BaseException) -> Refusal | None:
    """`database_unavailable` when `error` says the database cannot be reached now (a
    refused or dropped connection, a server shutting down, a locked SQLite file), so the
    client should retry later; None for an error that a retry would only repeat.
    """
    if not isinstance(error, DBAPIError):
        return None
    if not (error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)):
        return None
    return Refusal(
        "database_unavailable",
        "The database cannot be reached; nothing was stored. Send it again in a few seconds.",
    )


def utc_now() -> datetime:
    """The current time, aware, in UTC (the shell's clock; the pure core takes `now`)."""
    return datetime.now(UTC)
