"""Concurrent ingest that keeps a journal: splits by client id and raw-read batches, each
retried until acknowledged, some re-sent after their acknowledgement, all out of order.

The journal is the oracle's input (tests/oracle.py): what was acknowledged must be stored
exactly once, whatever happened to the server in between.
"""

from __future__ import annotations

import queue
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

from racekit import CHECKPOINTS

READ_SOURCE = "bridge-1"


@dataclass
class Plan:
    """A race and everything the load will send to it."""

    slug: str
    gun: datetime
    split_bibs: list[str]
    read_bibs: list[str]
    splits: dict[str, dict] = field(default_factory=dict)  # client id -> body
    batches: list[list[dict]] = field(default_factory=list)
    # (bib, checkpoint) -> the elapsed seconds of its first read: the mat split to expect
    mat_splits: dict[tuple[str, str], float] = field(default_factory=dict)

    def read_keys(self, batch: list[dict]) -> list[str]:
        return [f"{read['source']}:{read['seq']}" for read in batch]


def plan_race(athletes: int, seed: int = 11, rereads: float = 0.3) -> Plan:
    """`athletes` runners with hand-entered splits and as many with chips read at every mat.

    Gun three hours ago (inside any time window); 3:00-3:30/km, so every split is plausible.
    A share of crossings is read twice 1.5 s apart: one crossing, the first read governs.
    """
    rng = random.Random(seed)
    gun = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    plan = Plan(
        slug=f"crash-{uuid.uuid4().hex[:8]}",
        gun=gun,
        split_bibs=[f"M{n}" for n in range(1, athletes + 1)],
        read_bibs=[f"R{n}" for n in range(1, athletes + 1)],
    )
    for n, bib in enumerate(plan.split_bibs):
        for checkpoint in CHECKPOINTS:
            elapsed = round(checkpoint["distance_m"] / 1000 * (180 + n % 30), 1)
            body = {"bib": bib, "checkpoint": checkpoint["code"], "elapsed_s": elapsed}
            plan.splits[str(uuid.uuid4())] = body  # ids are unique across races, too
    reads, seq = [], 0
    for n, bib in enumerate(plan.read_bibs):
        for checkpoint in CHECKPOINTS:
            elapsed = round(checkpoint["distance_m"] / 1000 * (181 + n % 30), 3)
            plan.mat_splits[(bib, checkpoint["code"])] = elapsed
            for extra in (0.0, 1.5) if rng.random() < rereads else (0.0,):
                seq += 1
                at = gun + timedelta(seconds=elapsed + extra)
                reads.append(
                    {
                        "source": READ_SOURCE,
                        "seq": seq,
                        "chip": f"chip-{bib}",
                        "time": at.isoformat(),
                        "checkpoint": checkpoint["code"],
                    }
                )
    rng.shuffle(reads)  # out of order: mats, athletes and re-reads arrive in any order
    while reads:
        size = rng.randint(1, 20)
        plan.batches.append(reads[:size])
        reads = reads[size:]
    return plan


def set_up(base_url: str, admin: dict, plan: Plan) -> None:
    """Create the race, its runners (chips for the read athletes) and fire the gun."""
    post = lambda path, body: requests.post(  # noqa: E731
        base_url + path, json=body, headers=admin, timeout=30
    ).raise_for_status()
    post("/api/races", {"slug": plan.slug, "name": "Crash safety", "checkpoints": CHECKPOINTS})
    for bib in plan.split_bibs:
        post(f"/api/races/{plan.slug}/athletes", {"bib": bib, "name": f"Runner {bib}"})
    for bib in plan.read_bibs:
        body = {"bib": bib, "name": f"Runner {bib}", "chips": [f"chip-{bib}"]}
        post(f"/api/races/{plan.slug}/athletes", body)
    post(f"/api/races/{plan.slug}/start", {"at": plan.gun.isoformat()})


def prepare(database_url: str) -> tuple[dict, dict]:
    """Migrate the database and make an admin's and a timing bridge's bearer headers.

    In this process, through the same services as `flask db upgrade` and `flask token
    create` (three CLI processes cost more start-up than the whole short run's load).
    """
    from flask_migrate import upgrade

    from tracker import config, create_app
    from tracker.db import db
    from tracker.services.tokens import create_token
    from tracker.transactions import write

    app = create_app({"SQLALCHEMY_DATABASE_URI": config.database_url(database_url, "")})
    tag = uuid.uuid4().hex[:6]
    with app.app_context():
        upgrade()
        made = [
            write(lambda role=role: create_token(db.session, name=f"{role}-{tag}", role=role))
            for role in ("admin", "timing")
        ]
        db.session.remove()
        db.engine.dispose()
    return tuple({"Authorization": f"Bearer {token}"} for token in made)


