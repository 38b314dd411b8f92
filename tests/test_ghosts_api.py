"""Ghosts an official uploads: a pacing plan as JSON or CSV, listed beside the published
runs, replaced, removed, audited; bad plans refused with a code, changing nothing."""

from __future__ import annotations

import json

import pytest

from conftest import count_rows
from racekit import EVEN_PLAN as PLAN
from racekit import EVEN_PLAN_CSV as CSV
from racekit import post_split, set_up_vienna

PUBLISHED = ["vienna-2019", "monza-2017", "berlin-2018", "berlin-2022", "chicago-2023"]


def put(client, auth, body, *, key="even-2-01", role="official", **extra):
    headers = auth[role] if role else {}
    if isinstance(body, str):
        return client.put(
            f"/api/races/vienna/ghosts/{key}",
            data=body,
            content_type="text/csv",
            headers=headers,
            **extra,
        )
    return client.put(f"/api/races/vienna/ghosts/{key}", json=body, headers=headers, **extra)


def audit_actions(client, auth) -> list[str]:
    entries = client.get("/api/audit", headers=auth["official"]).json["entries"]
    return [entry["action"] for entry in entries if entry["action"].startswith("ghost.")]


def race_seq(client) -> int:
    return client.get("/api/races/vienna").json["seq"]


def test_an_uploaded_plan_is_listed_after_the_published_runs_and_gapped_at_each_checkpoint(
    client, auth
):
    set_up_vienna(client, auth)
    post_split(client, auth, "5K", 850)
    post_split(client, auth, "10K", 1700)
    response = put(client, auth, PLAN)
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "created"
    listed = client.get("/api/races/vienna/ghosts").json["ghosts"]
    assert [g["key"] for g in listed] == [*PUBLISHED, "even-2-01"]
    uploaded = listed[-1]
    assert uploaded["uploaded"] is True and uploaded["name"] == "Even 2:01:00 plan"
    assert uploaded["track"] == [
        [0.0, 0.0],
        [860.0, 5000.0],
        [1720.0, 10000.0],
        [3440.0, 20000.0],
        [5160.0, 30000.0],
        [7260.0, 42195.0],
    ]
    snapshot = client.get("/api/races/vienna").json
    assert snapshot["race"]["ghosts"][-1] == uploaded
    kipchoge = next(a for a in snapshot["athletes"] if a["bib"] == "1")
    assert kipchoge["ghost_gaps"]["even-2-01"] == [["5K", -10.0], ["10K", -20.0]]
    assert audit_actions(client, auth) == ["ghost.upload"]


def test_a_csv_file_with_written_times_makes_the_same_ghost_as_json(client, auth):
    set_up_vienna(client, auth)
    response = put(client, auth, CSV, query_string={"name": "Even 2:01:00 plan"})
    assert response.status_code == 201, response.json
    from_json = {**PLAN, "splits": PLAN["splits"]}
    assert put(client, auth, from_json).json["outcome"] == "unchanged"
    assert response.json["ghost"]["track"][-2:] == [[5160.0, 30000.0], [7260.0, 42195.0]]


def test_the_same_upload_again_is_not_duplicated_nor_audited_nor_sent(client, auth):
    set_up_vienna(client, auth)
    assert put(client, auth, PLAN).status_code == 201
    seq = race_seq(client)
    again = put(client, auth, PLAN)
    assert again.status_code == 200
    assert again.json["outcome"] == "unchanged"
    assert count_rows("ghost_plans") == 1
    assert race_seq(client) == seq
    assert audit_actions(client, auth) == ["ghost.upload"]


def test_a_new_plan_under_the_same_key_replaces_the_old_one_and_is_audited(client, auth):
    set_up_vienna(client, auth)
    put(client, auth, PLAN)
    faster = {**PLAN, "name": "Even 2:00:30 plan", "finish_s": 7230}
    response = put(client, auth, faster)
    assert response.status_code == 200
    assert response.json["outcome"] == "replaced"
    assert count_rows("ghost_plans") == 1
    listed = client.get("/api/races/vienna/ghosts").json["ghosts"]
    assert listed[-1]["name"] == "Even 2:00:30 plan" and listed[-1]["finish_s"] == 7230
    entries = client.get("/api/audit", headers=auth["official"]).json["entries"]
    replaced = next(e for e in entries if e["action"] == "ghost.replace")
    assert replaced["before"]["finish_s"] == 7260 and replaced["after"]["finish_s"] == 7230


def test_an_official_removes_an_uploaded_ghost_but_not_a_published_run(client, auth):
    set_up_vienna(client, auth)
    put(client, auth, PLAN)
    gone = client.delete("/api/races/vienna/ghosts/even-2-01", headers=auth["official"])
    assert gone.status_code == 200, gone.json
    listed = client.get("/api/races/vienna/ghosts").json["ghosts"]
    assert [g["key"] for g in listed] == PUBLISHED
    again = client.delete("/api/races/vienna/ghosts/even-2-01", headers=auth["official"])
    assert (again.status_code, again.json["code"]) == (404, "unknown_ghost")
    published = client.delete("/api/races/vienna/ghosts/vienna-2019", headers=auth["official"])
    assert (published.status_code, published.json["code"]) == (409, "ghost_is_published")
    assert audit_actions(client, auth) == ["ghost.upload", "ghost.remove"]


def _with_splits(*splits, **changes):
    points = [{"distance_m": d, "elapsed_s": t} for d, t in splits]
    return {**PLAN, "splits": points, **changes}


