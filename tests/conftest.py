"""Fixtures: an app on a freshly migrated database (SQLite, and PostgreSQL where it runs)."""

from __future__ import annotations

import os
import shutil
import uuid

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from racekit import GUN_TIME
from tracker import create_app
from tracker.db import db
from tracker.demo import vienna
from tracker.services import athletes, races
from tracker.services.tokens import create_token
from tracker.transactions import write

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI") == "true"
# The suite replays Vienna 2019: let instants that old through (the servers it starts
# inherit this too). Tests of the window itself set a tight one.
os.environ.setdefault("TIME_WINDOW_DAYS", str(100 * 365))
# Tests set races up as fast as the machine allows, from one address: the write limit is
# for hostile clients (tests/test_rate_limits.py sets its own).
os.environ.setdefault("WRITE_RATE_LIMIT", "100000 per second")


def make_app(database_url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})


def migrate(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file that each test copies (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite3"
    migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_database():
    """A throwaway PostgreSQL database, migrated once, dropped at the end."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        migrate(url)
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """Every database test runs on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    with psycopg.connect(url, autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return url.replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Tokens:
    """Bearer headers for each role, created through the service like `flask token create`."""

    def __init__(self) -> None:
        self._headers: dict[str, dict[str, str]] = {}

    def __getitem__(self, role: str) -> dict[str, str]:
        if role not in self._headers:
            token = write(lambda: create_token(db.session, name=f"test-{role}", role=role))
            self._headers[role] = {"Authorization": f"Bearer {token}"}
        return self._headers[role]


@pytest.fixture
def auth(app) -> Tokens:
    return Tokens()


@pytest.fixture
def session(app):
    """The app's session, for the service tier (tests/services/): every change goes through
    `transactions.write`, as at the edges."""
    return db.session


@pytest.fixture
def vienna_race(session):
    """Vienna set up through the services: its checkpoints and athletes, the gun fired."""

    def set_up():
        race = races.create_race(
            session,
            slug="vienna",
            name=vienna.NAME,
            timezone=vienna.TIMEZONE,
            checkpoints=vienna.CHECKPOINTS,
        )
        for athlete in vienna.ATHLETES:
            athletes.add_athlete(session, race, **athlete, now=GUN_TIME)
        races.start_race(session, race, at=GUN_TIME)
        return race

    return write(set_up)


def count_rows(table: str) -> int:
    """Rows in a table, to prove a refused request stored nothing."""
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
