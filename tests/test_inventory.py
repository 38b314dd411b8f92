"""Inventories: every route and Socket.IO handler that changes state refuses anonymous
callers and the wrong role; installed versions meet the security floors; the Redis
message queue carries JSON, never pickles."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from importlib.metadata import version

import pytest
import redis
import requests
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import count_rows
from opskit import running_race
from racekit import post_split, set_up_vienna
from tracker.domain.roles import (
    MAT_HEALTH,
    OFFICIALS,
    RACE_SETUP,
    READ_FEED,
    ROLES,
    SPLIT_ENTRY,
    allowed_roles,
)
from tracker.live.server import socketio
from tracker.live.vocabulary import NAMESPACE

TABLES = (
    "races",
    "checkpoints",
    "athletes",
    "chips",
    "splits",
    "split_revisions",
    "raw_reads",
    "ghost_plans",
)
PUBLIC = ()  # changes state but open to all, by design (see the reason beside each)

# Every (method, rule) that changes state, and who may call it. A new one fails the
# inventory until it is listed here, with its roles.
STATE_CHANGING_ROUTES = {
    ("POST", "/api/races"): RACE_SETUP,
    ("POST", "/api/races/<slug>/checkpoints"): RACE_SETUP,
    ("POST", "/api/races/<slug>/athletes"): RACE_SETUP,
    ("POST", "/api/races/<slug>/athletes/<bib>/chips"): OFFICIALS,
    ("PATCH", "/api/races/<slug>/athletes/<bib>"): OFFICIALS,
    ("POST", "/api/races/<slug>/results/publish"): OFFICIALS,
    ("POST", "/api/races/<slug>/waves"): RACE_SETUP,
    ("POST", "/api/races/<slug>/waves/<code>/start"): OFFICIALS,
    ("POST", "/api/races/<slug>/waves/<code>/gun"): OFFICIALS,
    ("POST", "/api/races/<slug>/start"): OFFICIALS,
    ("POST", "/api/races/<slug>/gun"): OFFICIALS,
    ("POST", "/api/races/<slug>/splits"): SPLIT_ENTRY,
    ("PATCH", "/api/races/<slug>/splits/<split_id>"): OFFICIALS,
    ("DELETE", "/api/races/<slug>/splits/<split_id>"): OFFICIALS,
    ("POST", "/api/races/<slug>/splits/<split_id>/revert"): OFFICIALS,
    ("POST", "/api/races/<slug>/splits/<split_id>/confirm"): OFFICIALS,
    ("POST", "/api/races/<slug>/read-conflicts/<conflict_id>/accept"): OFFICIALS,
    ("POST", "/api/races/<slug>/read-conflicts/<conflict_id>/dismiss"): OFFICIALS,
    ("POST", "/api/races/<slug>/reads"): READ_FEED,
    ("PUT", "/api/races/<slug>/pacer-groups/<code>"): RACE_SETUP,
    ("POST", "/api/races/<slug>/pacer-rotations"): OFFICIALS,
    ("PUT", "/api/races/<slug>/ghosts/<key>"): OFFICIALS,
    ("DELETE", "/api/races/<slug>/ghosts/<key>"): OFFICIALS,
    # Logging in takes a token and checks it; logging out ends only the caller's own
    # session. Both are form posts guarded by CSRF.
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
}
# Reads that are not public.
PRIVATE_READS = {
    ("GET", "/api/races/<slug>/timing"): MAT_HEALTH,
    ("GET", "/metrics"): OFFICIALS,
    ("GET", "/api/audit"): OFFICIALS,
    ("GET", "/api/audit.csv"): OFFICIALS,
    ("GET", "/api/races/<slug>/review"): OFFICIALS,
    ("GET", "/api/races/<slug>/athletes/<bib>/reads"): OFFICIALS,
    ("GET", "/api/races/<slug>/mats/<mat>/reads"): OFFICIALS,
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _rules(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & WRITE_METHODS
    }


def test_every_state_changing_route_is_in_the_inventory(app):
    assert _rules(app) == set(STATE_CHANGING_ROUTES)


def test_the_inventory_agrees_with_the_guards_on_the_views(app):
    for (method, path), roles in {**STATE_CHANGING_ROUTES, **PRIVATE_READS}.items():
        if roles is PUBLIC or path == "/metrics":
            continue
        rule = next(r for r in app.url_map.iter_rules() if r.rule == path and method in r.methods)
        view = app.view_functions[rule.endpoint]
        assert view.required_roles == allowed_roles(roles), (method, path)


def _url(path: str, split_id: str) -> str:
    return path.replace("<slug>", "vienna").replace("<split_id>", split_id).replace("<key>", "plan")


GUARDED = {key: roles for key, roles in {**STATE_CHANGING_ROUTES, **PRIVATE_READS}.items() if roles}


@pytest.mark.parametrize(
    ("method", "path"), sorted(GUARDED), ids=[" ".join(k) for k in sorted(GUARDED)]
)
def test_guarded_routes_refuse_anonymous_callers_and_every_wrong_role(client, auth, method, path):
    set_up_vienna(client, auth)
    split_id = post_split(client, auth, "5K", 850).json["split"]["id"]
    before = {table: count_rows(table) for table in TABLES}
    body = {"reason": "x", "elapsed_s": 851}
    anonymous = client.open(_url(path, split_id), method=method, json=body)
    assert anonymous.status_code == 401, anonymous.get_data(as_text=True)
    assert anonymous.json["code"] == "auth_required"
    wrong_roles = [role for role in ROLES if role not in allowed_roles(GUARDED[(method, path)])]
    for role in wrong_roles:
        refused = client.open(_url(path, split_id), method=method, json=body, headers=auth[role])
        assert refused.status_code == 403, (role, refused.get_data(as_text=True))
        assert refused.json["code"] == "forbidden_role"
    assert {table: count_rows(table) for table in TABLES} == before


# Every Socket.IO handler of /live and what it may do: none writes data. `watch` with
# `timing: true` is for officials (their login cookie), and the catch-all refuses.
SOCKET_HANDLERS = {
    "watch": "reads a snapshot; mat health only for officials",
    "resync": "reads a snapshot",
    "clock": "reads the server's clock",
    "*": "refuses any other event, and disconnects after three",
    "disconnect": "forgets the connection",
}


def test_every_socket_handler_is_in_the_inventory(app):
    assert set(socketio.server.handlers[NAMESPACE]) == set(SOCKET_HANDLERS)
    assert set(socketio.server.handlers) == {NAMESPACE}


def test_anonymous_sockets_change_nothing_and_get_no_mat_health(app, client, auth):
    set_up_vienna(client, auth)
    before = {table: count_rows(table) for table in TABLES}
    live = socketio.test_client(app, namespace=NAMESPACE)
    split = {"bib": "1", "checkpoint": "5K", "elapsed_s": 850}
    for event in ("split", "correct_split", "start"):
        live.emit(event, split, namespace=NAMESPACE)
    refusals = [m["args"][0]["code"] for m in live.get_received(NAMESPACE)]
    # Each is refused (and the third closes the whole transport: this in-process client has
    # none, so tests/test_live_abuse.py proves the close against gunicorn).
    assert refusals == ["unknown_event"] * 3
    live = socketio.test_client(app, namespace=NAMESPACE)
    live.emit("watch", {"race": "vienna", "timing": True}, namespace=NAMESPACE)
    received = live.get_received(NAMESPACE)
    assert "timing" not in [message["name"] for message in received]
    errors = [m["args"][0]["code"] for m in received if m["name"] == "error"]
    assert errors == ["forbidden_role"]
    assert {table: count_rows(table) for table in TABLES} == before


# ../shared/docs/RELIABILITY.md §3: the first versions with the known advisories fixed.
SECURITY_FLOORS = {
    "Flask": ">=3.1.3",
    "Werkzeug": ">=3.1.6",
    "python-engineio": ">=4.13.2",
    "python-socketio": ">=5.16.2",
    "Flask-SocketIO": ">=5.6.1",
    "gunicorn": ">=23,!=24.0.0",
}


@pytest.mark.parametrize(("package", "floor"), SECURITY_FLOORS.items())
def test_installed_versions_meet_the_security_floors(package, floor):
    assert Version(version(package)) in SpecifierSet(floor), (package, version(package))


def test_the_floors_are_the_projects_own_requirements():
    """pyproject.toml asks for at least the same, so a fresh install meets them."""
    from pathlib import Path

    declared = Path(__file__).resolve().parent.parent.joinpath("pyproject.toml").read_text()
    for package, floor in SECURITY_FLOORS.items():
        assert re.search(rf'"{re.escape(package)}{re.escape(floor)}"', declared), package


def _redis() -> redis.Redis:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError:
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)("Redis is not running")
    return client


@pytest.mark.server
def test_the_redis_message_queue_carries_json_not_pickles(sqlite_template, tmp_path):
    """CVE-2025-61765: python-socketio before 5.14 pickled queue messages, and a pickle read
    from Redis runs code. Post a split to gunicorn bound to Redis and read what it
    published on the channel."""
    channel = f"test-{uuid.uuid4().hex}"
    subscriber = _redis().pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(channel)
    queued = {"REDIS_URL": "redis://127.0.0.1:6379/0", "SOCKETIO_CHANNEL": channel}
    try:
        with running_race(sqlite_template, tmp_path, queued) as race:
            split = {"bib": "1", "checkpoint": "5K", "elapsed_s": 850}
            posted = requests.post(
                f"{race.base_url}/api/races/vienna/splits", json=split, headers=race.official
            )
            assert posted.status_code == 201
            messages, deadline = [], time.monotonic() + 5
            while time.monotonic() < deadline and not any(b'"athlete"' in m for m in messages):
                message = subscriber.get_message(timeout=0.5)
                if message is not None:
                    messages.append(message["data"])
    finally:
        subscriber.close()
    assert messages, "nothing was published on the channel"
    for raw in messages:
        assert not raw.startswith(b"\x80"), "a pickle"
    published = [json.loads(raw) for raw in messages]
    deltas = [m for m in published if m["method"] == "emit" and m["event"] == "delta"]
    assert any(d["data"][0].get("athlete", {}).get("bib") == "1" for d in deltas), published
