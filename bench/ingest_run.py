"""Ingest for the benchmark suite: chip reads of a mass race posted through the HTTP batch
endpoint of gunicorn with durable commits, on SQLite or PostgreSQL, with or without live
watchers of the race; reads and splits per second, acknowledgement latency, and the check
that every split is stored exactly once (`mass_race.verify`).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests
import socketio
from mass_race import GUN, crossings, flask, post_batches, reads_for, set_up, verify

from servers import Server

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def database(kind: str):
    """A fresh, empty database URL of this kind; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'ingest.sqlite3'}"
        return
    name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Watchers:
    """`count` Socket.IO watchers of a race on their own thread and event loop, counting
    the deltas they receive."""

    def __init__(self, base_url: str, slug: str, count: int) -> None:
        self.base_url, self.slug, self.count = base_url, slug, count
        self.deltas = 0
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        clients = [socketio.AsyncClient(reconnection=False) for _ in range(self.count)]
        joined = 0

        async def on_snapshot(_):
            nonlocal joined
            joined += 1

        async def on_delta(_):
            self.deltas += 1

        for client in clients:
            client.on("snapshot", on_snapshot, namespace="/live")
            client.on("delta", on_delta, namespace="/live")
            await client.connect(self.base_url, namespaces=["/live"], transports=["websocket"])
            await client.emit("watch", {"race": self.slug}, namespace="/live")
        while joined < self.count:
            await asyncio.sleep(0.05)
        self.ready.set()
        while not self.stop.is_set():
            await asyncio.sleep(0.1)
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    def __enter__(self) -> Watchers:
        if self.count:
            self.thread.start()
            if not self.ready.wait(300):
                raise RuntimeError("the watchers did not all join")
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.count:
            self.thread.join(60)


def ingest(kind: str, *, runners: int, clients: int, watchers: int) -> dict:
    """One mass race's reads through the HTTP batch endpoint of a fresh server."""
    with database(kind) as url, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": url, "TRACKER_LOG_LEVEL": "warning"}
        flask(env, "db", "upgrade")
        token = flask(env, "token", "create", "--role", "timing", "--name", "bridge").split()[-1]
        admin = flask(env, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
        set_up(env, "mass", runners, Path(tmp))
        crossing_list = crossings(runners, seed=1)
        reads = reads_for(crossing_list, seed=2)
        with Server(url, {"TRACKER_LOG_LEVEL": "warning"}) as server:
            requests.post(
                f"{server.base_url}/api/races/mass/start",
                json={"at": GUN.isoformat()},
                headers={"Authorization": f"Bearer {admin}"},
                timeout=30,
            ).raise_for_status()
            with Watchers(server.base_url, "mass", watchers) as watching:
                figures = post_batches(server.base_url, token, "mass", reads, clients)
            checked = verify(url, "mass", crossing_list)
        return {
            "database": kind,
            "watchers": watchers,
            "runners": runners,
            "reads": len(reads),
            **figures,
            "splits_per_s": round(checked["stored_splits"] / figures["seconds"]),
            "deltas_received": watching.deltas,
            **checked,
        }
