"""Fan-out benchmark: one split posted over HTTP, delivered to N live watchers.

Starts the tracker under gunicorn (gevent, as configured, or the threading mode for
comparison) on loopback with a fresh SQLite database, connects N Socket.IO clients (asyncio,
in this process), posts splits one at a time and measures POST-to-delivery latency on one
clock, plus the server's CPU time per delivery and its memory per client.

    .venv/bin/python bench/fanout.py --mode gevent --clients 1000 --splits 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil
import socketio

# The bench replays Vienna 2019: its servers accept instants that old (TIME_WINDOW_DAYS).
os.environ.setdefault("TIME_WINDOW_DAYS", str(100 * 365))

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from racekit import CHECKPOINTS, GUN  # noqa: E402
from servers import free_port  # noqa: E402

MODES = {
    "gevent": ["-c", "gunicorn.conf.py"],
    "threading": ["-c", "gunicorn.conf.py", "-k", "gthread", "--threads", "1500"],
}


def start_server(mode: str, database: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "TRACKER_LOG_LEVEL": "warning",
        "SOCKETIO_ASYNC_MODE": "gevent" if mode == "gevent" else "threading",
    }
    subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    token = subprocess.run(
        [str(BIN / "flask"), "token", "create", "--role", "admin", "--name", "bench"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *MODES[mode],
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process.token = token
    return process


async def main(args) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(args.mode, f"sqlite:///{tmp}/bench.sqlite3", port)
        try:
            return await run(args, base, server)
        finally:
            server.terminate()
            server.wait(timeout=20)


async def run(args, base: str, server: subprocess.Popen) -> dict:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            try:
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        for path, body in [
            ("/api/races", {"slug": "bench", "name": "Bench", "checkpoints": CHECKPOINTS}),
            ("/api/races/bench/athletes", {"bib": "1", "name": "Runner"}),
            ("/api/races/bench/start", {"at": GUN}),
        ]:
            async with http.post(base + path, json=body, headers=headers) as response:
                assert response.status in (200, 201), await response.text()

        received: dict[int, list[float]] = {}
        ready = 0
        snapshot_seq = 0

        def make_client():
            client = socketio.AsyncClient(reconnection=False)

            async def on_snapshot(snapshot):
                nonlocal ready, snapshot_seq
                ready += 1
                snapshot_seq = snapshot["seq"]

            async def on_delta(delta):
                received.setdefault(delta["seq"], []).append(time.perf_counter())

            client.on("snapshot", on_snapshot, namespace="/live")
            client.on("delta", on_delta, namespace="/live")
            return client

        clients = [make_client() for _ in range(args.clients)]
        worker = psutil.Process(server.pid).children()[0]
        rss_before = worker.memory_info().rss
        for start in range(0, len(clients), 100):
            batch = clients[start : start + 100]
            await asyncio.gather(
                *(c.connect(base, namespaces=["/live"], transports=["websocket"]) for c in batch)
            )
            await asyncio.gather(
                *(c.emit("watch", {"race": "bench"}, namespace="/live") for c in batch)
            )
        deadline = time.monotonic() + 60
        while ready < args.clients and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        rss_after = worker.memory_info().rss

        latencies = []
        cpu_start = worker.cpu_times()
        checkpoints = [cp["code"] for cp in CHECKPOINTS]
        for index in range(args.splits):
            sent = time.perf_counter()
            body = {
                "bib": "1",
                "checkpoint": checkpoints[index % len(checkpoints)],
                "elapsed_s": 850 * (index % len(checkpoints) + 1),
            }
            if index >= len(checkpoints):
                # Past the last checkpoint, correct instead: still one delta each.
                async with http.get(f"{base}/api/races/bench/athletes/1") as response:
                    split = next(
                        s
                        for s in (await response.json())["splits"]
                        if s["checkpoint"] == body["checkpoint"]
                    )
                sent = time.perf_counter()
                request = http.patch(
                    f"{base}/api/races/bench/splits/{split['id']}",
                    json={"elapsed_s": split["elapsed_s"] + 1, "reason": "bench"},
                    headers=headers,
                )
            else:
                request = http.post(f"{base}/api/races/bench/splits", json=body, headers=headers)
            async with request as response:
                assert response.status in (200, 201), await response.text()
            expected = snapshot_seq + index + 1
            seq_deadline = time.monotonic() + 30
            while time.monotonic() < seq_deadline:
                if len(received.get(expected, ())) >= args.clients:
                    break
                await asyncio.sleep(0.002)
            arrivals = received.get(expected, [])
            if len(arrivals) < args.clients:
                print(
                    f"seq {expected}: {len(arrivals)} of {args.clients} delivered", file=sys.stderr
                )
            latencies += [(arrival - sent) * 1000 for arrival in arrivals]
            await asyncio.sleep(0.2)
        cpu_end = worker.cpu_times()
        cpu_us = (cpu_end.user + cpu_end.system - cpu_start.user - cpu_start.system) * 1e6

        await asyncio.gather(*(c.disconnect() for c in clients))
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return {
        "mode": args.mode,
        "clients": args.clients,
        "splits": args.splits,
        "deliveries": len(latencies),
        "p50_ms": round(pick(0.50), 1),
        "p99_ms": round(pick(0.99), 1),
        "max_ms": round(latencies[-1], 1),
        # Includes each split's HTTP request, commit and projection, spread over its deliveries.
        "server_cpu_us_per_delivery": round(cpu_us / max(1, len(latencies)), 1),
        "server_rss_kb_per_client": round((rss_after - rss_before) / 1024 / args.clients, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="gevent")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--splits", type=int, default=20)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