@dataclass
class Journal:
    """What was sent and what the server said, kept by all senders under one lock."""

    acked_splits: set[str] = field(default_factory=set)
    acked_batches: set[int] = field(default_factory=set)
    ack_times: list[float] = field(default_factory=list)
    attempts: Counter = field(default_factory=Counter)  # "split"/"batch"
    answers: Counter = field(default_factory=Counter)  # status code or error kind
    resends: Counter = field(default_factory=Counter)  # "same" or "changed"
    problems: list[str] = field(default_factory=list)  # answers that must never happen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, answer) -> None:
        with self.lock:
            self.answers[str(answer)] += 1


class Ingest:
    """`senders` threads working through every split and batch of a plan in random order."""

    def __init__(
        self,
        base_url: str,
        timing: dict,
        plan: Plan,
        *,
        senders: int = 4,
        resend: float = 0.05,
        timeout_s: float = 5,
        seed: int = 7,
        rate: float | None = None,
    ) -> None:
        self.base_url, self.timing, self.plan = base_url, timing, plan
        self.resend, self.timeout_s = resend, timeout_s
        # Each sender's pause between jobs, for a steady `rate` of requests a second in all.
        self.pause_s = senders / rate if rate else 0.0
        self.journal = Journal()
        self.rng = random.Random(seed)
        jobs = [("split", key) for key in plan.splits] + [
            ("batch", index) for index in range(len(plan.batches))
        ]
        self.rng.shuffle(jobs)
        self.jobs: queue.Queue = queue.Queue()
        for job in jobs:
            self.jobs.put(job)
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(senders)]

    def start(self) -> Ingest:
        for thread in self.threads:
            thread.start()
        return self

    def done(self) -> bool:
        return not any(thread.is_alive() for thread in self.threads)

    def stop(self, timeout_s: float = 30) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout_s)

    def _work(self) -> None:
        while not self.stopping.is_set():
            try:
                kind, key = self.jobs.get_nowait()
            except queue.Empty:
                return
            if self._deliver(kind, key) and self.rng.random() < self.resend:
                self._resend(kind, key)
            time.sleep(self.pause_s)

    def _request(self, kind: str, key) -> tuple[str, str, dict]:
        if kind == "split":
            body = {"id": key, **self.plan.splits[key]}
            return kind, f"/api/races/{self.plan.slug}/splits", body
        return kind, f"/api/races/{self.plan.slug}/reads", {"reads": self.plan.batches[key]}

    def _post(self, kind: str, key):
        _, path, body = self._request(kind, key)
        with self.journal.lock:
            self.journal.attempts[kind] += 1
        try:
            response = requests.post(
                self.base_url + path, json=body, headers=self.timing, timeout=self.timeout_s
            )
        except requests.Timeout:
            self.journal.note("timeout")
            return None
        except requests.RequestException:
            # Refused, reset, or cut off mid-answer by a kill: a sender retries all of them.
            self.journal.note("connection_error")
            return None
        self.journal.note(response.status_code)
        return response

    def _deliver(self, kind: str, key) -> bool:
        """Send until acknowledged (or told to stop); True once acknowledged."""
        backoff = 0.05
        while not self.stopping.is_set():
            response = self._post(kind, key)
            if response is not None and response.status_code in (200, 201):
                self._check_ack(kind, key, response)
                with self.journal.lock:
                    acked = (
                        self.journal.acked_splits if kind == "split" else self.journal.acked_batches
                    )
                    acked.add(key)
                    self.journal.ack_times.append(time.monotonic())
                return True
            if response is not None and response.status_code not in (502, 503, 504):
                self._problem(f"{kind} {key}: {response.status_code} {response.text[:200]}")
                if response.status_code < 500:
                    return False  # a refusal is final: sending it again cannot help
            wait = backoff
            if response is not None and response.headers.get("Retry-After", "").isdigit():
                wait = max(wait, min(float(response.headers["Retry-After"]), 2.0))
            time.sleep(wait * (0.5 + self.rng.random()))
            backoff = min(backoff * 2, 1.0)
        return False

    def _check_ack(self, kind: str, key, response) -> None:
        """An acknowledgement must be about what was sent."""
        body = response.json()
        if kind == "split" and body["split"]["id"] != key:
            self._problem(f"split {key} acknowledged as {body['split']['id']}")
        if kind == "batch":
            keys = [result["key"] for result in body["results"]]
            if keys != self.plan.read_keys(self.plan.batches[key]):
                self._problem(f"batch {key} acknowledged with keys {keys[:3]}…")

    def _resend(self, kind: str, key) -> None:
        """Send an acknowledged request again, as a sender that lost the answer would."""
        for _ in range(20):
            response = self._post(kind, key)
            if response is not None and response.status_code in (200, 201):
                body = response.json()
                same = (
                    response.status_code == 200
                    if kind == "split"
                    else all(result["result"] == "duplicate" for result in body["results"])
                )
                with self.journal.lock:
                    self.journal.resends["same" if same else "changed"] += 1
                return
            time.sleep(0.1)

    def _problem(self, text: str) -> None:
        with self.journal.lock:
            self.journal.problems.append(text)
