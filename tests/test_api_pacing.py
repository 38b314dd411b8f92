"""Pacer groups and rotations over the API: an official's group in or out, a pacer's time
at a changeover mat, retries, and every bad request refused with its code."""

import uuid

import pytest

from conftest import count_rows
from racekit import after_gun, post_split, set_up_vienna

TABLES = ("pacer_rotations", "pacer_groups", "pacer_stints", "audit_entries")


@pytest.fixture
def vienna(client, auth):
    """Kipchoge, pacers P1-P3 (P2 wears a chip), group A (P1) then B (P2, P3) at 5 km."""
    slug = set_up_vienna(client, auth)
    for bib, chips in (("P2", ["PAC2"]), ("P3", [])):
        body = {"bib": bib, "name": f"Pacer {bib}", "role": "pacer", "chips": chips}
        response = client.post(f"/api/races/{slug}/athletes", json=body, headers=auth["admin"])
        assert response.status_code == 201, response.json
    set_group(client, auth, "A", ["P1"], [[0, 5000], [10000, 15000]])
    set_group(client, auth, "B", ["P2", "P3"], [[5000, 10000]])
    return slug


def set_group(client, auth, code, members, plan, expect=200):
    body = {"members": members, "plan": [{"in_m": i, "out_m": o} for i, o in plan]}
    response = client.put(
        f"/api/races/vienna/pacer-groups/{code}", json=body, headers=auth["admin"]
    )
    assert response.status_code == expect, response.json
    return response


def rotate(client, auth, group, action, elapsed_s, *, role="official", **place):
    body = {
        "group": group,
        "action": action,
        "elapsed_s": elapsed_s,
        **(place or {"distance_m": 0}),
    }
    return client.post("/api/races/vienna/pacer-rotations", json=body, headers=auth[role])


def pacing(client):
    return client.get("/api/races/vienna").json["race"]["pacing"]


def test_an_official_puts_a_group_in_and_the_race_shows_who_is_pacing(client, auth, vienna):
    response = rotate(client, auth, "A", "in", 0)
    assert response.status_code == 201, response.json
    assert [(r["group"], r["action"], r["source"]) for r in response.json["rotations"]] == [
        ("A", "in", "official")
    ]
    state = pacing(client)
    assert state["now"] == "A"
    assert [m["bib"] for m in next(g for g in state["groups"] if g["code"] == "A")["members"]] == [
        "P1"
    ]
    athletes = {a["bib"]: a for a in client.get("/api/races/vienna").json["athletes"]}
    assert athletes["P2"]["pacer_group"] == "B" and athletes["1"]["pacer_group"] is None


def test_a_group_going_in_relieves_the_group_pacing_at_the_same_point(client, auth, vienna):
    rotate(client, auth, "A", "in", 0)
    response = rotate(client, auth, "B", "in", 849.5, checkpoint="5K")
    assert response.status_code == 201, response.json
    assert [(r["group"], r["action"], r["distance_m"]) for r in response.json["rotations"]] == [
        ("A", "out", 5000.0),
        ("B", "in", 5000.0),
    ]
    plan = pacing(client)["plan"]
    assert [(p["group"], p["planned_in_m"], p["in_m"], p["out_m"], p["out_s"]) for p in plan] == [
        ("A", 0.0, 0.0, 5000.0, 849.5),
        ("B", 5000.0, 5000.0, None, None),
        ("A", 10000.0, None, None, None),
    ]


def test_the_same_id_again_records_one_rotation_and_another_request_under_it_is_refused(
    client, auth, vienna
):
    key = str(uuid.uuid4())
    first = rotate(client, auth, "A", "in", 0, id=key, distance_m=0)
    again = rotate(client, auth, "A", "in", 0, id=key, distance_m=0)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["changed"] is False
    assert again.json["rotations"] == first.json["rotations"]
    assert count_rows("pacer_rotations") == 1
    other = rotate(client, auth, "A", "out", 100, id=key, distance_m=400)
    assert other.status_code == 409 and other.json["code"] == "idempotency_conflict"
    assert count_rows("pacer_rotations") == 1


