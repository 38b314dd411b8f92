"""Nothing lost, nothing twice: concurrent retries and a kill -9 under load, against gunicorn."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from racekit import CHECKPOINTS, GUN
from servers import Server, flask_cli

pytestmark = pytest.mark.server
FIELD = 120


@pytest.fixture
def deployment(database_url):
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    flask_cli(url, "db", "upgrade")
    token = flask_cli(url, "token", "create", "--role", "timing", "--name", "mat").split()[-1]
    admin = flask_cli(url, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    return url, {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {admin}"}


def set_up(base: str, admin: dict) -> None:
    requests.post(
        f"{base}/api/races",
        json={"slug": "mass", "name": "Mass", "checkpoints": CHECKPOINTS},
        headers=admin,
        timeout=10,
    ).raise_for_status()
    for bib in range(1, FIELD + 1):
        requests.post(
            f"{base}/api/races/mass/athletes",
            json={"bib": str(bib), "name": f"Runner {bib}"},
            headers=admin,
            timeout=10,
        ).raise_for_status()
    requests.post(
        f"{base}/api/races/mass/start", json={"at": GUN}, headers=admin, timeout=10
    ).raise_for_status()


def test_the_same_request_sent_sixteen_times_at_once_stores_one_split(deployment):
    database, timing, admin = deployment
    with Server(database) as server:
        set_up(server.base_url, admin)
        body = {"id": str(uuid.uuid4()), "bib": "7", "checkpoint": "5K", "elapsed_s": 900}
        twin = {
            "bib": "8",
            "checkpoint": "5K",
            "elapsed_s": 905,
        }  # no id: same time, other requests

        def send(payload):
            return requests.post(
                f"{server.base_url}/api/races/mass/splits", json=payload, headers=timing, timeout=30
            ).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            same_id = list(pool.map(send, [body] * 16))
            same_time = list(pool.map(send, [{**twin, "id": str(uuid.uuid4())} for _ in range(16)]))
        assert sorted(same_id) == [200] * 15 + [201]
        assert sorted(same_time) == [200] * 15 + [201]
        rows = (
            requests.get(f"{server.base_url}/api/races/mass/splits.csv")
            .text.strip()
            .splitlines()[1:]
        )
        assert len(rows) == 2


def test_every_acknowledged_split_survives_kill_9_under_load_and_none_is_stored_twice(deployment):
    database, timing, admin = deployment
    server = Server(database).start()
    port = server.port
    set_up(server.base_url, admin)
    splits = {
        str(uuid.uuid4()): {"bib": str(bib), "checkpoint": "5K", "elapsed_s": 900 + bib}
        for bib in range(1, FIELD + 1)
    }
    acked: set[str] = set()
    lock = threading.Lock()
    deadline = time.monotonic() + 90

    def sender(keys):
        for key in keys:
            while time.monotonic() < deadline:  # retry the same key until acknowledged
                try:
                    response = requests.post(
                        f"http://127.0.0.1:{port}/api/races/mass/splits",
                        json={"id": key, **splits[key]},
                        headers=timing,
                        timeout=5,
                    )
                except requests.RequestException:
                    time.sleep(0.2)
                    continue
                if response.status_code in (200, 201):
                    with lock:
                        acked.add(key)
                    break
                assert response.status_code >= 500, response.text
                time.sleep(0.2)

    keys = list(splits)
    threads = [threading.Thread(target=sender, args=(keys[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    while len(acked) < FIELD // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    acked_before_kill = set(acked)
    server.kill()
    server.stop()
    restarted = Server(database)
    restarted.port, restarted.base_url = port, f"http://127.0.0.1:{port}"
    restarted.command[restarted.command.index("-b") + 1] = f"127.0.0.1:{port}"
    with restarted:
        for thread in threads:
            thread.join(timeout=100)
        stored = requests.get(f"{restarted.base_url}/api/races/mass").json()
    assert acked_before_kill, "the kill came before any acknowledgement"
    assert len(acked_before_kill) < FIELD, "the kill came after the load"
    assert acked == set(splits)
    ids = [split["id"] for athlete in stored["athletes"] for split in athlete["splits"]]
    assert sorted(ids) == sorted(splits)  # every key once: nothing lost, nothing twice
