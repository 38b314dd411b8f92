"""End to end against gunicorn: what the server acknowledged survives a crash; the demo runs."""

import time
import uuid

import pytest
import requests

from racekit import CHECKPOINTS, GUN
from servers import Server, flask_cli

pytestmark = pytest.mark.server


@pytest.fixture
def migrated(database_url):
    """The database the server will use, upgraded by the operator command."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    flask_cli(url, "db", "upgrade")
    return url


def test_an_acknowledged_split_survives_a_kill_9_of_the_server(migrated):
    token = flask_cli(migrated, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    server = Server(migrated).start()
    try:
        base = server.base_url
        race = {"slug": "vienna", "name": "Vienna", "checkpoints": CHECKPOINTS}
        assert requests.post(f"{base}/api/races", json=race, headers=headers).status_code == 201
        requests.post(
            f"{base}/api/races/vienna/athletes",
            json={"bib": "1", "name": "Kipchoge"},
            headers=headers,
        ).raise_for_status()
        requests.post(
            f"{base}/api/races/vienna/start", json={"at": GUN}, headers=headers
        ).raise_for_status()
        key = str(uuid.uuid4())
        split = {"id": key, "bib": "1", "checkpoint": "5K", "elapsed_s": 850}
        ack = requests.post(f"{base}/api/races/vienna/splits", json=split, headers=headers)
        assert ack.status_code == 201
        server.kill()
    finally:
        server.stop()

    with Server(migrated) as restarted:
        athlete = requests.get(f"{restarted.base_url}/api/races/vienna/athletes/1").json()
        assert [s["id"] for s in athlete["splits"]] == [key]
        retry = requests.post(
            f"{restarted.base_url}/api/races/vienna/splits", json=split, headers=headers
        )
        assert retry.status_code == 200
        assert retry.json()["split"]["id"] == key


@pytest.mark.parametrize("via", ["api", "raceresult"])
def test_flask_demo_serves_the_vienna_replay_live(database_url, tmp_path, via):
    if not database_url.startswith("sqlite"):
        pytest.skip("the demo runs on the embedded default, SQLite")
    server = Server(database_url)
    server.command = [
        str(server.command[0]).replace("gunicorn", "flask"),
        "demo",
        "--port",
        str(server.port),
        "--speed",
        "600",
        "--via",
        via,
    ]
    with server:
        url = f"{server.base_url}/api/races/ineos-159-vienna"
        deadline = time.monotonic() + 30
        splits = []
        while time.monotonic() < deadline and len(splits) < 2:
            response = requests.get(url)
            if response.status_code == 200:
                kipchoge = next(a for a in response.json()["athletes"] if a["bib"] == "1")
                splits = kipchoge["splits"]
            time.sleep(0.5)
        assert [s["checkpoint"] for s in splits][:2] == ["5K", "10K"]
        assert kipchoge["projection"]["projected_finish_s"] is not None
        assert "Vienna" in requests.get(server.base_url + "/").text
        if via == "raceresult":
            # Through the decoder client: mat splits, and the decoder and its mats in health.
            assert {s["source"] for s in splits} == {"mat"}
            token = flask_cli(database_url, "token", "create", "--role", "official", "--name", "o")
            health = requests.get(
                f"{url}/timing", headers={"Authorization": f"Bearer {token.split()[-1]}"}
            ).json()
            (device,) = health["devices"]
            assert (device["name"], device["connected"]) == ("demo-decoder", True)
            assert device["clock_offset_s"] == pytest.approx(0, abs=0.5)
            assert {"5K", "10K"} <= {mat["checkpoint"] for mat in health["mats"]}