REFUSED = [
    ({"group": "Z", "action": "in", "elapsed_s": 10, "distance_m": 0}, 422, "unknown_pacer_group"),
    ({"group": "B", "action": "out", "elapsed_s": 30, "distance_m": 9}, 409, "group_not_pacing"),
    ({"group": "A", "action": "in", "elapsed_s": 30, "distance_m": 9}, 409, "group_already_pacing"),
    ({"group": "B", "action": "in", "elapsed_s": 10}, 422, "validation_error"),
    (
        {"group": "B", "action": "in", "elapsed_s": 10, "distance_m": 5, "checkpoint": "5K"},
        422,
        "validation_error",
    ),
    (
        {"group": "B", "action": "sideways", "elapsed_s": 10, "distance_m": 0},
        422,
        "validation_error",
    ),
    ({"group": "B", "action": "in", "distance_m": 0}, 422, "validation_error"),
    ({"group": "B", "action": "in", "elapsed_s": 10, "distance_m": 50000}, 422, "validation_error"),
    (
        {"group": "B", "action": "in", "elapsed_s": 10, "checkpoint": "7K"},
        422,
        "unknown_checkpoint",
    ),
    ({"group": "B", "action": "in", "elapsed_s": 10, "distance_m": "5"}, 422, "validation_error"),
    ({"group": "B", "action": "in", "elapsed_s": -1, "distance_m": 0}, 422, "validation_error"),
    (
        {"group": "B", "action": "in", "elapsed_s": 60, "distance_m": 0, "x": 1},
        422,
        "validation_error",
    ),
    # Before the last rotation recorded (A went in at 20 s).
    ({"group": "B", "action": "in", "elapsed_s": 5, "distance_m": 0}, 409, "rotation_out_of_order"),
]


@pytest.mark.parametrize(("body", "status", "code"), REFUSED, ids=[r[2] for r in REFUSED])
def test_a_bad_rotation_is_refused_with_its_code_and_changes_nothing(
    client, auth, vienna, body, status, code
):
    assert rotate(client, auth, "A", "in", 20).status_code == 201
    before = {table: count_rows(table) for table in TABLES}
    response = client.post("/api/races/vienna/pacer-rotations", json=body, headers=auth["official"])
    assert response.status_code == status, response.json
    assert response.json["code"] == code and response.json["detail"]
    assert {table: count_rows(table) for table in TABLES} == before
    assert pacing(client)["now"] == "A"


def test_spectators_and_timing_crews_cannot_record_a_rotation(client, auth, vienna):
    body = {"group": "A", "action": "in", "elapsed_s": 0, "distance_m": 0}
    anonymous = client.post("/api/races/vienna/pacer-rotations", json=body)
    timing = client.post("/api/races/vienna/pacer-rotations", json=body, headers=auth["timing"])
    assert (anonymous.status_code, timing.status_code) == (401, 403)
    assert count_rows("pacer_rotations") == 0


def test_a_pacers_chip_at_the_planned_changeover_mat_puts_the_group_in(client, auth, vienna):
    rotate(client, auth, "A", "in", 0)
    read = {"source": "km5", "chip": "PAC2", "time": after_gun(848).isoformat(), "checkpoint": "5K"}
    sent = client.post("/api/races/vienna/reads", json={"reads": [read]}, headers=auth["timing"])
    assert sent.json["results"][0]["status"] == "used", sent.json
    rotations = pacing(client)["rotations"]
    assert [(r["group"], r["action"], r["source"], r["elapsed_s"]) for r in rotations][1:] == [
        ("A", "out", "chip", 848.0),
        ("B", "in", "chip", 848.0),
    ]
    # The group's second pacer over the same mat changes nothing: B is in already.
    assert post_split(client, auth, "5K", 848.4, bib="P3").status_code == 201
    assert count_rows("pacer_rotations") == 3
    assert pacing(client)["now"] == "B"


def test_a_pacers_time_where_the_plan_has_no_handover_records_no_rotation(client, auth, vienna):
    rotate(client, auth, "A", "in", 0)
    assert post_split(client, auth, "10K", 1699, bib="P2").status_code == 201
    assert count_rows("pacer_rotations") == 1
    assert pacing(client)["now"] == "A"


def _changeover(client, auth, by):
    """A in at the start; P2's 5K time (a chip read or typed) puts B in, relieving A."""
    rotate(client, auth, "A", "in", 0)
    if by == "chip":
        read = {
            "source": "km5",
            "chip": "PAC2",
            "time": after_gun(848).isoformat(),
            "checkpoint": "5K",
        }
        sent = client.post(
            "/api/races/vienna/reads", json={"reads": [read]}, headers=auth["timing"]
        )
        assert sent.status_code == 200, sent.json
    else:
        assert post_split(client, auth, "5K", 848, bib="P2").status_code == 201
    assert pacing(client)["now"] == "B"
    (split,) = client.get("/api/races/vienna/athletes/P2").json["splits"]
    return f"/api/races/vienna/splits/{split['id']}"


