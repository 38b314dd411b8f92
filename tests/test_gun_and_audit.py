"""The gun: a typo'd time is refused before it can brick the race, an official corrects it
with an audit trail; and the audit log of every write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from conftest import count_rows
from racekit import post_split, set_up_vienna
from tracker.db import db


@pytest.fixture
def today(client, auth, app):
    """A race set up now, with the default window of a week for client-given instants."""
    app.config["TIME_WINDOW_DAYS"] = 7
    set_up_vienna(client, auth, slug="today", start=False)
    return "today"


def iso(instant: datetime) -> str:
    return instant.isoformat()


@pytest.mark.parametrize(
    ("at", "code"),
    [
        ("9999-12-31T23:00:00+00:00", "future_time"),
        ("0001-01-01T00:00:00+00:00", "time_out_of_range"),
        ("2091-10-12T08:15:00+02:00", "future_time"),
        ("2001-10-12T08:15:00+02:00", "time_out_of_range"),
    ],
)
def test_a_typod_gun_time_is_refused_and_the_race_still_works(client, auth, today, at, code):
    response = client.post("/api/races/today/start", json={"at": at}, headers=auth["official"])
    assert (response.status_code, response.json["code"]) == (422, code)
    assert client.get("/api/races/today").status_code == 200
    assert client.get("/api/races/today/athletes/1").status_code == 200
    fired = client.post("/api/races/today/start", headers=auth["official"])
    assert fired.status_code == 200
    split = client.post(
        "/api/races/today/splits",
        json={"bib": "1", "checkpoint": "5K", "time": iso(datetime.now(UTC))},
        headers=auth["official"],
    )
    assert split.status_code == 201, split.json


def test_a_split_time_two_days_after_the_gun_is_refused_like_elapsed_seconds(client, auth, today):
    gun = datetime.now(UTC) - timedelta(days=3)
    client.post("/api/races/today/start", json={"at": iso(gun)}, headers=auth["official"])
    response = client.post(
        "/api/races/today/splits",
        json={"bib": "1", "checkpoint": "5K", "time": iso(datetime.now(UTC))},
        headers=auth["official"],
    )
    assert (response.status_code, response.json["code"]) == (422, "elapsed_too_long")
    assert count_rows("splits") == 0


def test_a_split_time_far_from_now_is_refused(client, auth, today):
    client.post("/api/races/today/start", headers=auth["official"])
    response = client.post(
        "/api/races/today/splits",
        json={"bib": "1", "checkpoint": "5K", "time": "1970-01-01T00:14:10+00:00"},
        headers=auth["official"],
    )
    assert (response.status_code, response.json["code"]) == (422, "time_out_of_range")


@pytest.fixture
def vienna(client, auth):
    return set_up_vienna(client, auth)


def correct_gun(client, auth, at, reason="the starter's clock was 2 s late"):
    return client.post(
        "/api/races/vienna/gun", json={"at": at, "reason": reason}, headers=auth["official"]
    )


def test_an_official_corrects_the_gun_and_every_elapsed_time_shifts(client, auth, vienna):
    post_split(client, auth, "5K", 850)
    post_split(client, auth, "10K", 1700)
    response = correct_gun(client, auth, "2019-10-12T08:14:58+02:00")
    assert response.status_code == 200, response.json
    assert response.json["gun_time"] == "2019-10-12T08:14:58+02:00"
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert [s["elapsed_s"] for s in athlete["splits"]] == [852.0, 1702.0]
    assert athlete["splits"][0]["time"] == "2019-10-12T08:29:10+02:00"  # the instant stays
    history = client.get(f"/api/races/vienna/splits/{athlete['splits'][0]['id']}").json
    assert [(h["action"], h["elapsed_s_after"]) for h in history["history"]] == [
        ("enter", 850.0),
        ("gun_shift", 852.0),
    ]
    again = correct_gun(client, auth, "2019-10-12T08:14:58+02:00")
    assert again.status_code == 200 and count_rows("split_revisions") == 4


def test_a_corrected_gun_after_the_first_split_is_refused(client, auth, vienna):
    post_split(client, auth, "5K", 850)
    response = correct_gun(client, auth, "2019-10-12T08:30:00+02:00")
    assert (response.status_code, response.json["code"]) == (409, "gun_after_splits")


def test_a_corrected_gun_after_a_later_waves_gun_is_refused_and_changes_nothing(
    client, auth, vienna
):
    assert (
        client.post(
            "/api/races/vienna/waves", json={"code": "B"}, headers=auth["admin"]
        ).status_code
        == 201
    )
    wave_gun = "2019-10-12T08:20:00+02:00"  # the race's gun went at 08:15:00
    response = client.post(
        "/api/races/vienna/waves/B/start", json={"at": wave_gun}, headers=auth["official"]
    )
    assert response.status_code == 200, response.json
    response = correct_gun(client, auth, "2019-10-12T08:21:00+02:00")
    assert (response.status_code, response.json["code"]) == (409, "gun_after_wave")
    race = client.get("/api/races/vienna").json["race"]
    assert race["gun_time"] == "2019-10-12T08:15:00+02:00"
    assert race["waves"][0]["gun_time"] == wave_gun


def test_only_officials_correct_the_gun(client, auth, vienna):
    response = client.post(
        "/api/races/vienna/gun",
        json={"at": "2019-10-12T08:14:58+02:00", "reason": "x"},
        headers=auth["timing"],
    )
    assert (response.status_code, response.json["code"]) == (403, "forbidden_role")


def audit_entries(client, auth, **query):
    response = client.get("/api/audit", query_string=query, headers=auth["official"])
    assert response.status_code == 200, response.json
    return response.json["entries"]


def test_every_write_is_in_the_audit_log_with_who_what_and_before_and_after(client, auth, vienna):
    split = post_split(client, auth, "5K", 850).json["split"]
    client.patch(
        f"/api/races/vienna/splits/{split['id']}",
        json={"elapsed_s": 851, "reason": "photo"},
        headers=auth["official"],
    )
    correct_gun(client, auth, "2019-10-12T08:14:58+02:00")
    entries = audit_entries(client, auth, race="vienna")
    actions = [entry["action"] for entry in entries]
    assert actions[:2] == ["race.create", "athlete.add"]
    assert actions[-4:] == ["gun.fire", "split.enter", "split.correct", "gun.correct"]
    correction = entries[-2]
    assert (correction["actor"], correction["role"], correction["subject"]) == (
        "test-official",
        "official",
        "1@5K",
    )
    assert correction["origin"] == "127.0.0.1"
    assert (correction["before"]["elapsed_s"], correction["after"]["elapsed_s"]) == (850, 851)
    assert correction["after"]["reason"] == "photo"
    assert entries[-1]["before"]["gun_time"].startswith("2019-10-12T06:15:00")
    paged = audit_entries(client, auth, race="vienna", after=entries[1]["id"], limit=2)
    assert [e["id"] for e in paged] == [e["id"] for e in entries[2:4]]
    csv = client.get("/api/audit.csv?race=vienna", headers=auth["official"])
    assert csv.status_code == 200 and csv.text.count("\n") == len(entries) + 1


def test_the_audit_log_is_for_officials_only(client, auth, vienna):
    assert client.get("/api/audit").status_code == 401
    assert client.get("/api/audit", headers=auth["timing"]).status_code == 403


def test_the_database_refuses_to_change_or_delete_an_audit_entry(client, auth, vienna):
    assert count_rows("audit_entries") > 0
    for statement in (
        "UPDATE audit_entries SET actor = 'someone else'",
        "DELETE FROM audit_entries",
    ):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert "someone else" not in {e["actor"] for e in audit_entries(client, auth)}


def test_a_voided_split_does_not_hold_the_gun_back(client, auth, vienna):
    wrong = post_split(client, auth, "5K", 10).json["split"]  # a typo, voided at once
    client.delete(
        f"/api/races/vienna/splits/{wrong['id']}", json={"reason": "typo"}, headers=auth["official"]
    )
    response = correct_gun(client, auth, "2019-10-12T08:15:20+02:00")
    assert response.status_code == 200, response.json
    history = client.get(f"/api/races/vienna/splits/{wrong['id']}").json["history"]
    assert (history[-1]["action"], history[-1]["elapsed_s_after"]) == ("gun_shift", 0.0)


def test_a_retried_split_after_a_gun_correction_is_still_the_same_split(client, auth, vienna):
    body = {"id": str(uuid.uuid4()), "bib": "1", "checkpoint": "5K"}
    body["time"] = "2019-10-12T08:29:10+02:00"
    first = client.post("/api/races/vienna/splits", json=body, headers=auth["official"])
    assert first.status_code == 201
    correct_gun(client, auth, "2019-10-12T08:14:58+02:00")
    again = client.post("/api/races/vienna/splits", json=body, headers=auth["official"])
    assert again.status_code == 200, again.json
    assert (again.json["split"]["id"], again.json["split"]["elapsed_s"]) == (body["id"], 852.0)


@pytest.mark.parametrize("after", ["99999999999999999999", "-1", "x"])
def test_a_page_of_the_audit_log_past_any_id_is_refused_not_a_500(client, auth, vienna, after):
    response = client.get(f"/api/audit?after={after}", headers=auth["official"])
    assert (response.status_code, response.json["code"]) == (422, "validation_error")
