"""Outages under load, on private PostgreSQL and Redis servers (tests/faultkit.py): the
database stopped or crashed while splits and reads flow, Redis stopped between two
processes. Never a 500, never a false acknowledgement, and recovery without a restart."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from faultkit import PG_BIN, REDIS_SERVER, PrivatePostgres, PrivateRedis, require
from ingestkit import Ingest, plan_race, prepare, set_up
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
    assert answers["503"] > 0 and ingest.journal.problems == []  # refused, never a 500
    storage = check_storage(database, plan, ingest.journal)
    assert storage["splits_acked"] == len(plan.splits) and storage["splits_lost"] == 0
    assert storage["reads_lost"] == storage["reads_duplicated"] == 0
    assert storage["splits_duplicated"] == storage["mat_splits_wrong"] == 0