BAD_PLANS = [
    ("splits out of order", _with_splits((10000, 1720), (5000, 860)), 422, "non_monotonic"),
    ("a time going back", _with_splits((5000, 860), (10000, 850)), 422, "non_monotonic"),
    ("a finish before the last split", {**PLAN, "finish_s": 5000}, 422, "non_monotonic"),
    (
        "a split past the finish",
        _with_splits((5000, 860), (50000, 9000)),
        422,
        "plan_beyond_course",
    ),
    ("a split at the finish", _with_splits((42195, 7000)), 422, "plan_beyond_course"),
    ("5 km in 5:00", _with_splits((5000, 300)), 422, "implausible_pace"),
    ("a marathon in 24 hours", {**PLAN, "finish_s": 86400}, 422, "implausible_pace"),
    ("no name", {k: v for k, v in PLAN.items() if k != "name"}, 422, "validation_error"),
    ("a time as text in JSON", _with_splits((5000, "14:20")), 422, "validation_error"),
    ("a negative time", _with_splits((5000, -1)), 422, "validation_error"),
    ("an unknown field", {**PLAN, "pacers": 3}, 422, "validation_error"),
    ("a list, not an object", [PLAN], 422, "validation_error"),
    ("a bad time in the CSV", "5000,14:75\n42195,2:01:00\n", 422, "invalid_csv"),
    ("three cells in a CSV row", "5000,14:20,x\n42195,2:01:00\n", 422, "invalid_csv"),
    ("a CSV without the finish", "5000,14:20\n40000,1:54:40\n", 422, "plan_without_finish"),
    ("an empty CSV", "distance,elapsed\n", 422, "invalid_csv"),
]


@pytest.mark.parametrize(
    ("body", "status", "code"), [case[1:] for case in BAD_PLANS], ids=[c[0] for c in BAD_PLANS]
)
def test_a_bad_plan_is_refused_with_its_code_and_changes_nothing(client, auth, body, status, code):
    set_up_vienna(client, auth)
    seq = race_seq(client)
    extra = {"query_string": {"name": "Plan"}} if isinstance(body, str) else {}
    response = put(client, auth, body, **extra)
    assert response.status_code == status, response.json
    assert response.json["code"] == code
    assert response.json["detail"]
    assert count_rows("ghost_plans") == 0
    assert race_seq(client) == seq
    assert audit_actions(client, auth) == []


@pytest.mark.parametrize(
    ("key", "body", "status", "code"),
    [
        ("vienna-2019", PLAN, 409, "ghost_is_published"),
        ("Berlin2022", PLAN, 422, "validation_error"),
        ("even-2-01", "5000,14:20\n42195,2:01:00\n", 422, "validation_error"),  # CSV, no name
    ],
)
def test_an_upload_under_a_bad_key_or_without_a_name_is_refused(
    client, auth, key, body, status, code
):
    set_up_vienna(client, auth)
    response = put(client, auth, body, key=key)
    assert (response.status_code, response.json["code"]) == (status, code), response.json
    assert count_rows("ghost_plans") == 0


def test_a_form_post_is_refused_as_the_wrong_media_type(client, auth):
    set_up_vienna(client, auth)
    response = client.put(
        "/api/races/vienna/ghosts/even-2-01",
        data={"name": "x"},
        headers=auth["official"],
    )
    assert (response.status_code, response.json["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("role", "status", "code"), [(None, 401, "auth_required"), ("timing", 403, "forbidden_role")]
)
def test_a_spectator_or_the_timing_feed_cannot_upload_or_remove_a_ghost(
    client, auth, role, status, code
):
    set_up_vienna(client, auth)
    put(client, auth, PLAN)
    refused = put(client, auth, {**PLAN, "finish_s": 7200}, role=role)
    assert (refused.status_code, refused.json["code"]) == (status, code)
    headers = auth[role] if role else {}
    removal = client.delete("/api/races/vienna/ghosts/even-2-01", headers=headers)
    assert (removal.status_code, removal.json["code"]) == (status, code)
    assert client.get("/api/races/vienna/ghosts").json["ghosts"][-1]["finish_s"] == 7260


def test_a_ghost_is_uploaded_listed_and_removed_from_the_cli(client, auth, runner, tmp_path):
    set_up_vienna(client, auth)
    csv_file = tmp_path / "even-2-01.csv"
    csv_file.write_text(CSV)
    added = runner.invoke(args=["ghost", "add", "vienna", str(csv_file), "--name", "Even plan"])
    assert added.exit_code == 0, added.output
    assert "even-2-01 of vienna: created" in added.output
    json_file = tmp_path / "plan.json"
    json_file.write_text(json.dumps(PLAN))
    again = runner.invoke(args=["ghost", "add", "vienna", str(json_file), "--key", "even-2-01"])
    assert "replaced" in again.output  # the JSON's own name replaces "Even plan"
    listed = runner.invoke(args=["ghost", "list", "vienna"])
    assert "even-2-01\tEven 2:01:00 plan\t7260 s\tuploaded" in listed.output
    bad = tmp_path / "bad.csv"
    bad.write_text("5000,14:20\n40000,1:54:40\n")
    refused = runner.invoke(args=["ghost", "add", "vienna", str(bad), "--name", "x"])
    assert refused.exit_code != 0
    assert "[plan_without_finish]" in refused.output
    removed = runner.invoke(args=["ghost", "remove", "vienna", "even-2-01"])
    assert removed.exit_code == 0, removed.output
    assert count_rows("ghost_plans") == 0
    assert audit_actions(client, auth) == ["ghost.upload", "ghost.replace", "ghost.remove"]
