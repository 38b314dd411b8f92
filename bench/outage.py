"""Outages under load, measured: PostgreSQL stopped (or crashed) and started again, or the
Redis message queue between two processes stopped and started again, while splits and
raw-read batches flow (tests/ingestkit.py: retries, re-sends, out-of-order arrival).

    .venv/bin/python bench/outage.py postgres --mode immediate --outage-s 30
    .venv/bin/python bench/outage.py redis --outage-s 60 --watchers 20

By default both run against private servers started from this machine's binaries on free
loopback ports (never the shared ones). To target your own, give their URLs and the shell
commands that stop and start them:

    .venv/bin/python bench/outage.py postgres --database-url postgresql://u@db/x \\
        --stop 'pg_ctlcluster 15 main stop -m immediate' --start 'pg_ctlcluster 15 main start'

Prints a summary (JSON with --json). Run it alone (`flock /tmp/loadtest.lock …`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from faultkit import PrivatePostgres, PrivateRedis  # noqa: E402
from ingestkit import Ingest, plan_race, prepare, set_up  # noqa: E402
from livekit import Watcher  # noqa: E402
from oracle import check_storage  # noqa: E402
from servers import Server  # noqa: E402


def shell(command: str):
    return lambda: subprocess.run(command, shell=True, check=True, timeout=120)


def until(predicate, timeout_s: float = 120) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if predicate():
            return round(time.monotonic() - start, 2)
        time.sleep(0.05)
    return None


def healthy(base_url: str) -> bool:
    try:
        return requests.get(base_url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def during(ingest: Ingest, before: dict, at_down: float, at_up: float) -> dict:
    """What the senders were answered between the stop and the start."""
    answers = {k: v - before.get(k, 0) for k, v in ingest.journal.answers.items()}
    acked = sum(1 for t in ingest.journal.ack_times if at_down < t < at_up)
    return {"answers": {k: v for k, v in answers.items() if v}, "acknowledged": acked}


def postgres_outage(args, database: str, stop, start, workdir: Path) -> dict:
    admin, timing = prepare(database)
    with Server(database, log=workdir / "gunicorn.log") as server:
        plan = plan_race(args.athletes)
        set_up(server.base_url, admin, plan)
        ingest = Ingest(server.base_url, timing, plan, senders=args.senders, rate=args.rate).start()
        until(lambda: len(ingest.journal.ack_times) >= 50)
        before, at_down = dict(ingest.journal.answers), time.monotonic()
        stop()
        time.sleep(args.outage_s)
        at_up = time.monotonic()
        outage = during(ingest, before, at_down, at_up)
        start()
        recovered = until(lambda: healthy(server.base_url))
        first_ack = until(lambda: any(t > at_up for t in ingest.journal.ack_times))
        until(ingest.done, 600)
        ingest.stop()
    return {
        "scenario": f"postgres stop -m {args.mode}",
        "outage_s": args.outage_s,
        "during_outage": outage,
        "healthy_again_s": recovered,
        "first_ack_after_start_s": first_ack,
        "problems": ingest.journal.problems[:20],
        **check_storage(database, plan, ingest.journal),
    }


def redis_outage(args, database: str, redis_url: str, stop, start, workdir: Path) -> dict:
    admin, timing = prepare(database)
    env = {"REDIS_URL": redis_url, "SOCKETIO_CHANNEL": f"outage-{uuid.uuid4().hex[:8]}"}
    with (
        Server(database, env, log=workdir / "a.log") as a,
        Server(database, env, log=workdir / "b.log") as b,
    ):
        plan = plan_race(args.athletes)
        set_up(a.base_url, admin, plan)
        watchers = [
            Watcher(server.base_url, plan.slug).connect()
            for _ in range(args.watchers // 2)
            for server in (a, b)
        ]
        ingest = Ingest(a.base_url, timing, plan, senders=args.senders, rate=args.rate).start()
        until(lambda: len(ingest.journal.ack_times) >= 50)
        before, at_down = dict(ingest.journal.answers), time.monotonic()
        stop()
        time.sleep(args.outage_s)
        at_up = time.monotonic()
        outage = during(ingest, before, at_down, at_up)
        start()
        seq = requests.get(f"{b.base_url}/api/races/{plan.slug}", timeout=10).json()["seq"]
        converged = until(lambda: all(w.state and w.state["seq"] >= seq for w in watchers), 60)
        on_b = watchers[1::2]
        counts = [len(w.deltas) for w in on_b]
        deltas_again = until(
            lambda: all(len(w.deltas) > n for w, n in zip(on_b, counts, strict=True)), 60
        )
        until(ingest.done, 600)
        ingest.stop()
        for watcher in watchers:
            watcher.close()
    return {
        "scenario": "redis stopped",
        "outage_s": args.outage_s,
        "watchers": len(watchers),
        "during_outage": outage,
        "all_watchers_at_seq_of_return_s": converged,
        "deltas_crossing_processes_again_s": deltas_again,
        "problems": ingest.journal.problems[:20],
        **check_storage(database, plan, ingest.journal),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fault", choices=("postgres", "redis"))
    parser.add_argument("--outage-s", type=float, default=30)
    parser.add_argument("--mode", choices=("immediate", "fast"), default="immediate")
    parser.add_argument("--athletes", type=int, default=40)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--rate", type=float, default=10, help="requests a second, all senders")
    parser.add_argument("--watchers", type=int, default=20, help="redis: split over 2 processes")
    parser.add_argument("--database-url", help="default: a private PostgreSQL")
    parser.add_argument("--redis-url", help="default: a private Redis")
    parser.add_argument("--stop", help="shell command that stops the target (with a URL)")
    parser.add_argument("--start", help="shell command that starts it again")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="outage-"))
    pg = None if args.database_url else PrivatePostgres().create()
    cache = None if (args.redis_url or args.fault == "postgres") else PrivateRedis().start()
    try:
        database = args.database_url or pg.url
        if args.fault == "postgres":
            stop = shell(args.stop) if args.stop else lambda: pg.stop(args.mode)
            start = shell(args.start) if args.start else pg.start
            summary = postgres_outage(args, database, stop, start, workdir)
        else:
            stop = shell(args.stop) if args.stop else cache.stop
            start = shell(args.start) if args.start else cache.start
            redis_url = args.redis_url or cache.url
            summary = redis_outage(args, database, redis_url, stop, start, workdir)
    finally:
        if cache:
            cache.stop()
        if pg:
            pg.destroy()
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    print(f"server logs: {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
