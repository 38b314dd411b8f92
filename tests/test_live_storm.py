"""Reconnect storms: a quarter of a few hundred watchers dropped and reconnected again and
again while splits flow; every one ends on exactly the server's state."""

from __future__ import annotations

import asyncio

import pytest

from livekit import RemoteRace
from servers import Server, flask_cli
from stormkit import run_storm

pytestmark = pytest.mark.server

CLIENTS, ROUNDS = 200, 5


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('storm') / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {token}"}
        yield running


def test_after_a_reconnect_storm_every_watcher_holds_the_exact_server_state(server):
    field = [(str(bib), f"Runner {bib}") for bib in range(1, 21)]
    race = RemoteRace(server, athletes=field)
    bibs = [bib for bib, _ in field]
    report = asyncio.run(
        run_storm(server.base_url, race.slug, server.headers, bibs, CLIENTS, ROUNDS)
    )
    assert report.reconnects == ROUNDS * CLIENTS // 4
    assert report.splits > 0
    assert report.diverged == [], f"{len(report.diverged)} watchers never converged"
    # Polite clients are never refused, however stormy.
    assert report.errors == []
