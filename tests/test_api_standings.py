"""The board's field view over HTTP: places, gaps to the leader and to the athlete ahead,
overall and in the gender, and the places moved since the mat before, by chip time."""

from __future__ import annotations

import pytest
from test_api_field import FIELD

from racekit import post_split, set_up_vienna

# 10K: Kipchoge 1700, Tola 1790, Çağlar 1800, Hassan 1850, Obiri 1900.
TEN_K = (("21", 1900), ("22", 1850), ("23", 1790), ("24", 1800), ("1", 1700))


@pytest.fixture
def field(client, auth):
    slug = set_up_vienna(client, auth)
    for athlete in FIELD:
        chips = {"chips": ["C24"]} if athlete["bib"] == "24" else {}
        response = client.post(
            f"/api/races/{slug}/athletes", json={**athlete, **chips}, headers=auth["admin"]
        )
        assert response.status_code == 201, response.json
    for bib, elapsed in TEN_K:
        assert post_split(client, auth, "10K", elapsed, bib=bib).status_code == 201
    return slug


def standing(client, bib, checkpoint):
    answer = client.get("/api/races/vienna/standings")
    assert answer.status_code == 200, answer.json
    athlete = next(a for a in answer.json["athletes"] if a["bib"] == bib)
    return next((c for c in athlete["checkpoints"] if c["checkpoint"] == checkpoint), None)


def gaps(found, group="overall"):
    view = found["gaps"][group]
    return None if view is None else (view["leader_s"], view["ahead_s"])


def test_each_athlete_is_behind_the_leader_and_the_athlete_ahead_by_chip_time(client, field):
    answer = client.get("/api/races/vienna/standings").json
    assert (answer["race"], answer["basis"]) == ("vienna", "chip")
    assert answer["seq"] >= 5
    assert {a["bib"] for a in answer["athletes"]} == {"1", "P1", "21", "22", "23", "24"}
    assert gaps(standing(client, "1", "10K")) == (0.0, None)
    assert gaps(standing(client, "24", "10K")) == (100.0, 10.0)
    obiri = standing(client, "21", "10K")
    assert obiri["places"] == {"overall": 5, "gender": 2, "category": 2}
    # Among the women: Hassan leads, 50 s ahead of Obiri.
    assert gaps(obiri) == (200.0, 50.0)
    assert gaps(obiri, "gender") == (50.0, 50.0)
    assert gaps(standing(client, "22", "10K"), "gender") == (0.0, None)
    # No gender given, no place nor gap in one.
    assert standing(client, "1", "10K")["gaps"]["gender"] is None
    assert standing(client, "1", "10K")["moved"] is None


def test_who_moved_up_or_down_since_the_mat_before(client, auth, field):
    for bib, elapsed in (("1", 3400), ("21", 3700), ("22", 3750), ("23", 3800)):
        assert post_split(client, auth, "20K", elapsed, bib=bib).status_code == 201
    obiri = standing(client, "21", "20K")
    assert obiri["moved"] == {"since": "10K", "overall": 3, "gender": 1}
    assert standing(client, "23", "20K")["moved"] == {"since": "10K", "overall": -2, "gender": 0}
    assert standing(client, "1", "20K")["moved"] == {"since": "10K", "overall": 0, "gender": None}
    assert gaps(standing(client, "23", "20K")) == (400.0, 50.0)


def test_a_start_read_reorders_by_chip_time_and_a_dnf_leaves_the_standings(client, auth, field):
    # Çağlar crossed the start mat 30 s after the gun: 1,770 s of chip time at 10K.
    read = {"source": "start", "chip": "C24", "time": "2019-10-12T06:15:30Z", "checkpoint": "START"}
    sent = client.post("/api/races/vienna/reads", json={"reads": [read]}, headers=auth["timing"])
    assert sent.status_code == 200, sent.json
    caglar = standing(client, "24", "10K")
    assert (caglar["net_elapsed_s"], caglar["places"]["overall"]) == (1770.0, 2)
    assert gaps(caglar) == (70.0, 70.0)
    assert gaps(standing(client, "23", "10K")) == (90.0, 20.0)
    out = {"status": "dnf", "reason": "stopped at 12 km"}
    patched = client.patch("/api/races/vienna/athletes/24", json=out, headers=auth["official"])
    assert patched.status_code == 200, patched.json
    assert standing(client, "24", "10K") is None
    assert gaps(standing(client, "23", "10K")) == (90.0, 90.0)


def test_a_tie_shares_a_place_and_is_no_ones_athlete_ahead(client, auth, field):
    assert post_split(client, auth, "20K", 3400, bib="23").status_code == 201
    assert post_split(client, auth, "20K", 3400, bib="24").status_code == 201
    for bib in ("23", "24"):
        found = standing(client, bib, "20K")
        assert (found["places"]["overall"], gaps(found)) == (1, (0.0, None))


def test_the_standings_of_an_unknown_race_are_refused(client):
    answer = client.get("/api/races/nowhere/standings")
    assert (answer.status_code, answer.json["code"]) == (404, "unknown_race")
