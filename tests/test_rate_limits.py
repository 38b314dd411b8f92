"""Rate limits: wrong tokens and writes per client address, with or without Redis."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import requests

from conftest import make_app
from livekit import RemoteRace
from servers import Server, flask_cli, free_port
from tracker import create_app
from tracker.db import db

WRONG = {"Authorization": "Bearer trk_not-a-token"}


def closing_client(app):
    """A test client whose database connections are closed after the test."""
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(database_url):
    yield from closing_client(make_app(database_url))


@pytest.fixture
def proxied_client(database_url):
    """An app behind one trusted proxy (nginx), as TRUSTED_PROXIES=1 configures it."""
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_PROXIES": 1}
    yield from closing_client(create_app(config))


def login_form(client, address: str = "127.0.0.1") -> str:
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).text
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_two_hundred_wrong_logins_are_answered_429_with_a_human_message(client):
    csrf = login_form(client)
    answers = [
        client.post("/login", data={"token": f"guess-{n}", "csrf_token": csrf}) for n in range(200)
    ]
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) == {401, 429}
    refused = answers[-1]
    assert "Too many wrong tokens" in refused.text
    assert int(refused.headers["Retry-After"]) > 0


def test_two_hundred_wrong_bearer_tokens_are_answered_429_as_a_problem(client):
    answers = [client.post("/api/races", json={}, headers=WRONG) for _ in range(200)]
    assert {answer.status_code for answer in answers} == {401, 429}
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0


def test_a_spoofed_forwarded_for_does_not_dodge_the_limit_without_a_trusted_proxy(client):
    answers = [
        client.post("/api/races", json={}, headers={**WRONG, "X-Forwarded-For": f"10.0.0.{n}"})
        for n in range(1, 200)
    ]
    assert answers[-1].status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_budget(proxied_client):
    statuses = [
        proxied_client.post(
            "/api/races", json={}, headers={**WRONG, "X-Forwarded-For": f"10.0.0.{n}"}
        ).status_code
        for n in range(1, 60)
    ]
    assert set(statuses) == {401}


def test_the_right_token_still_passes_until_wrong_ones_exhaust_the_budget(client, auth):
    for _ in range(5):
        client.post("/api/races", json={}, headers=WRONG)
    assert client.get("/api/races", headers=auth["admin"]).status_code == 200


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own on a free port (never the shared one on 6379)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.server
def test_with_redis_stopped_writes_still_work_and_limits_still_hold(tmp_path, private_redis):
    redis_process, redis_url = private_redis
    database = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    flask_cli(database, "db", "upgrade")
    token = flask_cli(database, "token", "create", "--role", "admin", "--name", "ops").split()[-1]
    with Server(database, {"REDIS_URL": redis_url}) as server:
        server.headers = {"Authorization": f"Bearer {token}"}
        race = RemoteRace(server)
        redis_process.terminate()
        redis_process.wait(timeout=10)
        assert race.split("1", "5K", 850)["elapsed_s"] == 850
        wrong = [
            requests.post(f"{server.base_url}/api/races", json={}, headers=WRONG, timeout=10)
            for _ in range(30)
        ]
        assert {answer.status_code for answer in wrong} == {401, 429}


def test_writes_past_the_limit_from_one_address_are_answered_429(database_url, auth):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WRITE_RATE_LIMIT": "5 per minute",
    }
    for client in closing_client(create_app(config)):
        answers = [
            client.post("/api/races", json={"slug": f"r{n}", "name": "R"}, headers=auth["admin"])
            for n in range(7)
        ]
        assert [a.status_code for a in answers] == [201] * 5 + [429, 429]
        assert answers[-1].json["code"] == "rate_limited" and "Retry-After" in answers[-1].headers
