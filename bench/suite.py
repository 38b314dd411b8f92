"""The tracker's benchmark suite: the real tracker (gunicorn, the project's gunicorn.conf.py)
and a minimal Node socket.io reference (bench/node_ref) measured in one run by one load
generator (`fanout.measure`), plus ingest, projection and the summary snapshot of a big race.

Prints one table, with the tracker/Node ratio wherever Node has the figure, and writes JSON.
Run it through `./scripts/bench` (installs the reference's packages, holds the load lock):

    ./scripts/bench                                  # N = 1,000, 3,000, 10,000
    ./scripts/bench --ns 1000 --out /tmp/bench.json  # a quicker run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TIME_WINDOW_DAYS", str(100 * 365))

import fanout  # noqa: E402
import projection_speed  # noqa: E402
from ingest_run import ingest  # noqa: E402
from mass_race import flask  # noqa: E402

from servers import free_port  # noqa: E402

NODE_REFERENCE = BENCH / "node_ref"


def install_node_reference() -> None:
    """The reference's packages, as its package-lock.json pins them."""
    if not (NODE_REFERENCE / "node_modules" / "socket.io").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=NODE_REFERENCE,
            check=True,
            capture_output=True,
        )


def fanout_tracker(clients: int, paced: int, burst: int) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = fanout.start_server("gevent", f"sqlite:///{tmp}/fanout.sqlite3", port)
        try:
            return asyncio.run(
                fanout.measure(
                    f"http://127.0.0.1:{port}",
                    server.token,
                    psutil.Process(server.pid),
                    clients=clients,
                    paced=paced,
                    burst=burst,
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


def fanout_node(clients: int, paced: int, burst: int, delta_bytes: int, snapshot_bytes: int):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DELTA_BYTES": str(delta_bytes),
        "SNAPSHOT_BYTES": str(snapshot_bytes),
    }
    server = subprocess.Popen(
        ["node", str(NODE_REFERENCE / "server.js")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return asyncio.run(
            fanout.measure(
                f"http://127.0.0.1:{port}",
                "none",
                psutil.Process(server.pid),
                clients=clients,
                paced=paced,
                burst=burst,
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def summary_snapshot(runners: int, repeats: int = 5) -> dict:
    """Build time and size of the summary room's snapshot of a race of `runners`, each with
    splits up to a random checkpoint (rows written in bulk, the snapshot by the tracker's
    own `live_snapshot`)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/summary.sqlite3"
        env = {**os.environ, "DATABASE_URL": url}
        flask(env, "db", "upgrade")
        os.environ["DATABASE_URL"] = url
        try:
            return _summary_snapshot(runners, repeats)
        finally:
            os.environ.pop("DATABASE_URL")


def _summary_snapshot(runners: int, repeats: int) -> dict:
    from sqlalchemy import insert, select

    from racekit import CHECKPOINTS
    from tracker import create_app
    from tracker.db import db, utc_now
    from tracker.models import Athlete, Race, Split
    from tracker.services.races import create_race, find_race, start_race
    from tracker.services.snapshots import live_snapshot
    from tracker.transactions import write

    app = create_app()
    gun = datetime.now(UTC) - timedelta(hours=2)
    with app.app_context():
        write(lambda: create_race(db.session, slug="big", name="Big race", checkpoints=CHECKPOINTS))
        write(lambda: start_race(db.session, find_race(db.session, "big"), at=gun))
        race = find_race(db.session, "big")
        now = utc_now()
        db.session.execute(
            insert(Athlete),
            [
                {
                    "race_id": race.id,
                    "bib": str(bib),
                    "name": f"Runner {bib}",
                    "role": "athlete",
                    "featured": bib <= 10,
                    "seq": 0,
                    "created_at": now,
                }
                for bib in range(1, runners + 1)
            ],
        )
        ids = {bib: id_ for bib, id_ in db.session.execute(select(Athlete.bib, Athlete.id))}
        marks = sorted(race.checkpoints, key=lambda cp: cp.distance_m)
        rng, rows = random.Random(3), []
        for bib, athlete_id in ids.items():
            pace, reached = rng.uniform(170, 420), rng.randint(0, len(marks) - 1)
            for mark in marks[:reached]:
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "race_id": race.id,
                        "athlete_id": athlete_id,
                        "checkpoint_id": mark.id,
                        "elapsed_ms": round(mark.distance_m * pace * rng.uniform(0.98, 1.04)),
                        "source": "mat",
                        "entered_by": "scorer",
                        "received_at": now,
                        "idempotency_key": f"bench:{bib}:{mark.code}",
                        "version": 1,
                    }
                )
        db.session.execute(insert(Split), rows)
        db.session.commit()
        builds, size = [], 0
        for _ in range(repeats):
            db.session.remove()
            race = db.session.scalar(select(Race).where(Race.slug == "big"))
            started = time.perf_counter()
            encoded = json.dumps(live_snapshot(db.session, race, []), separators=(",", ":"))
            builds.append(time.perf_counter() - started)
            size = len(encoded)
        db.session.remove()
    return {
        "runners": runners,
        "splits": len(rows),
        "snapshot_bytes": size,
        "build_ms": round(statistics.median(builds) * 1000, 1),
    }


def run(args) -> dict:
    """Every measurement, in order; the whole result as one dict."""
    install_node_reference()
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "node": subprocess.run(
                ["node", "--version"], capture_output=True, text=True
            ).stdout.strip(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "fanout": [],
        "ingest": [],
    }
    for clients in args.ns:
        tracker = fanout_tracker(clients, args.paced, args.burst)
        node = fanout_node(
            clients, args.paced, args.burst, tracker["delta_bytes"], tracker["snapshot_bytes"]
        )
        results["fanout"].append({"clients": clients, "tracker": tracker, "node": node})
        print(f"fan-out N={clients}: done", file=sys.stderr)
        args.out.write_text(json.dumps(results, indent=1) + "\n")  # a long run's partial results
    for kind in args.databases:
        for watchers in args.watchers:
            results["ingest"].append(
                ingest(kind, runners=args.runners, clients=args.bridges, watchers=watchers)
            )
            print(f"ingest {kind}, {watchers} watchers: done", file=sys.stderr)
            args.out.write_text(json.dumps(results, indent=1) + "\n")
    results["projection"] = projection_speed.measure(args.projection_runners)
    results["summary_snapshot"] = summary_snapshot(args.summary_runners)
    return results


def _ratio(tracker, node) -> str:
    if not isinstance(tracker, int | float) or not isinstance(node, int | float) or not node:
        return ""
    return f"{tracker / node:.1f}×"


def table(results: dict) -> str:
    """The results as a Markdown table: figure, tracker, Node, tracker/Node."""
    lines = ["| figure | tracker | Node | tracker/Node |", "|---|---|---|---|"]
    for row in results["fanout"]:
        n, tracker, node = row["clients"], row["tracker"], row["node"]
        figures = [
            ("connect + snapshot, all N (s)", "connect_snapshot_s", None),
            ("memory per connection (KB)", "rss_kb_per_client", None),
            ("snapshot bytes", "snapshot_bytes", None),
        ]
        for phase in ("paced", "burst"):
            for key in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "missed", "cpu_us_per_delivery"):
                figures.append((f"{phase} {key.replace('_', ' ')}", key, phase))
        for label, key, phase in figures:
            a = (tracker[phase] if phase else tracker)[key]
            b = (node[phase] if phase else node)[key]
            lines.append(f"| N={n:,} {label} | {a} | {b} | {_ratio(a, b)} |")
    for row in results["ingest"]:
        name = f"ingest {row['database']}, {row['watchers']} watchers"
        lines += [
            f"| {name}: reads/s | {row['reads_per_s']} | | |",
            f"| {name}: splits/s | {row['splits_per_s']} | | |",
            f"| {name}: ack p50 / p99 (ms) | {row['ack_p50_ms']} / {row['ack_p99_ms']} | | |",
            f"| {name}: splits exact / expected, duplicates | {row['exact']} / "
            f"{row['expected_splits']}, {row['duplicates']} | | |",
        ]
    projection = results["projection"]
    per = ", ".join(f"{k} {v}" for k, v in projection["us_per_projection"].items())
    lines += [
        f"| projection µs per athlete (CPU) | {per} | | |",
        f"| projection, {projection['whole_race_runners']:,} runners (CPU s / wall s) | "
        f"{projection['whole_race_s']} / {projection['whole_race_wall_s']} | | |",
    ]
    summary = results["summary_snapshot"]
    lines.append(
        f"| summary snapshot, {summary['runners']:,} runners: bytes, build ms | "
        f"{summary['snapshot_bytes']:,}, {summary['build_ms']} | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--paced", type=int, default=20, help="paced splits per N")
    parser.add_argument("--burst", type=int, default=20, help="splits posted at once per N")
    parser.add_argument("--runners", type=int, default=1000, help="mass race for ingest")
    parser.add_argument("--bridges", type=int, default=4, help="concurrent HTTP bridges")
    parser.add_argument(
        "--watchers", type=int, nargs="+", default=[0, 200], help="watchers during ingest runs"
    )
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--projection-runners", type=int, default=40_000)
    parser.add_argument("--summary-runners", type=int, default=40_000)
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"))
    args = parser.parse_args(argv)
    results = run(args)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    print(f"\nJSON: {args.out}")
    return results


if __name__ == "__main__":
    main()