@pytest.mark.parametrize("by", ["chip", "split"])
def test_voiding_the_pacers_split_that_put_a_group_in_withdraws_that_rotation(
    client, auth, vienna, by
):
    path = _changeover(client, auth, by)
    voided = client.delete(path, json={"reason": "wrong bib"}, headers=auth["official"])
    assert voided.status_code == 200, voided.json
    state = pacing(client)
    assert state["now"] == "A"
    assert [(r["group"], r["action"]) for r in state["rotations"]] == [("A", "in")]
    assert [(p["group"], p["in_m"], p["out_m"]) for p in state["plan"]][:2] == [
        ("A", 0.0, None),
        ("B", None, None),
    ]
    entries = client.get("/api/audit?race=vienna", headers=auth["admin"]).json["entries"]
    assert [e["action"] for e in entries].count("pacer_rotation.withdraw") == 2


def test_reverting_the_void_brings_the_rotation_back(client, auth, vienna):
    path = _changeover(client, auth, "chip")
    client.delete(path, json={"reason": "wrong bib"}, headers=auth["official"])
    reverted = client.post(f"{path}/revert", json={"reason": "it was P2"}, headers=auth["official"])
    assert reverted.status_code == 200, reverted.json
    state = pacing(client)
    assert state["now"] == "B"
    assert [(r["group"], r["action"]) for r in state["rotations"]] == [
        ("A", "in"),
        ("A", "out"),
        ("B", "in"),
    ]


def test_correcting_the_pacers_split_moves_its_rotation_with_it(client, auth, vienna):
    path = _changeover(client, auth, "split")
    corrected = client.patch(
        path, json={"elapsed_s": 851, "reason": "the watch"}, headers=auth["official"]
    )
    assert corrected.status_code == 200, corrected.json
    state = pacing(client)
    assert [(r["group"], r["action"], r["elapsed_s"]) for r in state["rotations"]] == [
        ("A", "in", 0.0),
        ("A", "out", 851.0),
        ("B", "in", 851.0),
    ]
    assert state["now"] == "B"


def test_every_rotation_is_in_the_audit_log(client, auth, vienna):
    rotate(client, auth, "A", "in", 0)
    rotate(client, auth, "B", "in", 850, checkpoint="5K")
    entries = client.get("/api/audit?race=vienna", headers=auth["official"]).json["entries"]
    actions = [(e["action"], e["subject"]) for e in entries if e["action"].startswith("pacer_")]
    assert actions[-3:] == [
        ("pacer_rotation.in", "A"),
        ("pacer_rotation.out", "A"),
        ("pacer_rotation.in", "B"),
    ]


@pytest.mark.parametrize(
    ("members", "plan", "status", "code"),
    [
        (["1"], [], 422, "not_a_pacer"),
        (["P9"], [], 422, "unknown_bib"),
        (["P1"], [[5000, 5000]], 422, "validation_error"),
        (["P1"], [[40000, 43000]], 422, "validation_error"),
    ],
    ids=["athlete", "unknown-bib", "empty-stint", "beyond-finish"],
)
def test_a_bad_pacer_group_is_refused_and_changes_nothing(
    client, auth, vienna, members, plan, status, code
):
    before = {table: count_rows(table) for table in TABLES}
    response = set_group(client, auth, "C", members, plan, expect=status)
    assert response.json["code"] == code
    assert {table: count_rows(table) for table in TABLES} == before


def test_setting_a_group_again_replaces_its_pacers_and_plan(client, auth, vienna):
    set_group(client, auth, "B", ["P3"], [[5000, 12000]])
    state = pacing(client)
    group = next(g for g in state["groups"] if g["code"] == "B")
    assert [m["bib"] for m in group["members"]] == ["P3"]
    assert [(p["group"], p["planned_out_m"]) for p in state["plan"] if p["group"] == "B"] == [
        ("B", 12000.0)
    ]


def test_pacers_running_in_a_group_are_not_placed_ahead_of_the_athlete(client, auth, vienna):
    post_split(client, auth, "5K", 849.0, bib="P2")  # the V crosses the mat first
    post_split(client, auth, "5K", 850.0)
    kipchoge = client.get("/api/races/vienna/athletes/1").json
    assert kipchoge["places"]["overall"] == 1
    assert client.get("/api/races/vienna/athletes/P2").json["places"] is None
    # Out of the group, a pacer is placed like anyone (and so is ahead of him here).
    set_group(client, auth, "B", ["P3"], [[5000, 10000]])
    assert client.get("/api/races/vienna/athletes/1").json["places"]["overall"] == 2
