"""N slow clients (trickled split bodies) against a live watcher and an official's split POST.

    .venv/bin/python bench/slow_clients.py --slow 40 200

For each N: gunicorn with the production settings (4,000 slots unless --slots), once with
the body deadline off (BODY_READ_TIMEOUT_S=0, as before) and once on (the default). It
reports the official's split POST latency, the watcher's delta latency and /healthz,
each capped at --wait seconds. Loopback only; every slow client stops by itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from livekit import RemoteRace, Watcher  # noqa: E402
from servers import Server, flask_cli  # noqa: E402

# The bench replays Vienna 2019: its servers accept instants that old (TIME_WINDOW_DAYS).
os.environ.setdefault("TIME_WINDOW_DAYS", str(100 * 365))


def trickle(server, slug: str, stop: threading.Event) -> None:
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow:
            slow.sendall(
                f"POST /api/races/{slug}/splits HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: {server.headers['Authorization']}\r\n"
                "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n".encode()
            )
            slow.settimeout(1)
            while not stop.is_set():
                slow.sendall(b" ")
                try:
                    if not slow.recv(4096):
                        return
                except TimeoutError:
                    continue
    except OSError:
        return


def timed(action, wait: float) -> str:
    started = time.monotonic()
    try:
        action()
    except Exception:
        return f">{wait:.0f} s (no answer)"
    return f"{time.monotonic() - started:.2f} s"


def run(database: str, token: str, slow: int, deadline: str, slots: int, wait: float) -> dict:
    env = {"BODY_READ_TIMEOUT_S": deadline, "TRACKER_WORKER_CONNECTIONS": str(slots)}
    with Server(database, env) as server:
        server.headers = {"Authorization": f"Bearer {token}"}
        race = RemoteRace(server)
        watcher = Watcher(server.base_url, race.slug).connect()
        watcher.wait_for(lambda w: w.state is not None)
        stop = threading.Event()
        threads = [
            threading.Thread(target=trickle, args=(server, race.slug, stop), daemon=True)
            for _ in range(slow)
        ]
        for thread in threads:
            thread.start()
        time.sleep(2)
        health = timed(lambda: requests.get(server.base_url + "/healthz", timeout=wait), wait)
        seen = len(watcher.deltas)
        split = timed(
            lambda: requests.post(
                f"{server.base_url}/api/races/{race.slug}/splits",
                json={"bib": "1", "checkpoint": "5K", "elapsed_s": 850},
                headers=server.headers,
                timeout=wait,
            ).raise_for_status(),
            wait,
        )
        delta = timed(
            lambda: watcher.wait_for(lambda w: len(w.deltas) > seen, timeout=wait) or 1 / 0, wait
        )
        stop.set()
        watcher.close()
        return {"healthz": health, "split POST": split, "watcher delta after the POST": delta}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow", type=int, nargs="+", default=[40, 200])
    parser.add_argument("--slots", type=int, default=4000)
    parser.add_argument("--wait", type=float, default=20)
    args = parser.parse_args()
    database = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "b").split()[-1]
    for slow in args.slow:
        for label, deadline in (("no body deadline", "0"), ("BODY_READ_TIMEOUT_S=10", "10")):
            figures = run(database, token, slow, deadline, args.slots, args.wait)
            print(f"{slow} slow clients, {args.slots} slots, {label}: {figures}", flush=True)


if __name__ == "__main__":
    main()
