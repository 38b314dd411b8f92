"""Mass-race replay: N runners x 10 checkpoints of chip reads, with duplicates, through the
HTTP batch endpoint and through the ChronoTrack CTP01 listener, against gunicorn on SQLite.

Every crossing is read two or three times within a second (and some lines arrive out of
order); the ChronoTrack link drops once and the stream is played back from before the drop.
At the end every expected split must be present exactly once. Prints reads per second with
durable commits (WAL, synchronous=FULL).

With `--waves` the field starts in waves (each its own gun, every runner a start read within
five minutes of it), has a gender and birth year (so a category), and `--out` of it does not
start (DNS) or stops at a mat (DNF), said so by an official once the reads are in; then the
places at half-way, overall, by gender and by category, must be exactly those of the chip
times, the DNS and DNF runners in none.

    .venv/bin/python bench/mass_race.py --runners 20000 --clients 4 [--waves 3 --out 0.02]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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


# Waves go 15 minutes apart; a runner crosses the start within five minutes of their gun.
WAVE_GAP_S = 900
PLACES_AT = "HALF"


@dataclass(frozen=True)
class Runner:
    """One runner of a field in waves: wave, own start (s after the race's gun), and fate."""

    bib: int
    wave: str
    gender: str
    birth_year: int
    start_s: float
    # "dns" (no reads at all), "dnf" (stops after `stops_after` checkpoints) or None.
    out: str | None = None
    stops_after: int = len(CHECKPOINTS)


def field_of(runners: int, waves: int, out: float, seed: int) -> dict[int, Runner]:
    """The field by bib: waves by bib (the fast ones first), an `out` share DNS or DNF."""
    rng = random.Random(seed)
    field = {}
    for bib in range(1, runners + 1):
        wave = (bib - 1) * waves // runners
        fate = rng.random()
        field[bib] = Runner(
            bib=bib,
            wave=chr(ord("A") + wave),
            gender=rng.choice("MF"),
            birth_year=rng.randint(1950, 2006),
            start_s=wave * WAVE_GAP_S + rng.uniform(5, 300),
            out="dns" if fate < out / 2 else "dnf" if fate < out else None,
            stops_after=rng.randint(2, len(CHECKPOINTS) - 1) if fate < out else len(CHECKPOINTS),
        )
    return field


def set_up(
    env: dict,
    slug: str,
    runners: int,
    workdir: Path,
    field: dict[int, Runner] | None = None,
    add_waves=None,
) -> None:
    """The race, its checkpoints and athletes (with a field: their waves, made first by
    `add_waves(slug, codes)`, gender and birth year)."""
    flask(env, "race", "create", slug, "Mass race", "--timezone", "UTC")
    (workdir / "cp.csv").write_text(
        "code,name,distance_m\n"
        + "".join(f"{code},{code},{distance}\n" for code, distance in CHECKPOINTS[:-1])
    )
    if field:
        add_waves(slug, sorted({runner.wave for runner in field.values()}))
        rows = "".join(
            f"{r.bib},Runner {r.bib},C{r.bib},{r.wave},{r.gender},{r.birth_year}\n"
            for r in field.values()
        )
        (workdir / "ath.csv").write_text("bib,name,chips,wave,gender,birth_year\n" + rows)
    else:
        (workdir / "ath.csv").write_text(
            "bib,name,chips\n"
            + "".join(f"{bib},Runner {bib},C{bib}\n" for bib in range(1, runners + 1))
        )
    flask(env, "import", "checkpoints", slug, str(workdir / "cp.csv"))
    flask(env, "import", "athletes", slug, str(workdir / "ath.csv"))


def crossings(
    runners: int, seed: int, field: dict[int, Runner] | None = None
) -> list[tuple[float, int, str, float]]:
    """(wall seconds after the gun, bib, checkpoint, elapsed) for every runner and mat (with
    a field: from each runner's own start, none for a DNS, none past a DNF's last mat)."""
    rng = random.Random(seed)
    out = []
    for bib in range(1, runners + 1):
        pace = rng.uniform(170, 420)  # s/km: 2:00 to 4:55 marathoners
        elapsed, covered = rng.uniform(0, 600), 0.0  # start waves: up to 10 min after the gun
        runner = field[bib] if field else None
        if runner:
            elapsed = runner.start_s
        for number, (code, distance) in enumerate(CHECKPOINTS, start=1):
            elapsed += pace * (distance - covered) / 1000 * rng.uniform(0.97, 1.05)
            covered = distance
            if runner and (runner.out == "dns" or number > runner.stops_after):
                continue
            out.append((elapsed, bib, code, round(elapsed, 3)))
    return out


def start_crossings(field: dict[int, Runner]) -> list[tuple[float, int, str, float]]:
    """Every starter's crossing of the start mat (a DNS has none)."""
    return [
        (r.start_s, r.bib, "START", round(r.start_s, 3)) for r in field.values() if r.out != "dns"
    ]


def fire_waves(base_url: str, admin: str, slug: str, field: dict[int, Runner]) -> None:
    """The race's gun, then each wave's, WAVE_GAP_S apart (wave A shares the race's)."""
    headers = {"Authorization": f"Bearer {admin}"}
    requests.post(
        f"{base_url}/api/races/{slug}/start", json={"at": GUN.isoformat()}, headers=headers
    ).raise_for_status()
    for number, code in enumerate(sorted({r.wave for r in field.values()})):
        requests.post(
            f"{base_url}/api/races/{slug}/waves/{code}/start",
            json={"at": iso(number * WAVE_GAP_S)},
            headers=headers,
        ).raise_for_status()


def say_who_is_out(base_url: str, official: str, slug: str, field: dict[int, Runner]) -> int:
    """An official marks each DNS and DNF, with a reason; how many."""
    out = [r for r in field.values() if r.out]
    for runner in out:
        requests.patch(
            f"{base_url}/api/races/{slug}/athletes/{runner.bib}",
            json={"status": runner.out, "reason": "bench"},
            headers={"Authorization": f"Bearer {official}"},
            timeout=60,
        ).raise_for_status()
    return len(out)


def own_starts(reads: list[dict]) -> dict[int, float]:
    """Each starter's own start: their last read on the start mat (TIMING.md §9.6)."""
    starts: dict[int, float] = {}
    for read in reads:
        if read["checkpoint"] == "START":
            bib = int(read["chip"][1:])
            starts[bib] = max(starts.get(bib, 0.0), read["elapsed"])
    return starts


def expected_places(
    field: dict[int, Runner], crossing_list, starts: dict[int, float], categories: dict[str, str]
) -> dict[str, tuple[int, int, int]]:
    """Each ranked runner's (overall, gender, category) place at PLACES_AT by chip time,
    ties sharing a place; DNS and DNF runners rank nowhere."""
    chip = {
        str(bib): round(elapsed * 1000) - round(starts[bib] * 1000)
        for _, bib, code, elapsed in crossing_list
        if code == PLACES_AT and not field[bib].out
    }

    by_time = sorted(chip, key=chip.get)
    places: dict[str, list[int]] = {}
    # In chip-time order, a runner's place is one more than the times before theirs.
    for key in ("overall", "gender", "category"):
        seen: dict[object, list[int]] = {}
        for bib in by_time:
            group = (
                None
                if key == "overall"
                else field[int(bib)].gender
                if key == "gender"
                else categories[bib]
            )
            times = seen.setdefault(group, [])
            ahead = bisect_left(times, chip[bib])
            times.append(chip[bib])
            places.setdefault(bib, []).append(ahead + 1)
    return {bib: tuple(found) for bib, found in places.items()}


def verify_places(
    base_url: str, slug: str, field: dict[int, Runner], crossing_list, reads: list[dict]
) -> dict:
    """The results CSV at PLACES_AT against the chip times: every place exact, nobody out."""
    response = requests.get(
        f"{base_url}/api/races/{slug}/results.csv", params={"checkpoint": PLACES_AT}, timeout=300
    )
    response.raise_for_status()
    rows = list(csv.DictReader(io.StringIO(response.text)))
    categories = {row["bib"]: row["category"] for row in rows}
    expected = expected_places(field, crossing_list, own_starts(reads), categories)
    found = {
        row["bib"]: (int(row["overall"]), int(row["gender_place"]), int(row["category_place"]))
        for row in rows
    }
    return {
        "ranked_at_" + PLACES_AT: len(expected),
        "results_rows": len(rows),
        "places_exact": sum(found.get(bib) == places for bib, places in expected.items()),
        "out_in_results": sum(1 for bib in found if field[int(bib)].out),
    }


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


def main(args) -> dict:
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
        field = field_of(args.runners, args.waves, args.out, seed=3) if args.waves else None
        if field:
            official = flask(env, "token", "create", "--role", "official", "--name", "ref")
            official = official.split()[-1]
        paths = args.paths.split(",")
        with Server(str(env["DATABASE_URL"]), {"TRACKER_LOG_LEVEL": "warning"}) as server:

            def add_waves(slug: str, codes: list[str]) -> None:
                for code in codes:
                    requests.post(
                        f"{server.base_url}/api/races/{slug}/waves",
                        json={"code": code},
                        headers={"Authorization": f"Bearer {admin}"},
                    ).raise_for_status()

            started = time.perf_counter()
            for slug in paths:
                set_up(env, slug, args.runners, workdir, field, add_waves)
            setup_s = time.perf_counter() - started
            for slug in paths:
                if field:
                    fire_waves(server.base_url, admin, slug, field)
                    continue
                requests.post(
                    f"{server.base_url}/api/races/{slug}/start",
                    json={"at": GUN.isoformat()},
                    headers={"Authorization": f"Bearer {admin}"},
                ).raise_for_status()
            crossing_list = crossings(args.runners, seed=1, field=field)
            starts = start_crossings(field) if field else []
            reads = reads_for(crossing_list + starts, seed=2)
            # Through the HTTP batch endpoint: bridges post 500 reads at a time.
            http = post_batches(server.base_url, token, "http", reads, args.clients)
            ctp = ctp01_replay(env, reads) if "ctp01" in paths else None
            places = {}
            if field:
                for slug in paths:
                    marked = say_who_is_out(server.base_url, official, slug, field)
                    checked = verify_places(server.base_url, slug, field, crossing_list, reads)
                    places[slug] = {"marked_out": marked, **checked}
        result = {
            "runners": args.runners,
            "checkpoints": len(CHECKPOINTS),
            "waves": args.waves,
            "reads": len(reads),
            "setup_s": round(setup_s, 1),
            "http": {
                **http,
                **verify(env["DATABASE_URL"], "http", crossing_list),
                **places.get("http", {}),
            },
        }
        if ctp:
            result["ctp01"] = {
                **ctp,
                **verify(env["DATABASE_URL"], "ctp01", crossing_list),
                **places.get("ctp01", {}),
            }
        print(json.dumps(result))
        return result


def ctp01_replay(env: dict, reads: list[dict]) -> dict:
    """The reads through one ChronoTrack listener process, as a timing crew would run it,
    the link dropping once and played back from before the drop."""
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
    return {
        "seconds": round(ctp_s, 1),
        "lines_sent": len(lines) + len(lines) * 6 // 10 - len(lines) // 2,
        "reads_per_s": round(len(reads) / ctp_s),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--waves", type=int, default=0, help="start waves (0: one gun)")
    parser.add_argument("--out", type=float, default=0.02, help="share DNS or DNF (waves)")
    parser.add_argument("--paths", default="http,ctp01", help="http, and ctp01 after it")
    main(parser.parse_args())
