"""Crash safety: kill the server at random moments under concurrent ingest, restart it, and
check that every acknowledged split and read is stored exactly once.

gunicorn runs with the production configuration (`gunicorn -c gunicorn.conf.py app:app`) on
a free loopback port; senders post splits with client ids and raw-read batches out of order,
retry every failure and timeout, and re-send some acknowledged requests. At random points
of the acknowledgement stream the server is hit by a fault:

  kill    SIGKILL the master and its worker together (a crash), then start it again
  worker  SIGKILL the worker only (as a worker timeout does); the master starts another
  hup     SIGHUP the master: a graceful reload of its worker

    .venv/bin/python bench/crash_safety.py --kills 30 --athletes 60
    .venv/bin/python bench/crash_safety.py --database-url postgresql://postgres@127.0.0.1/x

Prints a summary and writes it as JSON with --json. Run it alone on a shared machine
(`flock /tmp/loadtest.lock …`): it loads both cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from ingestkit import Ingest, plan_race, prepare, set_up  # noqa: E402
from oracle import check_storage, integrity_problems  # noqa: E402
from servers import Server, free_port, wait_until_healthy  # noqa: E402

FAULTS = ("kill", "worker", "hup")


def worker_pids(master: int) -> list[int]:
    """The master's children (its gunicorn workers)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def strike(server: Server, fault: str, log: Path) -> Server:
    """Hit the server with one fault and return it serving again."""
    if fault == "kill":
        server.kill()
        server.stop()
        return Server(server.env["DATABASE_URL"], port=server.port, log=log).start()
    if fault == "worker":
        old = worker_pids(server.process.pid)
        for pid in old:
            os.kill(pid, signal.SIGKILL)
    else:
        old = worker_pids(server.process.pid)
        os.kill(server.process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while set(worker_pids(server.process.pid)) & set(old) or not worker_pids(server.process.pid):
        if time.monotonic() > deadline:
            raise TimeoutError("the master did not replace its worker")
        time.sleep(0.02)
    wait_until_healthy(server.base_url, server.process)
    return server


def run(
    database_url: str,
    *,
    kills: int = 10,
    athletes: int = 20,
    senders: int = 4,
    fault: str = "kill",
    seed: int = 11,
    workdir: Path | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> dict:
    """Run the ingest with `kills` faults and return the summary (see `main`)."""
    rng = random.Random(seed)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="crash-safety-"))
    log = workdir / "gunicorn.log"
    admin, timing = prepare(database_url)
    server = Server(database_url, port=free_port(), log=log).start()
    plan = plan_race(athletes, seed=seed)
    set_up(server.base_url, admin, plan)
    ingest = Ingest(server.base_url, timing, plan, senders=senders, seed=seed).start()
    jobs = len(plan.splits) + len(plan.batches)
    # Random moments, spread over the load: after these many acknowledgements.
    moments = sorted(rng.randint(jobs // 20, jobs * 9 // 10) for _ in range(kills))
    faults, started = [], time.monotonic()
    try:
        for moment in moments:
            while len(ingest.journal.ack_times) < moment and not ingest.done():
                time.sleep(0.005)
            time.sleep(rng.random() * 0.2)
            at = time.monotonic()
            server = strike(server, fault, log)
            faults.append({"at_s": at - started, "restart_s": time.monotonic() - at, "t": at})
            if on_progress:
                on_progress(len(faults), len(ingest.journal.ack_times), jobs)
        deadline = time.monotonic() + 60 + jobs * 0.2
        while not ingest.done() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        ingest.stop()
        server.stop()
    return summarize(database_url, plan, ingest, faults, fault, time.monotonic() - started)


def summarize(database_url, plan, ingest, faults, fault, duration_s) -> dict:
    """The figures of a run: sent, acknowledged, lost, duplicated; recovery per fault."""
    journal = ingest.journal
    for entry in faults:  # from the fault to the next acknowledged write
        at = entry.pop("t")
        later = [t for t in journal.ack_times if t > at]
        entry["first_ack_s"] = round(min(later) - at, 3) if later else None
    recovery = [entry["restart_s"] for entry in faults]
    first_acks = [entry["first_ack_s"] for entry in faults if entry["first_ack_s"] is not None]
    return {
        "database": database_url.split(":", 1)[0].split("+")[0],
        "fault": fault,
        "faults": len(faults),
        "duration_s": round(duration_s, 1),
        "splits_sent": len(plan.splits),
        "reads_sent": sum(len(batch) for batch in plan.batches),
        "batches_sent": len(plan.batches),
        "attempts": dict(journal.attempts),
        "answers": dict(journal.answers),
        "resends": dict(journal.resends),
        **check_storage(database_url, plan, journal),
        "recovery_median_s": round(statistics.median(recovery), 2) if recovery else None,
        "recovery_max_s": round(max(recovery), 2) if recovery else None,
        "first_ack_median_s": round(statistics.median(first_acks), 2) if first_acks else None,
        "first_ack_max_s": round(max(first_acks), 2) if first_acks else None,
        "problems": journal.problems[:20],
        "integrity": integrity_problems(database_url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--kills", type=int, default=30, help="faults to inject (default 30)")
    parser.add_argument("--athletes", type=int, default=60, help="runners of each kind")
    parser.add_argument("--senders", type=int, default=4, help="concurrent senders")
    parser.add_argument("--fault", choices=FAULTS, default="kill")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="write the summary here as JSON")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crash-safety-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'tracker.sqlite3'}"
    from rich.progress import Progress  # the bench extra; the suite calls run() without it

    with Progress() as progress:
        task = progress.add_task(f"{args.fault} x{args.kills}", total=args.kills)
        summary = run(
            database_url,
            kills=args.kills,
            athletes=args.athletes,
            senders=args.senders,
            fault=args.fault,
            seed=args.seed,
            workdir=workdir,
            on_progress=lambda done, acked, jobs: progress.update(
                task, completed=done, description=f"{args.fault}: {acked}/{jobs} acknowledged"
            ),
        )
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    print(f"server log: {workdir / 'gunicorn.log'}", file=sys.stderr)
    failed = summary["splits_lost"] or summary["splits_duplicated"] or summary["reads_lost"]
    sys.exit(1 if failed or summary["mat_splits_wrong"] or summary["integrity"] else 0)


if __name__ == "__main__":
    main()
