"""Spectators read without a token; every change needs a token with the right role."""

import hashlib

import pytest
from sqlalchemy import select

from conftest import count_rows
from racekit import post_split, set_up_vienna
from tracker.db import db
from tracker.models import ApiToken

# Which routes change state, and who may call them: tests/test_inventory.py.


@pytest.fixture
def vienna(client, auth):
    return set_up_vienna(client, auth)


def test_spectators_read_everything_public_without_a_token(client, auth, vienna):
    post_split(client, auth, "5K", 850)
    for url in (
        "/api/races",
        "/api/races/vienna",
        "/api/races/vienna/athletes/1",
        "/api/races/vienna/splits.csv",
        "/api/openapi.json",
        "/healthz",
        "/",
    ):
        assert client.get(url).status_code == 200, url


def test_a_write_without_a_token_is_401_with_a_bearer_challenge(client, auth, vienna):
    response = client.post(
        "/api/races/vienna/splits", json={"bib": "1", "checkpoint": "5K", "elapsed_s": 850}
    )
    assert response.status_code == 401
    assert response.json["code"] == "auth_required"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count_rows("splits") == 0


@pytest.mark.parametrize(
    "header", ["Bearer trk_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "trk_x"]
)
def test_an_unknown_or_malformed_token_is_401(client, auth, vienna, header):
    response = client.post(
        "/api/races/vienna/splits",
        headers={"Authorization": header},
        json={"bib": "1", "checkpoint": "5K", "elapsed_s": 850},
    )
    assert (response.status_code, response.json["code"]) == (401, "auth_invalid")
    assert count_rows("splits") == 0


@pytest.mark.parametrize(
    ("role", "method", "url", "body"),
    [
        ("timing", "patch", "/api/races/vienna/splits/{id}", {"elapsed_s": 851, "reason": "x"}),
        ("timing", "delete", "/api/races/vienna/splits/{id}", {"reason": "x"}),
        ("timing", "post", "/api/races/vienna/start", {}),
        ("official", "post", "/api/races", {"slug": "x", "name": "x"}),
        ("official", "post", "/api/races/vienna/athletes", {"bib": "5", "name": "x"}),
        ("official", "post", "/api/races/vienna/checkpoints", {"code": "1K", "distance_m": 1000}),
    ],
)
def test_a_token_without_the_role_is_403_and_changes_nothing(
    client, auth, vienna, role, method, url, body
):
    split_id = post_split(client, auth, "5K", 850).json["split"]["id"]
    before = [count_rows(t) for t in ("races", "athletes", "checkpoints", "split_revisions")]
    response = getattr(client, method)(url.format(id=split_id), json=body, headers=auth[role])
    assert (response.status_code, response.json["code"]) == (403, "forbidden_role")
    assert [
        count_rows(t) for t in ("races", "athletes", "checkpoints", "split_revisions")
    ] == before


def test_a_timing_token_enters_mat_splits(client, auth, vienna):
    response = post_split(client, auth, "5K", 850, role="timing")
    assert response.status_code == 201
    assert response.json["split"]["source"] == "mat"


def test_token_create_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash(
    app, runner, client
):
    result = runner.invoke(args=["token", "create", "--role", "official", "--name", "ana"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("trk_") and len(token) > 40
    stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "ana"))
    assert stored.role == "official"
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(stored))
    response = client.post("/api/races/none/start", headers={"Authorization": f"Bearer {token}"})
    assert response.json["code"] == "unknown_race"  # authenticated, then the race is unknown


def test_a_revoked_token_is_refused_and_its_name_can_be_issued_again(app, runner, client):
    token = runner.invoke(
        args=["token", "create", "--role", "admin", "--name", "ops"]
    ).stdout.split()[-1]
    assert runner.invoke(args=["token", "revoke", "ops"]).exit_code == 0
    response = client.post(
        "/api/races", json={"slug": "x", "name": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert (response.status_code, response.json["code"]) == (401, "auth_invalid")
    assert (
        runner.invoke(args=["token", "create", "--role", "admin", "--name", "ops"]).exit_code == 0
    )
    listing = runner.invoke(args=["token", "list"]).output
    assert "revoked" in listing and "live" in listing


def test_token_commands_refuse_bad_roles_duplicates_and_unknown_names(app, runner):
    assert runner.invoke(args=["token", "create", "--role", "root", "--name", "x"]).exit_code != 0
    assert runner.invoke(args=["token", "create", "--role", "admin", "--name", "x"]).exit_code == 0
    twice = runner.invoke(args=["token", "create", "--role", "admin", "--name", "x"])
    assert twice.exit_code != 0 and "revoke it first" in twice.output
    assert runner.invoke(args=["token", "revoke", "nobody"]).exit_code != 0


def test_the_login_and_logout_forms_refuse_a_post_without_the_csrf_token(app, runner):
    app.config["WTF_CSRF_ENABLED"] = True
    token = runner.invoke(
        args=["token", "create", "--role", "official", "--name", "ana"]
    ).stdout.split()[-1]
    client = app.test_client()
    assert client.post("/login", data={"token": token}).status_code == 400
    with client.session_transaction() as session:
        assert "token_id" not in session
    assert client.post("/logout").status_code == 400
