"""Entering, repeating, correcting and voiding splits over the API."""

import uuid

import pytest

from conftest import count_rows
from racekit import KIPCHOGE, post_split, set_up_vienna


@pytest.fixture
def vienna(client, auth):
    return set_up_vienna(client, auth)


def test_a_split_is_stored_and_answered_with_the_athletes_new_projection(client, auth, vienna):
    response = post_split(client, auth, "30K", 5111)
    assert response.status_code == 201
    body = response.json
    assert body["split"]["elapsed_s"] == 5111
    assert body["split"]["time"] == "2019-10-12T09:40:11+02:00"
    assert body["split"]["source"] == "manual"
    assert body["split"]["entered_by"] == "test-official"
    projection = body["projection"]
    assert projection["projected_finish_s"] == pytest.approx(5111 * 42195 / 30000, abs=1e-3)
    for field in (
        "gap_s",
        "projected_margin_s",
        "required_pace_s_per_km",
        "pace_s_per_km",
        "last_segment_pace_s_per_km",
    ):
        assert isinstance(projection[field], float)
    assert [eta["checkpoint"] for eta in projection["eta"]] == ["35K", "40K", "FINISH"]
    assert projection["eta"][0]["at"].endswith("+02:00")


def test_a_split_can_be_given_as_a_wall_clock_time_with_an_offset(client, auth, vienna):
    response = client.post(
        "/api/races/vienna/splits",
        json={"bib": "1", "checkpoint": "5K", "time": "2019-10-12T06:29:10Z"},
        headers=auth["official"],
    )
    assert response.status_code == 201
    assert response.json["split"]["elapsed_s"] == 850


def test_the_same_client_id_again_returns_the_same_split_and_creates_nothing(client, auth, vienna):
    key = str(uuid.uuid4())
    first = post_split(client, auth, "5K", 850, id=key)
    again = post_split(client, auth, "5K", 850, id=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["split"] == first.json["split"]
    assert first.json["split"]["id"] == key
    assert count_rows("splits") == 1
    assert count_rows("split_revisions") == 1


def test_a_repeated_request_without_an_id_does_not_create_a_second_split(client, auth, vienna):
    assert post_split(client, auth, "5K", 850).status_code == 201
    assert post_split(client, auth, "5K", 850, role="timing").status_code == 200
    assert count_rows("splits") == 1


def test_a_client_id_reused_for_another_split_is_a_conflict(client, auth, vienna):
    key = str(uuid.uuid4())
    post_split(client, auth, "5K", 850, id=key)
    response = post_split(client, auth, "10K", 1700, id=key)
    assert response.status_code == 409
    assert response.json["code"] == "idempotency_conflict"
    assert count_rows("splits") == 1


def test_a_second_different_time_at_a_checkpoint_is_a_conflict_showing_the_first(
    client, auth, vienna
):
    first = post_split(client, auth, "5K", 850).json["split"]
    response = post_split(client, auth, "5K", 851)
    assert response.status_code == 409
    assert response.json["code"] == "split_conflict"
    assert response.json["existing_id"] == first["id"]
    assert response.json["existing_elapsed_s"] == 850
    assert count_rows("splits") == 1


def test_a_correction_keeps_the_old_value_who_when_and_why(client, auth, vienna):
    split = post_split(client, auth, "5K", 851).json["split"]
    response = client.patch(
        f"/api/races/vienna/splits/{split['id']}",
        json={"elapsed_s": 850, "reason": "video review"},
        headers=auth["official"],
    )
    assert response.status_code == 200
    assert response.json["split"]["elapsed_s"] == 850
    assert response.json["split"]["version"] == 2
    history = client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]
    assert [(h["action"], h["elapsed_s_before"], h["elapsed_s_after"]) for h in history] == [
        ("enter", None, 851),
        ("correct", 851, 850),
    ]
    assert history[1]["reason"] == "video review"
    assert history[1]["actor"] == "test-official"
    # The same correction again is a retry, not a new revision.
    client.patch(
        f"/api/races/vienna/splits/{split['id']}",
        json={"elapsed_s": 850, "reason": "video review"},
        headers=auth["official"],
    )
    assert count_rows("split_revisions") == 2


