"""An official's word over the mats: voids and corrections stand until an official reverts
them; a chip assigned late is scored from the reads kept; START is the start mat's."""

from __future__ import annotations

import uuid

import pytest

from conftest import count_rows
from racekit import post_split, set_up_vienna

KM5 = "2019-10-12T06:29:10Z"  # 14:10 after the 08:15 (06:15 UTC) gun


@pytest.fixture
def vienna(client, auth):
    return set_up_vienna(client, auth)


def send_reads(client, auth, *reads):
    response = client.post(
        "/api/races/vienna/reads", json={"reads": list(reads)}, headers=auth["timing"]
    )
    assert response.status_code == 200, response.json
    return response.json["results"]


def read(seq, chip="KIP1", time=KM5, checkpoint="5K"):
    return {"source": "km5", "seq": seq, "chip": chip, "time": time, "checkpoint": checkpoint}


def splits_at_5k(client, bib="1"):
    athlete = client.get(f"/api/races/vienna/athletes/{bib}").json
    return [(s["elapsed_s"], s["entered_by"]) for s in athlete["splits"] if s["checkpoint"] == "5K"]


def test_an_officials_void_of_a_mat_split_stands_when_the_athlete_is_read_again(
    client, auth, vienna
):
    send_reads(client, auth, read(1))
    (split,) = client.get("/api/races/vienna/athletes/1").json["splits"]
    voided = client.delete(
        f"/api/races/vienna/splits/{split['id']}",
        json={"reason": "chip on the wrong runner"},
        headers=auth["official"],
    )
    assert voided.status_code == 200
    # Later reads of the same chip, at this mat and the next, come in.
    results = send_reads(client, auth, read(2, time="2019-10-12T06:29:11Z"))
    assert results[0]["status"] == "manual_override"
    assert splits_at_5k(client) == []
    history = client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]
    assert [h["action"] for h in history] == ["enter", "void"]


def test_an_official_reverts_a_void_and_the_mats_govern_again(client, auth, vienna):
    send_reads(client, auth, read(1))
    (split,) = client.get("/api/races/vienna/athletes/1").json["splits"]
    client.delete(
        f"/api/races/vienna/splits/{split['id']}",
        json={"reason": "doubt"},
        headers=auth["official"],
    )
    reverted = client.post(
        f"/api/races/vienna/splits/{split['id']}/revert",
        json={"reason": "video shows the chip was right"},
        headers=auth["official"],
    )
    assert reverted.status_code == 200, reverted.json
    assert splits_at_5k(client) == [(850.0, "scorer")]
    history = client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("enter", "scorer"),
        ("void", "test-official"),
        ("revert", "test-official"),
    ]


def test_an_officials_correction_stands_until_reverted(client, auth, vienna):
    send_reads(client, auth, read(1))
    (split,) = client.get("/api/races/vienna/athletes/1").json["splits"]
    corrected = client.patch(
        f"/api/races/vienna/splits/{split['id']}",
        json={"elapsed_s": 849.8, "reason": "photo"},
        headers=auth["official"],
    )
    assert corrected.status_code == 200
    send_reads(client, auth, read(2, time="2019-10-12T06:29:10.500Z"))
    assert splits_at_5k(client) == [(849.8, "scorer")]
    client.post(
        f"/api/races/vienna/splits/{split['id']}/revert",
        json={"reason": "back to the mats"},
        headers=auth["official"],
    )
    assert splits_at_5k(client) == [(850.0, "scorer")]


def test_reverting_a_split_no_official_changed_is_refused(client, auth, vienna):
    send_reads(client, auth, read(1))
    (split,) = client.get("/api/races/vienna/athletes/1").json["splits"]
    response = client.post(
        f"/api/races/vienna/splits/{split['id']}/revert",
        json={"reason": "nothing to revert"},
        headers=auth["official"],
    )
    assert (response.status_code, response.json["code"]) == (409, "nothing_to_revert")


def test_a_chip_read_before_its_athlete_existed_is_scored_when_the_athlete_is_added(
    client, auth, vienna
):
    (result,) = send_reads(client, auth, read(1, chip="LATE7"))
    assert result["status"] == "unknown_chip"
    added = client.post(
        "/api/races/vienna/athletes",
        json={"bib": "7", "name": "Late Entry", "chips": ["LATE7"]},
        headers=auth["admin"],
    )
    assert added.status_code == 201
    assert [s["elapsed_s"] for s in added.json["splits"]] == [850.0]


def test_a_chip_assigned_to_an_existing_athlete_is_scored_at_once(client, auth, vienna):
    send_reads(client, auth, read(1, chip="SPARE9"))
    response = client.post(
        "/api/races/vienna/athletes/P1/chips", json={"chip": "SPARE9"}, headers=auth["official"]
    )
    assert response.status_code == 201, response.json
    assert splits_at_5k(client, bib="P1") == [(850.0, "scorer")]
    taken = client.post(
        "/api/races/vienna/athletes/P1/chips", json={"chip": "KIP1"}, headers=auth["official"]
    )
    assert (taken.status_code, taken.json["code"]) == (409, "chip_taken")


def test_start_is_the_start_mats_code_not_a_checkpoint(client, auth, vienna):
    before = count_rows("checkpoints")
    response = client.post(
        "/api/races/vienna/checkpoints",
        json={"code": "START", "distance_m": 100},
        headers=auth["admin"],
    )
    assert (response.status_code, response.json["code"]) == (422, "validation_error")
    assert "code" in [error["field"] for error in response.json["errors"]]
    assert count_rows("checkpoints") == before


def test_reusing_a_splits_public_id_for_another_athlete_is_a_conflict(client, auth, vienna):
    send_reads(client, auth, read(1))
    (split,) = client.get("/api/races/vienna/athletes/1").json["splits"]
    response = post_split(client, auth, "5K", 860, bib="P1", id=split["id"])
    assert (response.status_code, response.json["code"]) == (409, "idempotency_conflict")
    fresh = post_split(client, auth, "5K", 860, bib="P1", id=str(uuid.uuid4()))
    assert fresh.status_code == 201
