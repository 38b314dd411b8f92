"""Mass-race replay: N runners x 10 checkpoints of chip reads, with duplicates, through the
HTTP batch endpoint and through the ChronoTrack CTP01 listener, against gunicorn on SQLite.

Every crossing is read two or three times within a second (and some lines arrive out of
order); the ChronoTrack link drops once and the stream is played back from before the drop.
At the end every expected split must be present exactly once. Prints reads per second with
durable commits (WAL, synchronous=FULL).

    .venv/bin/python bench/mass_race.py --runners 20000 --clients 4
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy

# The bench replays a race of April 2026: its servers accept instants that old (TIME_WINDOW_DAYS).
os.environ.setdefault("TIME_WINDOW_DAYS", str(100 * 365))

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from racekit import CHECKPOINTS as RACE_CHECKPOINTS  # noqa: E402
from servers import Server, free_port  # noqa: E402
from tracker.timing.simulators import chronotrack_stream  # noqa: E402

# The marathon's checkpoints, as the tests set them up (the finish is added on creation).
CHECKPOINTS = [(cp["code"], cp["distance_m"]) for cp in RACE_CHECKPOINTS]
GUN = datetime(2026, 4, 26, 8, 0, tzinfo=UTC)


def flask(env: dict, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def set_up(env: dict, slug: str, runners: int, workdir: Path) -> None:
    flask(env, "race", "create", slug, "Mass race", "--timezone", "UTC")
    (workdir / "cp.csv").write_text(
        "code,name,distance_m\n"
        + "".join(f"{code},{code},{distance}\n" for code, distance in CHECKPOINTS[:-1])
    )
    (workdir / "ath.csv").write_text(
        "bib,name,chips\n"
        + "".join(f"{bib},Runner {bib},C{bib}\n" for bib in range(1, runners + 1))
    )
    flask(env, "import", "checkpoints", slug, str(workdir / "cp.csv"))
    flask(env, "import", "athletes", slug, str(workdir / "ath.csv"))


def crossings(runners: int, seed: int) -> list[tuple[float, int, str, float]]:
    """(wall seconds after the gun, bib, checkpoint, elapsed) for every runner and mat."""
    rng = random.Random(seed)
    out = []
    for bib in range(1, runners + 1):
        pace = rng.uniform(170, 420)  # s/km: 2:00 to 4:55 marathoners
        elapsed, covered = rng.uniform(0, 600), 0.0  # start waves: up to 10 min after the gun
        for code, distance in CHECKPOINTS:
            elapsed += pace * (distance - covered) / 1000 * rng.uniform(0.97, 1.05)
            covered = distance
            out.append((elapsed, bib, code, round(elapsed, 3)))
    return out


def reads_for(crossing_list, seed: int) -> list[dict]:
    """Two or three reads per crossing within a second, lines shuffled a little."""
    rng = random.Random(seed)
    reads = []
    for _, bib, code, elapsed in crossing_list:
        for extra in [0.0] + rng.sample([0.3, 0.7, 0.9], rng.choice((1, 2))):
            reads.append({"chip": f"C{bib}", "checkpoint": code, "elapsed": elapsed + extra})
    reads.sort(key=lambda r: r["elapsed"] + rng.uniform(-3, 3))  # arrival is not time order
    return reads


def iso(elapsed: float) -> str:
    return (GUN + timedelta(seconds=elapsed)).isoformat(timespec="milliseconds")


def verify(database_url: str, slug: str, crossing_list) -> dict:
    """Every expected split present exactly once, at its exact time (SQLite or PostgreSQL)."""
    expected = {(str(bib), code): round(elapsed * 1000) for _, bib, code, elapsed in crossing_list}
    engine = sqlalchemy.create_engine(
        database_url.replace("postgresql://", "postgresql+psycopg://")
    )
    with engine.connect() as connection:
        rows = connection.execute(
            sqlalchemy.text(
                "SELECT a.bib, c.code, s.elapsed_ms FROM splits s "
                "JOIN athletes a ON a.id = s.athlete_id "
                "JOIN checkpoints c ON c.id = s.checkpoint_id JOIN races r ON r.id = s.race_id "
                "WHERE r.slug = :slug AND s.voided_at IS NULL"
            ),
            {"slug": slug},
        ).fetchall()
    engine.dispose()
    found: dict[tuple[str, str], int] = {}
    duplicates = 0
    for bib, code, elapsed_ms in rows:
        duplicates += (bib, code) in found
        found[(bib, code)] = elapsed_ms
    return {
        "expected_splits": len(expected),
        "stored_splits": len(rows),
        "duplicates": duplicates,
        "exact": sum(found.get(key) == value for key, value in expected.items()),
    }


def post_batches(base_url: str, token: str, slug: str, reads: list[dict], clients: int) -> dict:
    """Post the reads 500 at a time from `clients` bridges at once, then send the first
    batches again (a bridge that lost its answers): seconds and acknowledgement latencies."""
    batches = [reads[i : i + 500] for i in range(0, len(reads), 500)]
    acks: list[float] = []

    def post(batch, number):
        body = {
            "reads": [
                {
                    "source": "bridge",
                    "seq": number * 500 + i,
                    "chip": r["chip"],
                    "checkpoint": r["checkpoint"],
                    "time": iso(r["elapsed"]),
                }
                for i, r in enumerate(batch)
            ]
        }
        sent = time.perf_counter()
        response = requests.post(
            f"{base_url}/api/races/{slug}/reads",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=300,
        )
        response.raise_for_status()
        acks.append(time.perf_counter() - sent)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(post, batches, range(len(batches))))
    seconds = time.perf_counter() - began
    ordered = sorted(acks)
    for number, batch in list(enumerate(batches))[:3]:  # re-sent: must store nothing new
        post(batch, number)
    return {
        "seconds": round(seconds, 1),
        "reads_per_s": round(len(reads) / seconds),
        "ack_p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "ack_p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
    }


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    """A listener started in another process is accepting connections."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def main(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = workdir / "mass.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "TRACKER_LOG_LEVEL": "warning",
        }
        flask(env, "db", "upgrade")
        token = flask(env, "token", "create", "--role", "timing", "--name", "bridge").split()[-1]
        admin = flask(env, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
        started = time.perf_counter()
        for slug in ("http", "ctp01"):
            set_up(env, slug, args.runners, workdir)
        setup_s = time.perf_counter() - started
        with Server(str(env["DATABASE_URL"]), {"TRACKER_LOG_LEVEL": "warning"}) as server:
            for slug in ("http", "ctp01"):
                requests.post(
                    f"{server.base_url}/api/races/{slug}/start",
                    json={"at": GUN.isoformat()},
                    headers={"Authorization": f"Bearer {admin}"},
                ).raise_for_status()
            crossing_list = crossings(args.runners, seed=1)
            reads = reads_for(crossing_list, seed=2)
            # Through the HTTP batch endpoint: bridges post 500 reads at a time.
            http = post_batches(server.base_url, token, "http", reads, args.clients)
            # Through one ChronoTrack listener process, as a timing crew would run it.
            port = free_port()
            listener = subprocess.Popen(
                [
                    str(BIN / "flask"),
                    "timing",
                    "chronotrack",
                    "ctp01",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_port(port)
                lines = [
                    f"CT01_33~{n}~{r['checkpoint']}~{r['chip']}~{iso(r['elapsed'])[:-6]}~1~0B7E21~1"
                    for n, r in enumerate(reads, start=1)
                ]
                began = time.perf_counter()
                # The link drops after 60 % of the lines; the crew reconnects and plays back
                # from a little before the drop, so 10 % of the lines arrive twice.
                cut, resume = len(lines) * 6 // 10, len(lines) // 2
                chronotrack_stream("127.0.0.1", port, lines[:cut], timeout=3600)
                chronotrack_stream("127.0.0.1", port, lines[resume:], timeout=3600)
                ctp_s = time.perf_counter() - began
            finally:
                listener.terminate()
                listener.wait(timeout=20)
        result = {
            "runners": args.runners,
            "checkpoints": len(CHECKPOINTS),
            "reads": len(reads),
            "setup_s": round(setup_s, 1),
            "http": {**http, **verify(env["DATABASE_URL"], "http", crossing_list)},
            "ctp01": {
                "seconds": round(ctp_s, 1),
                "lines_sent": len(lines) + len(lines) * 6 // 10 - len(lines) // 2,
                "reads_per_s": round(len(reads) / ctp_s),
                **verify(env["DATABASE_URL"], "ctp01", crossing_list),
            },
        }
        print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=4)
    main(parser.parse_args())
