"""One anonymous socket flooding `resync` or `watch`: what it costs an official and the watchers.

Starts the tracker under gunicorn (gevent, as configured) with a fresh SQLite database, a
race of 30 athletes and N watchers, then posts splits one at a time and measures an
official's POST acknowledgement and each watcher's delivery, on one clock: first quietly,
then while one socket sends `resync` (or `watch`) in bursts of 500 and reconnects whenever
the server closes it. Figures are reported as ratios to the quiet run of the same process.

    .venv/bin/python bench/live_flood.py --watchers 50 --splits 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
logging.getLogger("socketio.client").setLevel(logging.CRITICAL)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import start_server  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from racekit import CHECKPOINTS, GUN  # noqa: E402
from servers import free_port  # noqa: E402

BURST = 500


async def flood(base: str, event: str, stop: asyncio.Event, counts: dict) -> None:
    """Send `event` BURST times at once; when the server closes the socket, come back."""

    def count(error):
        counts[error["code"]] = counts.get(error["code"], 0) + 1

    while not stop.is_set():
        client = socketio.AsyncClient(reconnection=False)
        client.on("error", count, namespace="/live")
        try:
            await client.connect(base, namespaces=["/live"], transports=["websocket"])
            counts["connects"] = counts.get("connects", 0) + 1
            await client.emit("watch", {"race": "bench"}, namespace="/live")
            for _ in range(BURST):
                await client.emit(event, {"race": "bench"}, namespace="/live")
            for _ in range(20):  # a second at most for the server's answer
                if not client.connected:
                    counts["closed_by_server"] = counts.get("closed_by_server", 0) + 1
                    break
                await asyncio.sleep(0.05)
        except (socketio.exceptions.SocketIOError, aiohttp.ClientError):
            await asyncio.sleep(0.05)
        finally:
            await client.disconnect()


async def measure(http, base, headers, received, watchers, splits, first_seq, first) -> dict:
    """Post `splits` new splits one at a time; the ack and every watcher's delivery of each."""
    acks, deliveries = [], []
    seq = first_seq
    for index in range(first, first + splits):
        checkpoint = CHECKPOINTS[index % len(CHECKPOINTS)]
        body = {
            "bib": str(index // len(CHECKPOINTS) + 1),
            "checkpoint": checkpoint["code"],
            "elapsed_s": checkpoint["distance_m"] * 0.17,
        }
        sent = time.perf_counter()
        async with http.post(f"{base}/api/races/bench/splits", json=body, headers=headers) as r:
            assert r.status in (200, 201), await r.text()
        acks.append(time.perf_counter() - sent)
        seq += 1
        deadline = time.monotonic() + 30
        while len(received.get(seq, ())) < watchers and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        deliveries += [arrival - sent for arrival in received.get(seq, [])]
        if len(received.get(seq, ())) < watchers:
            print(f"seq {seq}: {len(received.get(seq, ()))} of {watchers}", file=sys.stderr)
        await asyncio.sleep(0.1)
    return {"ack": acks, "delivery": deliveries, "last_seq": seq}


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(args, base: str, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    # A new connection per request, as an official's phone makes them: no stale keep-alive.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        for path, body in [
            ("/api/races", {"slug": "bench", "name": "Bench", "checkpoints": CHECKPOINTS}),
            *[
                ("/api/races/bench/athletes", {"bib": str(b), "name": f"R{b}"})
                for b in range(1, 31)
            ],
            ("/api/races/bench/start", {"at": GUN}),
        ]:
            async with http.post(base + path, json=body, headers=headers) as response:
                assert response.status in (200, 201), await response.text()
        received: dict[int, list[float]] = {}
        seqs = []

        async def on_delta(delta):
            received.setdefault(delta["seq"], []).append(time.perf_counter())

        async def on_snapshot(snapshot):
            seqs.append(snapshot["seq"])

        clients = []
        for _ in range(args.watchers):
            client = socketio.AsyncClient(reconnection=False)
            client.on("delta", on_delta, namespace="/live")
            client.on("snapshot", on_snapshot, namespace="/live")
            await client.connect(base, namespaces=["/live"], transports=["websocket"])
            await client.emit("watch", {"race": "bench"}, namespace="/live")
            clients.append(client)
        while len(seqs) < args.watchers:
            await asyncio.sleep(0.05)
        seq, results = max(seqs), {}
        for number, phase in enumerate(("quiet", "resync", "watch")):
            stop, counts = asyncio.Event(), {}
            flooder = None
            if phase != "quiet":
                flooder = asyncio.create_task(flood(base, phase, stop, counts))
                await asyncio.sleep(1.0)
            figures = await measure(
                http, base, headers, received, args.watchers, args.splits, seq, number * args.splits
            )
            seq = figures["last_seq"]
            stop.set()
            if flooder:
                await flooder
            results[phase] = {
                "ack_p50_ms": round(p(figures["ack"], 0.5), 1),
                "ack_p99_ms": round(p(figures["ack"], 0.99), 1),
                "delivery_p50_ms": round(p(figures["delivery"], 0.5), 1),
                "delivery_p99_ms": round(p(figures["delivery"], 0.99), 1),
                "flooder": counts,
            }
        await asyncio.gather(*(c.disconnect() for c in clients))
    quiet = results["quiet"]
    for phase in ("resync", "watch"):
        for figure in ("ack_p50_ms", "delivery_p50_ms", "ack_p99_ms", "delivery_p99_ms"):
            ratio = results[phase][figure] / max(quiet[figure], 0.1)
            results[phase][figure.replace("_ms", "_ratio")] = round(ratio, 2)
    return {"watchers": args.watchers, "splits": args.splits, **results}


async def main(args) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server("gevent", f"sqlite:///{tmp}/bench.sqlite3", port)
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(100):
                    try:
                        async with http.get(base + "/healthz") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
            return await run(args, base, server.token)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=50)
    parser.add_argument("--splits", type=int, default=30, help="per phase; at most 100")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=1))
