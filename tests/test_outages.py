"""Outages under load, on private PostgreSQL and Redis servers (tests/faultkit.py): the
database stopped or crashed while splits and reads flow, Redis stopped between two
processes. Never a 500, never a false acknowledgement, and recovery without a restart."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import requests

from faultkit import PG_BIN, REDIS_SERVER, PrivatePostgres, PrivateRedis, require
from ingestkit import Ingest, plan_race, prepare, set_up
from livekit import Watcher
from oracle import check_storage
from servers import Server

pytestmark = pytest.mark.server


@pytest.fixture
def private_postgres():
    require(PG_BIN is not None, "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
    server = PrivatePostgres()
    try:
        yield server.create()
    finally:
        server.destroy()


@pytest.fixture
def private_redis():
    require(REDIS_SERVER is not None, "redis-server")
    server = PrivateRedis()
    try:
        yield server.start()
    finally:
        server.stop()


def wait_until(predicate, timeout_s: float) -> float | None:
    """Seconds until predicate() held, or None if it did not within timeout_s."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def health(base_url: str) -> int:
    try:
        return requests.get(base_url + "/healthz", timeout=5).status_code
    except requests.RequestException:
        return 0


@pytest.mark.parametrize("mode", ["immediate", "fast"])
def test_while_postgresql_is_down_writes_answer_503_and_the_server_recovers_by_itself(
    private_postgres, tmp_path, mode
):
    database = private_postgres.url
    admin, timing = prepare(database)
    with Server(database, log=tmp_path / "gunicorn.log") as server:
        plan = plan_race(6)
        set_up(server.base_url, admin, plan)
        requests.post(  # a runner outside the load, for the probe
            f"{server.base_url}/api/races/{plan.slug}/athletes",
            json={"bib": "P1", "name": "Probe"},
            headers=admin,
            timeout=10,
        ).raise_for_status()
        ingest = Ingest(server.base_url, timing, plan, senders=4).start()
        try:
            assert wait_until(lambda: len(ingest.journal.ack_times) >= 20, 60) is not None
            private_postgres.stop(mode)  # `immediate` is a crash, `fast` a clean shutdown
            probe = {"id": str(uuid.uuid4()), "bib": "P1", "checkpoint": "5K", "elapsed_s": 900}
            refused = requests.post(
                f"{server.base_url}/api/races/{plan.slug}/splits",
                json=probe,
                headers=timing,
                timeout=10,
            )
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "database_unavailable"
            assert 1 <= int(refused.headers["Retry-After"]) <= 5
            down = requests.get(server.base_url + "/healthz", timeout=10)
            assert down.status_code == 503 and down.json()["database"] == "unreachable"
            acked_while_down = len(ingest.journal.ack_times)
            time.sleep(3)  # the senders keep trying against the outage
            assert len(ingest.journal.ack_times) == acked_while_down  # no false acknowledgement
            private_postgres.start()
            assert wait_until(lambda: health(server.base_url) == 200, 15) is not None
            assert wait_until(ingest.done, 90) is not None
        finally:
            ingest.stop()
        stored = requests.post(
            f"{server.base_url}/api/races/{plan.slug}/splits",
            json=probe,
            headers=timing,
            timeout=10,
        )
        assert stored.status_code == 201  # the refused request had stored nothing
    answers = ingest.journal.answers
    # Refused, never a 500; a 500 shows the server's own traceback, to be fixed from it.
    assert answers["503"] > 0 and ingest.journal.problems == [], server_tracebacks(
        tmp_path / "gunicorn.log"
    )
    storage = check_storage(database, plan, ingest.journal)
    assert storage["splits_acked"] == len(plan.splits) and storage["splits_lost"] == 0
    assert storage["reads_lost"] == storage["reads_duplicated"] == 0
    assert storage["splits_duplicated"] == storage["mat_splits_wrong"] == 0