def test_a_voided_split_leaves_the_projection_keeps_its_history_and_frees_the_checkpoint(
    client, auth, vienna
):
    post_split(client, auth, "5K", 850)
    split = post_split(client, auth, "10K", 1750).json["split"]
    response = client.delete(
        f"/api/races/vienna/splits/{split['id']}",
        json={"reason": "wrong athlete"},
        headers=auth["official"],
    )
    assert response.status_code == 200
    assert response.json["split"]["voided"] is True
    assert response.json["projection"]["last_checkpoint"] == "5K"
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert [s["checkpoint"] for s in athlete["splits"]] == ["5K"]
    assert post_split(client, auth, "10K", 1700).status_code == 201
    history = client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]
    assert [h["action"] for h in history] == ["enter", "void"]
    assert history[1]["reason"] == "wrong athlete"


def test_voiding_twice_changes_nothing_and_a_voided_split_cannot_be_corrected(client, auth, vienna):
    split = post_split(client, auth, "5K", 850).json["split"]
    url = f"/api/races/vienna/splits/{split['id']}"
    for _ in range(2):
        assert client.delete(url + "?reason=duplicate", headers=auth["official"]).status_code == 200
    assert count_rows("split_revisions") == 2
    response = client.patch(url, json={"elapsed_s": 851, "reason": "x"}, headers=auth["official"])
    assert (response.status_code, response.json["code"]) == (409, "split_voided")


def test_an_impossible_split_is_kept_flagged_and_left_out_of_the_projection(client, auth, vienna):
    post_split(client, auth, "5K", 850)
    response = post_split(client, auth, "10K", 1000)  # 5 km in 2:30 minutes
    assert response.status_code == 201
    assert response.json["split"]["flags"] == ["implausible_pace"]
    assert response.json["projection"]["last_checkpoint"] == "5K"
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert [s["flags"] for s in athlete["splits"]] == [[], ["implausible_pace"]]


def test_the_whole_vienna_race_projects_and_finishes_in_1_59_40_2(client, auth, vienna):
    for checkpoint, elapsed in KIPCHOGE:
        assert post_split(client, auth, checkpoint, elapsed, role="timing").status_code == 201
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert athlete["projection"]["finished"] is True
    assert athlete["projection"]["projected_finish_s"] == 7180.2
    assert athlete["projection"]["projected_margin_s"] == pytest.approx(-19.8)
    assert athlete["projection"]["eta"] == []


def test_the_race_snapshot_carries_every_athlete_with_splits_and_projection(client, auth, vienna):
    post_split(client, auth, "5K", 850)
    snapshot = client.get("/api/races/vienna").json
    assert snapshot["race"]["slug"] == "vienna"
    assert snapshot["race"]["gun_time"] == "2019-10-12T08:15:00+02:00"
    assert [cp["code"] for cp in snapshot["race"]["checkpoints"]][-1] == "FINISH"
    athletes = {a["bib"]: a for a in snapshot["athletes"]}
    assert athletes["1"]["projection"]["last_checkpoint"] == "5K"
    assert athletes["P1"]["role"] == "pacer"
    assert athletes["P1"]["splits"] == []
    assert "chips" not in athletes["1"]


def test_the_csv_export_lists_every_split_and_every_correction(client, auth, vienna):
    split = post_split(client, auth, "5K", 851).json["split"]
    client.patch(
        f"/api/races/vienna/splits/{split['id']}",
        json={"elapsed_s": 850, "reason": "=cmd|' /C calc'!A0"},
        headers=auth["official"],
    )
    response = client.get("/api/races/vienna/splits.csv")
    assert response.mimetype == "text/csv"
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("split_id,bib,athlete,checkpoint")
    assert len(lines) == 3
    assert ",enter," in lines[1] and ",correct," in lines[2]
    # A reason that looks like a spreadsheet formula is exported as text.
    assert "'=cmd" in lines[2]
