"""Reconnect storm, bigger than the test's: N watchers, a quarter dropped and reconnected each
round while splits flow, then the time until every watcher holds a fresh GET's exact state.

    .venv/bin/python bench/reconnect_storm.py --clients 800 --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import start_server  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from racekit import CHECKPOINTS, GUN  # noqa: E402
from servers import free_port  # noqa: E402
from stormkit import run_storm  # noqa: E402

logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
logging.getLogger("socketio.client").setLevel(logging.CRITICAL)


async def main(args) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server("gevent", f"sqlite:///{tmp}/bench.sqlite3", port)
        headers = {"Authorization": f"Bearer {server.token}"}
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
                bibs = [str(bib) for bib in range(1, args.athletes + 1)]
                for path, body in [
                    ("/api/races", {"slug": "storm", "name": "Storm", "checkpoints": CHECKPOINTS}),
                    *[("/api/races/storm/athletes", {"bib": b, "name": f"R{b}"}) for b in bibs],
                    ("/api/races/storm/start", {"at": GUN}),
                ]:
                    async with http.post(base + path, json=body, headers=headers) as response:
                        assert response.status in (200, 201), await response.text()
            started = time.monotonic()
            report = await run_storm(base, "storm", headers, bibs, args.clients, args.rounds)
            figures = asdict(report)
            figures["diverged"] = len(report.diverged)
            figures["errors"] = len(report.errors)
            figures["total_s"] = round(time.monotonic() - started, 1)
            return figures
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--athletes", type=int, default=30)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