def converged(watcher: Watcher, truth: dict) -> bool:
    """The watcher's merged state is at the server's `seq` and shows the stored splits."""
    state = watcher.state
    if state is None or state["seq"] != truth["seq"]:
        return False
    stored = {a["bib"]: sorted(s["id"] for s in a["splits"]) for a in truth["athletes"]}
    return all(sorted(s["id"] for s in a["splits"]) == stored[a["bib"]] for a in state["athletes"])


@pytest.fixture
def two_processes(postgres_database, private_redis, tmp_path):
    """Two gunicorn processes sharing PostgreSQL and the private Redis, a race on them, and
    a watcher on each."""
    admin, timing = prepare(postgres_database)
    env = {"REDIS_URL": private_redis.url, "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}"}
    with (
        Server(postgres_database, env, log=tmp_path / "a.log") as a,
        Server(postgres_database, env, log=tmp_path / "b.log") as b,
    ):
        plan = plan_race(4)
        set_up(a.base_url, admin, plan)
        watchers = [Watcher(server.base_url, plan.slug).connect() for server in (a, b)]
        try:
            assert all(w.wait_for(lambda w: w.state is not None) for w in watchers)
            yield a, b, plan, timing, watchers
        finally:
            for watcher in watchers:
                watcher.close()


def post_split(server: Server, plan, timing: dict, key: str) -> requests.Response:
    return requests.post(
        f"{server.base_url}/api/races/{plan.slug}/splits",
        json={"id": key, **plan.splits[key]},
        headers=timing,
        timeout=10,  # a publish that blocks on Redis would hold the answer past this
    )


def test_with_redis_stopped_splits_are_stored_and_served_and_watchers_converge_when_it_returns(
    two_processes, private_redis
):
    a, b, plan, timing, watchers = two_processes
    keys = iter(plan.splits)
    assert post_split(a, plan, timing, next(keys)).status_code == 201
    truth = lambda: requests.get(f"{b.base_url}/api/races/{plan.slug}", timeout=10).json()  # noqa: E731
    assert all(w.wait_for(lambda w: converged(w, truth()), 10) for w in watchers)
    private_redis.stop()
    for _ in range(20):  # stored, acknowledged and served while Redis is away
        key = next(keys)
        assert post_split(a, plan, timing, key).status_code == 201
        served = requests.get(f"{b.base_url}/api/races/{plan.slug}/splits/{key}", timeout=10)
        assert served.status_code == 200
        time.sleep(1)
    private_redis.start()
    back = time.monotonic() + 10
    # Within 10 s every watcher shows the stored state (heartbeat, resync) ...
    assert all(
        w.wait_for(lambda w: converged(w, truth()), back - time.monotonic()) for w in watchers
    )
    # ... and the queue carries deltas between the processes again (best effort: one may
    # be dropped while the publisher notices Redis is back, so a few are sent).
    since, bibs = len(watchers[1].deltas), set()
    while time.monotonic() < back:
        key = next(keys)
        bibs.add(plan.splits[key]["bib"])
        assert post_split(a, plan, timing, key).status_code == 201
        if watchers[1].wait_for(lambda w: len(w.deltas) > since, min(1, back - time.monotonic())):
            break
    crossed = [d for d in watchers[1].deltas[since:] if d["athlete"]["bib"] in bibs]
    assert crossed, "no delta crossed from process A to B within 10 s of Redis's return"


def test_a_redis_that_hangs_does_not_hold_a_write(two_processes, private_redis):
    a, b, plan, timing, watchers = two_processes
    keys = iter(plan.splits)
    private_redis.freeze(True)  # accepts connections, never answers
    try:
        for _ in range(3):
            answer = post_split(a, plan, timing, next(keys))
            assert answer.status_code == 201, answer.text
    finally:
        private_redis.freeze(False)


def server_tracebacks(log: Path) -> str:
    """The tracebacks in a server's log (the last 4,000 characters of them)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    blocks = text.split("Traceback (most recent call last):")[1:]
    return "".join("Traceback:" + block[:3000] for block in blocks)[-4000:]
