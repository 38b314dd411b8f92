"""A reconnect storm: hundreds of asyncio Socket.IO watchers, a quarter of them dropped and
reconnected again and again while splits flow, then compared with the server's state.

Used by tests/test_live_storm.py (CI size) and bench/reconnect_storm.py (bigger).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import aiohttp
import socketio

from livekit import REFUSED_REQUESTS, merge
from racekit import CHECKPOINTS

NAMESPACE = "/live"


class StormWatcher:
    """One spectator: watches, merges by livekit's rules, asks for one snapshot at a time."""

    def __init__(self, base_url: str, race: str) -> None:
        self.base_url, self.race = base_url, race
        self.client: socketio.AsyncClient | None = None
        self.state: dict | None = None
        self.asking = False
        self.early: list[dict] = []
        self.errors: list[dict] = []
        self.connects = 0

    async def connect(self) -> None:
        client = socketio.AsyncClient(reconnection=False)
        client.on("snapshot", self._on_snapshot, namespace=NAMESPACE)
        client.on("delta", self._on_delta, namespace=NAMESPACE)
        client.on("heartbeat", self._on_heartbeat, namespace=NAMESPACE)
        client.on("error", self._on_error, namespace=NAMESPACE)
        self.client, self.state, self.asking, self.early = client, None, True, []
        await client.connect(
            self.base_url, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=20
        )
        self.connects += 1
        await client.emit("watch", {"race": self.race}, namespace=NAMESPACE)

    async def drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.disconnect()

    async def _resync(self) -> None:
        if not self.asking and self.client is not None:
            self.asking = True
            await self.client.emit("resync", {"race": self.race}, namespace=NAMESPACE)

    async def _apply(self, delta: dict) -> None:
        if merge(self.state, delta) == "gap":
            await self._resync()

    async def _on_snapshot(self, snapshot: dict) -> None:
        self.state = {k: snapshot[k] for k in ("race", "seq", "athletes")}
        await self._answered()

    async def _answered(self) -> None:
        self.asking = False
        early, self.early = self.early, []
        for delta in early:
            if self.state is not None:
                await self._apply(delta)

    async def _on_delta(self, delta: dict) -> None:
        if self.state is None or self.asking:
            self.early.append(delta)
        else:
            await self._apply(delta)

    async def _on_heartbeat(self, beat: dict) -> None:
        if self.state is not None and beat["seq"] > self.state["seq"]:
            await self._resync()

    async def _on_error(self, error: dict) -> None:
        self.errors.append(error)
        if self.asking and error["code"] in REFUSED_REQUESTS:
            await self._answered()


@dataclass
class StormReport:
    clients: int
    rounds: int
    reconnects: int = 0
    splits: int = 0
    converge_s: float = 0.0
    diverged: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


async def _post_splits(http, base, slug, headers, bibs, stop: asyncio.Event) -> int:
    """Splits for every athlete, checkpoint by checkpoint, until told to stop."""
    posted = 0
    for index, checkpoint in enumerate(CHECKPOINTS):
        for place, bib in enumerate(bibs):
            if stop.is_set():
                return posted
            body = {
                "bib": bib,
                "checkpoint": checkpoint["code"],
                "elapsed_s": checkpoint["distance_m"] * 0.17 + place + index,
            }
            url = f"{base}/api/races/{slug}/splits"
            async with http.post(url, json=body, headers=headers) as response:
                assert response.status in (200, 201), await response.text()
            posted += 1
            await asyncio.sleep(0.02)
    return posted


async def _storm(watchers: list[StormWatcher], rounds: int, rng: random.Random) -> int:
    """Each round drops a random quarter, keeps them away briefly, and brings them back."""
    reconnects = 0
    for _ in range(rounds):
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        cohort = rng.sample(watchers, len(watchers) // 4)
        await asyncio.gather(*(w.drop() for w in cohort))
        await asyncio.sleep(rng.uniform(0.2, 1.0))
        await asyncio.gather(*(w.connect() for w in cohort))
        reconnects += len(cohort)
    return reconnects


async def run_storm(
    base: str, slug: str, headers: dict, bibs: list[str], clients: int, rounds: int, seed=11
) -> StormReport:
    """Connect `clients`, post splits while `rounds` of the storm run, then wait (bounded)
    until every watcher's merged state equals a fresh GET of the race."""
    report = StormReport(clients, rounds)
    watchers = [StormWatcher(base, slug) for _ in range(clients)]
    for start in range(0, clients, 50):
        await asyncio.gather(*(w.connect() for w in watchers[start : start + 50]))
    async with aiohttp.ClientSession() as http:
        stop = asyncio.Event()
        writer = asyncio.create_task(_post_splits(http, base, slug, headers, bibs, stop))
        report.reconnects = await _storm(watchers, rounds, random.Random(seed))
        stop.set()
        report.splits = await writer
        async with http.get(f"{base}/api/races/{slug}") as response:
            truth = await response.json()
        truth = {k: truth[k] for k in ("race", "seq", "athletes")}
        quiet = time.monotonic()
        deadline = quiet + 60
        while time.monotonic() < deadline:
            report.diverged = [i for i, w in enumerate(watchers) if w.state != truth]
            if not report.diverged:
                break
            await asyncio.sleep(0.1)
        report.converge_s = round(time.monotonic() - quiet, 2)
    report.errors = [e for w in watchers for e in w.errors]
    await asyncio.gather(*(w.drop() for w in watchers))
    return report
