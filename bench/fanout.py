"""Fan-out benchmark: splits posted over HTTP, delivered to N live watchers.

Starts the tracker under gunicorn (gevent, as configured, or the threading mode for
comparison) on loopback with a fresh SQLite database, connects N Socket.IO clients (asyncio,
in this process), then posts splits one at a time (paced: each split's N deliveries awaited,
50 ms apart) and then all at once (burst), and measures POST-to-delivery latency on one
clock, the time to connect and snapshot all N, the server's CPU time per delivery and its
memory per client. `measure` is the load generator of the benchmark suite (bench/suite.py),
which points it at the tracker and at the Node reference alike.

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
import uuid
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
PACED_GAP_S = 0.05
DELIVERY_TIMEOUT_S = 30.0


def start_server(mode: str, database: str, port: int, env: dict | None = None) -> subprocess.Popen:
    """gunicorn with the project's configuration on a migrated database; `.token` is an
    admin token."""
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "TRACKER_LOG_LEVEL": "warning",
        "SOCKETIO_ASYNC_MODE": "gevent" if mode == "gevent" else "threading",
        **(env or {}),
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


def serving(process: psutil.Process) -> list[psutil.Process]:
    """The processes doing a server's work: gunicorn's workers, or a single process."""
    return process.children() or [process]


def _cpu_s(processes: list[psutil.Process]) -> float:
    return sum(p.cpu_times().user + p.cpu_times().system for p in processes)


def _rss(processes: list[psutil.Process]) -> int:
    return sum(p.memory_info().rss for p in processes)


def _percentiles(latencies: list[float], expected: int) -> dict:
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None  # noqa: E731
    return {
        "deliveries": len(ordered),
        "missed": expected - len(ordered),
        **{f"p{round(q * 100)}_ms": pick(q) and round(pick(q), 1) for q in (0.5, 0.9, 0.99)},
        "max_ms": round(ordered[-1], 1) if ordered else None,
    }


async def wait_healthy(http: aiohttp.ClientSession, base: str) -> None:
    for _ in range(300):
        try:
            async with http.get(base + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} did not come up")


async def measure(
    base: str, token: str, process: psutil.Process, *, clients: int, paced: int, burst: int
) -> dict:
    """Set up a race, connect `clients` watchers, post `paced` splits one at a time and then
    `burst` at once; every figure of one server (the tracker or the Node reference)."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await wait_healthy(http, base)
        athletes = [{"bib": str(n), "name": f"Runner {n}"} for n in range(1, paced + burst + 1)]
        for path, body in [
            ("/api/races", {"slug": "bench", "name": "Bench", "checkpoints": CHECKPOINTS}),
            *[("/api/races/bench/athletes", athlete) for athlete in athletes],
            ("/api/races/bench/start", {"at": GUN}),
        ]:
            async with http.post(base + path, json=body, headers=headers) as response:
                assert response.status in (200, 201), await response.text()

        arrivals: dict[str, list[float]] = {}
        snapshots: list[int] = []
        delta_bytes: list[int] = []

        def make_client() -> socketio.AsyncClient:
            client = socketio.AsyncClient(reconnection=False)

            async def on_snapshot(snapshot):
                snapshots.append(len(json.dumps(snapshot)))

            async def on_delta(delta):
                arrivals.setdefault((delta.get("change") or {}).get("split_id"), []).append(
                    time.perf_counter()
                )
                if len(delta_bytes) < 3:
                    delta_bytes.append(len(json.dumps(delta, separators=(",", ":"))))

            client.on("snapshot", on_snapshot, namespace="/live")
            client.on("delta", on_delta, namespace="/live")
            return client

        workers = serving(process)
        rss_before = _rss(workers)
        watchers = [make_client() for _ in range(clients)]
        began = time.perf_counter()
        refused = 0
        for start in range(0, clients, 100):
            batch = watchers[start : start + 100]
            # A loaded server may take seconds to accept a namespace: wait, and count any
            # watcher it never accepts as missing every delivery, rather than stop the run.
            outcomes = await asyncio.gather(
                *(
                    c.connect(base, namespaces=["/live"], transports=["websocket"], wait_timeout=60)
                    for c in batch
                ),
                return_exceptions=True,
            )
            joined = [c for c, outcome in zip(batch, outcomes, strict=True) if outcome is None]
            refused += len(batch) - len(joined)
            await asyncio.gather(
                *(c.emit("watch", {"race": "bench"}, namespace="/live") for c in joined)
            )
        # Every accepted watcher's snapshot, or no new one for 20 s (a watcher the server
        # dropped while loaded never gets one: it is counted as missing its deliveries).
        seen, quiet_until = -1, 0.0
        while len(snapshots) < clients - refused:
            if len(snapshots) != seen:
                seen, quiet_until = len(snapshots), time.monotonic() + 20
            elif time.monotonic() > quiet_until:
                break
            await asyncio.sleep(0.02)
        receivers = len(snapshots)
        connect_s = time.perf_counter() - began
        rss_after = _rss(workers)

        async def post(bib: str) -> tuple[str, float]:
            split_id = str(uuid.uuid4())
            body = {"id": split_id, "bib": bib, "checkpoint": CHECKPOINTS[0]["code"]}
            sent = time.perf_counter()
            async with http.post(
                f"{base}/api/races/bench/splits",
                json={**body, "elapsed_s": 850.0 + int(bib)},
                headers=headers,
            ) as response:
                assert response.status in (200, 201), await response.text()
            return split_id, sent

        async def delivered(split_ids: list[str]) -> None:
            until = time.monotonic() + DELIVERY_TIMEOUT_S
            while time.monotonic() < until:
                if all(len(arrivals.get(s, ())) >= receivers for s in split_ids):
                    return
                await asyncio.sleep(0.002)

        def latencies(sent: dict[str, float]) -> list[float]:
            return [(t - at) * 1000 for s, at in sent.items() for t in arrivals.get(s, ())]

        phases = {}
        cpu = _cpu_s(workers)
        sent: dict[str, float] = {}
        for n in range(1, paced + 1):
            split_id, at = await post(str(n))
            sent[split_id] = at
            await delivered([split_id])
            await asyncio.sleep(PACED_GAP_S)
        paced_cpu = _cpu_s(workers) - cpu
        phases["paced"] = _percentiles(latencies(sent), paced * clients)
        cpu = _cpu_s(workers)
        posted = await asyncio.gather(*(post(str(n)) for n in range(paced + 1, paced + burst + 1)))
        burst_sent = dict(posted)
        await delivered(list(burst_sent))
        burst_cpu = _cpu_s(workers) - cpu
        phases["burst"] = _percentiles(latencies(burst_sent), burst * clients)
        for name, cpu_s in (("paced", paced_cpu), ("burst", burst_cpu)):
            # Includes each split's HTTP request (and, for the tracker, commit and projection).
            count = max(1, phases[name]["deliveries"])
            phases[name]["cpu_us_per_delivery"] = round(cpu_s * 1e6 / count, 1)
        await asyncio.gather(*(c.disconnect() for c in watchers), return_exceptions=True)
    return {
        "clients": clients,
        "connect_snapshot_s": round(connect_s, 2),
        "snapshots": len(snapshots),
        "refused_connections": refused,
        "snapshot_bytes": snapshots[0] if snapshots else None,
        "delta_bytes": delta_bytes[0] if delta_bytes else None,
        "rss_kb_per_client": round((rss_after - rss_before) / 1024 / max(1, clients), 1),
        **phases,
    }


async def main(args) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(args.mode, f"sqlite:///{tmp}/bench.sqlite3", port)
        try:
            figures = await measure(
                f"http://127.0.0.1:{port}",
                server.token,
                psutil.Process(server.pid),
                clients=args.clients,
                paced=args.splits,
                burst=args.burst,
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    return {"mode": args.mode, **figures}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="gevent")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--splits", type=int, default=20, help="paced splits")
    parser.add_argument("--burst", type=int, default=10, help="splits posted at once")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
