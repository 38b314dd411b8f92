"""The officials' review queue through the API: each kind of item, each action on it
(confirm, correct, void, assign a chip), refusals that change nothing, retries that are
not doubled, the audit log, and the raw-read views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from conftest import count_rows
from racekit import post_split, set_up_vienna
from tracker.db import db

KM5 = "2019-10-12T06:29:10Z"  # 14:10 after the 08:15 (06:15 UTC) gun
TABLES_TOO_BIG_TO_SCAN = {"splits", "raw_reads", "athletes", "chips", "split_revisions"}


@pytest.fixture
def vienna(client, auth):
    return set_up_vienna(client, auth)


def queue(client, auth, query=""):
    response = client.get(f"/api/races/vienna/review{query}", headers=auth["official"])
    assert response.status_code == 200, response.json
    return response.json


def kinds_in(body):
    return [item["kind"] for item in body["items"]]


def send_reads(client, auth, *reads):
    response = client.post(
        "/api/races/vienna/reads", json={"reads": list(reads)}, headers=auth["timing"]
    )
    assert response.status_code == 200, response.json
    return response.json["results"]


def read(seq, chip="KIP1", time=KM5, checkpoint="5K", source="km5"):
    return {"source": source, "seq": seq, "chip": chip, "time": time, "checkpoint": checkpoint}


def audit_actions(client, auth):
    entries = client.get("/api/audit?race=vienna", headers=auth["admin"]).json["entries"]
    return [entry["action"] for entry in entries]


def flagged_10k(client, auth):
    """Kipchoge at 5K in 14:10, then 10K 2:30 later: no one runs 5 km in 2:30."""
    assert post_split(client, auth, "5K", 850).status_code == 201
    split = post_split(client, auth, "10K", 1000).json["split"]
    assert split["flags"] == ["implausible_pace"]
    return split


# --- who may see it ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/races/vienna/review",
        "/api/races/vienna/athletes/1/reads",
        "/api/races/vienna/mats/5K/reads",
    ],
)
def test_spectators_and_timing_bridges_may_not_read_the_review(client, auth, vienna, path):
    assert client.get(path).status_code == 401
    refused = client.get(path, headers=auth["timing"])
    assert refused.status_code == 403 and refused.json["code"] == "forbidden_role"


# --- flagged splits: confirm, correct, void -----------------------------------------------


def test_a_flagged_split_is_in_the_queue_with_what_an_official_may_do(client, auth, vienna):
    split = flagged_10k(client, auth)
    body = queue(client, auth)
    assert body["counts"]["flagged_split"] == 1
    (item,) = [i for i in body["items"] if i["kind"] == "flagged_split"]
    assert item["id"] == f"flagged_split:{split['id']}"
    assert (item["bib"], item["name"], item["checkpoint"], item["flag"]) == (
        "1",
        "Eliud Kipchoge",
        "10K",
        "implausible_pace",
    )
    assert item["actions"] == ["confirm", "correct", "void"]
    assert item["split"]["elapsed_s"] == 1000


def test_a_confirmed_split_counts_leaves_the_queue_and_is_audited(client, auth, vienna):
    split = flagged_10k(client, auth)
    before = client.get("/api/races/vienna/athletes/1").json["projection"]
    assert before["last_checkpoint"] == "5K"
    confirmed = client.post(
        f"/api/races/vienna/splits/{split['id']}/confirm",
        json={"reason": "checked on the video"},
        headers=auth["official"],
    )
    assert confirmed.status_code == 200 and confirmed.json["changed"] is True
    assert confirmed.json["split"]["flags"] == [] and confirmed.json["split"]["confirmed"]
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert athlete["projection"]["last_checkpoint"] == "10K"
    assert queue(client, auth)["counts"]["flagged_split"] == 0
    history = client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]
    assert [(h["action"], h["reason"]) for h in history][-1] == ("confirm", "checked on the video")
    assert audit_actions(client, auth).count("split.confirm") == 1
    # The same confirmation again: nothing new.
    again = client.post(
        f"/api/races/vienna/splits/{split['id']}/confirm",
        json={"reason": "checked on the video"},
        headers=auth["official"],
    )
    assert again.status_code == 200 and again.json["changed"] is False
    assert audit_actions(client, auth).count("split.confirm") == 1
    assert len(client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]) == 2


def test_a_confirmed_split_corrected_to_another_implausible_time_is_flagged_again(
    client, auth, vienna
):
    split = flagged_10k(client, auth)
    client.post(
        f"/api/races/vienna/splits/{split['id']}/confirm",
        json={"reason": "video"},
        headers=auth["official"],
    )
    corrected = client.patch(
        f"/api/races/vienna/splits/{split['id']}",
        json={"elapsed_s": 1010, "reason": "typo"},
        headers=auth["official"],
    )
    assert corrected.json["split"]["flags"] == ["implausible_pace"]
    assert queue(client, auth)["counts"]["flagged_split"] == 1


@pytest.mark.parametrize("action", ["correct", "void"])
def test_a_flagged_split_corrected_or_voided_leaves_the_queue(client, auth, vienna, action):
    split = flagged_10k(client, auth)
    path = f"/api/races/vienna/splits/{split['id']}"
    if action == "correct":
        response = client.patch(
            path, json={"elapsed_s": 1702, "reason": "typo"}, headers=auth["official"]
        )
    else:
        response = client.delete(path, json={"reason": "ghost read"}, headers=auth["official"])
    assert response.status_code == 200
    assert queue(client, auth)["counts"]["flagged_split"] == 0


def test_confirming_is_refused_clearly_and_changes_nothing(client, auth, vienna):
    good = post_split(client, auth, "5K", 850).json["split"]
    split = post_split(client, auth, "10K", 1000).json["split"]
    revisions = count_rows("split_revisions")
    cases = [
        (good["id"], {"reason": "fine"}, 409, "split_not_flagged"),
        (split["id"], {}, 422, "validation_error"),
        (split["id"], {"reason": "x", "extra": 1}, 422, "validation_error"),
        ("not-a-split", {"reason": "x"}, 404, "unknown_split"),
    ]
    for split_id, body, status, code in cases:
        response = client.post(
            f"/api/races/vienna/splits/{split_id}/confirm", json=body, headers=auth["official"]
        )
        assert (response.status_code, response.json["code"]) == (status, code), body
    assert (
        client.post(
            f"/api/races/vienna/splits/{split['id']}/confirm", json={"reason": "x"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            f"/api/races/vienna/splits/{split['id']}/confirm",
            json={"reason": "x"},
            headers=auth["timing"],
        ).status_code
        == 403
    )
    client.delete(
        f"/api/races/vienna/splits/{split['id']}", json={"reason": "x"}, headers=auth["official"]
    )
    revisions = count_rows("split_revisions")
    voided = client.post(
        f"/api/races/vienna/splits/{split['id']}/confirm",
        json={"reason": "x"},
        headers=auth["official"],
    )
    assert (voided.status_code, voided.json["code"]) == (409, "split_voided")
    assert count_rows("split_revisions") == revisions


# --- unknown chips ------------------------------------------------------------------------


def test_an_unknown_chip_is_queued_and_assigning_it_scores_the_athlete_at_once(
    client, auth, vienna
):
    results = send_reads(
        client,
        auth,
        read(1, chip="SPARE9"),
        read(2, chip="SPARE9", time="2019-10-12T06:43:21Z", checkpoint="10K", source="km10"),
    )
    assert {r["status"] for r in results} == {"unknown_chip"}
    (item,) = queue(client, auth, "?kind=unknown_chip")["items"]
    assert (item["id"], item["chip"], item["reads"], item["last_checkpoint"]) == (
        "unknown_chip:SPARE9",
        "SPARE9",
        2,
        "10K",
    )
    assert item["actions"] == ["assign"]
    assigned = client.post(
        "/api/races/vienna/athletes/P1/chips", json={"chip": "SPARE9"}, headers=auth["official"]
    )
    assert assigned.status_code == 201
    assert [s["checkpoint"] for s in assigned.json["splits"]] == ["5K", "10K"]
    assert queue(client, auth)["counts"]["unknown_chip"] == 0
    # Sent again (a double click, a retry): nothing doubled.
    again = client.post(
        "/api/races/vienna/athletes/P1/chips", json={"chip": "SPARE9"}, headers=auth["official"]
    )
    assert again.status_code == 200
    assert len(again.json["splits"]) == 2
    assert audit_actions(client, auth).count("chip.assign") == 1
    # Later reads of the chip are the athlete's, not unknown.
    later = send_reads(
        client, auth, read(3, chip="SPARE9", time="2019-10-12T06:57:30Z", checkpoint="15K")
    )
    assert later[0]["bib"] == "P1"
    assert queue(client, auth)["counts"]["unknown_chip"] == 0


def test_assigning_a_chip_another_athlete_wears_is_refused_and_changes_nothing(
    client, auth, vienna
):
    send_reads(client, auth, read(1, chip="SPARE9"))
    chips = count_rows("chips")
    refused = client.post(
        "/api/races/vienna/athletes/P1/chips", json={"chip": "KIP1"}, headers=auth["official"]
    )
    assert (refused.status_code, refused.json["code"]) == (409, "chip_taken")
    missing = client.post(
        "/api/races/vienna/athletes/NOPE/chips", json={"chip": "SPARE9"}, headers=auth["official"]
    )
    assert (missing.status_code, missing.json["code"]) == (404, "unknown_bib")
    assert count_rows("chips") == chips
    assert queue(client, auth)["counts"]["unknown_chip"] == 1


# --- conflicting entries: a hand-entered time the mats contradict ---------------------------


@pytest.mark.parametrize("action", ["correct", "revert"])
def test_a_hand_entered_time_the_mats_contradict_is_queued_until_resolved(
    client, auth, vienna, action
):
    entered = post_split(client, auth, "5K", 870).json["split"]
    (result,) = send_reads(client, auth, read(1))  # the mat says 14:10
    assert result["status"] == "manual_override"
    (item,) = queue(client, auth, "?kind=conflicting_entry")["items"]
    assert item["id"] == f"conflicting_entry:{entered['id']}"
    assert (item["bib"], item["checkpoint"], item["mat_elapsed_s"]) == ("1", "5K", 850)
    assert item["split"]["elapsed_s"] == 870 and item["mat_read"] == "km5:1"
    assert item["actions"] == ["correct", "void", "revert"]
    path = f"/api/races/vienna/splits/{entered['id']}"
    if action == "correct":
        response = client.patch(
            path, json={"elapsed_s": 850, "reason": "the mat is right"}, headers=auth["official"]
        )
    else:
        response = client.post(
            f"{path}/revert", json={"reason": "let the mats decide"}, headers=auth["official"]
        )
    assert response.status_code == 200, response.json
    assert response.json["split"]["elapsed_s"] == 850
    assert queue(client, auth)["counts"]["conflicting_entry"] == 0


def test_a_hand_entered_time_that_agrees_with_the_mats_is_not_a_conflict(client, auth, vienna):
    post_split(client, auth, "5K", 851)
    send_reads(client, auth, read(1))
    assert queue(client, auth)["counts"]["conflicting_entry"] == 0


# --- read-key conflicts -------------------------------------------------------------------


def test_a_read_key_conflict_is_queued_with_its_reason(client, auth, vienna):
    send_reads(client, auth, read(7))
    (result,) = send_reads(client, auth, read(7, chip="OTHER"))
    assert result["result"] == "conflict"
    (item,) = queue(client, auth, "?kind=read_conflict")["items"]
    assert item["kind"] == "read_conflict"
    assert (item["key"], item["chip"], item["checkpoint"]) == ("km5:7", "OTHER", "5K")
    assert "kept for review" in item["reason"]


KM10 = "2019-10-12T06:43:21Z"  # 28:21 after the gun


def restarted_bridge(client, auth):
    """A bridge that restarted its numbering: its seq 7 was the 5K read, now the 10K one."""
    send_reads(client, auth, read(7, source="bridge"))
    (result,) = send_reads(client, auth, read(7, time=KM10, checkpoint="10K", source="bridge"))
    assert result["result"] == "conflict"
    (item,) = queue(client, auth, "?kind=read_conflict")["items"]
    assert item["actions"] == ["accept", "dismiss"]
    return item["id"].split(":")[1]


def resolve(client, auth, number, resolution, role="official", reason="bridge restarted"):
    return client.post(
        f"/api/races/vienna/read-conflicts/{number}/{resolution}",
        json={"reason": reason},
        headers=auth[role],
    )


def checkpoints_of_kipchoge(client):
    return [s["checkpoint"] for s in client.get("/api/races/vienna/athletes/1").json["splits"]]


def test_an_accepted_read_conflict_is_scored_at_once_and_leaves_the_queue(client, auth, vienna):
    number = restarted_bridge(client, auth)
    assert checkpoints_of_kipchoge(client) == ["5K"]
    accepted = resolve(client, auth, number, "accept")
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["changed"] is True
    assert (accepted.json["read"]["status"], accepted.json["read"]["bib"]) == ("used", "1")
    assert accepted.json["conflict"]["resolution"] == "accept"
    assert checkpoints_of_kipchoge(client) == ["5K", "10K"]
    assert queue(client, auth)["counts"]["read_conflict"] == 0
    # Sent again: nothing new, no second audit entry, no second read.
    reads = count_rows("raw_reads")
    again = resolve(client, auth, number, "accept")
    assert (again.status_code, again.json["changed"]) == (200, False)
    assert count_rows("raw_reads") == reads
    assert audit_actions(client, auth).count("read_conflict.accept") == 1


def test_a_dismissed_read_conflict_leaves_the_queue_unscored(client, auth, vienna):
    number = restarted_bridge(client, auth)
    dismissed = resolve(client, auth, number, "dismiss")
    assert (dismissed.status_code, dismissed.json["read"]) == (200, None)
    assert checkpoints_of_kipchoge(client) == ["5K"]
    assert queue(client, auth)["counts"]["read_conflict"] == 0
    assert audit_actions(client, auth).count("read_conflict.dismiss") == 1


def test_resolving_a_read_conflict_is_refused_clearly_and_changes_nothing(client, auth, vienna):
    number = restarted_bridge(client, auth)
    refusals = [
        (resolve(client, auth, "999", "accept"), 404, "unknown_read_conflict"),
        (resolve(client, auth, "x1", "dismiss"), 404, "unknown_read_conflict"),
        (resolve(client, auth, number, "accept", reason=""), 422, "validation_error"),
        (resolve(client, auth, number, "accept", role="timing"), 403, "forbidden_role"),
    ]
    for response, status, code in refusals:
        assert (response.status_code, response.json["code"]) == (status, code)
    assert queue(client, auth)["counts"]["read_conflict"] == 1
    assert resolve(client, auth, number, "dismiss").status_code == 200
    changed_mind = resolve(client, auth, number, "accept")
    assert (changed_mind.status_code, changed_mind.json["code"]) == (409, "read_conflict_resolved")
    assert checkpoints_of_kipchoge(client) == ["5K"]
    anonymous = client.post(
        f"/api/races/vienna/read-conflicts/{number}/accept", json={"reason": "x"}
    )
    assert anonymous.status_code == 401


# --- overdue athletes ---------------------------------------------------------------------


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


@pytest.fixture
def running(client, auth):
    """Vienna started an hour ago: Kipchoge was at 5K after 20:00, the pacer after 14:10."""
    set_up_vienna(client, auth, start=False)
    gun = datetime.now(UTC) - timedelta(hours=1)
    started = client.post("/api/races/vienna/start", json={"at": _iso(gun)}, headers=auth["admin"])
    assert started.status_code == 200
    assert post_split(client, auth, "5K", 1200).status_code == 201
    assert post_split(client, auth, "5K", 850, bib="P1").status_code == 201


def test_an_athlete_past_due_at_the_next_mat_is_on_the_named_overdue_list(client, auth, running):
    # Kipchoge was expected at 10K at 40:00, the pacer at 28:20: an hour in, both are late.
    body = queue(client, auth, "?kind=overdue&overdue_after_s=600")
    assert body["overdue_after_s"] == 600
    assert [(i["bib"], i["checkpoint"], i["last_checkpoint"]) for i in body["items"]] == [
        ("P1", "10K", "5K"),
        ("1", "10K", "5K"),
    ]
    first = body["items"][0]
    assert first["name"] == "Jakob Ingebrigtsen" and first["id"] == "overdue:P1@10K"
    assert first["expected_elapsed_s"] == pytest.approx(1700)
    assert first["late_s"] > 600
    # A larger threshold: only the pacer, who is later by more.
    lenient = queue(client, auth, "?kind=overdue&overdue_after_s=1500")
    assert [i["bib"] for i in lenient["items"]] == ["P1"]


def test_an_athlete_seen_further_on_or_out_of_the_race_is_not_overdue(client, auth, running):
    assert post_split(client, auth, "15K", 2600, bib="P1").status_code == 201
    client.patch(
        "/api/races/vienna/athletes/1",
        json={"status": "dnf", "reason": "stepped off at 7 km"},
        headers=auth["official"],
    )
    assert queue(client, auth, "?kind=overdue&overdue_after_s=600")["items"] == []
    # Back in the race: listed again.
    reverted = client.patch(
        "/api/races/vienna/athletes/1",
        json={"status": "started", "reason": "back on course"},
        headers=auth["official"],
    )
    assert reverted.status_code == 200, reverted.json
    assert [i["bib"] for i in queue(client, auth, "?kind=overdue")["items"]] == ["1"]


def test_a_pacer_running_stints_in_a_group_is_not_overdue(client, auth, running):
    # Pacers in a group run their stints and step off: a resting group is not a missing
    # runner (the Vienna demo's 41 filled the safety list).
    body = {"members": ["P1"], "plan": [{"in_m": 0, "out_m": 5000}]}
    put = client.put("/api/races/vienna/pacer-groups/A", json=body, headers=auth["admin"])
    assert put.status_code == 200, put.json
    assert [i["bib"] for i in queue(client, auth, "?kind=overdue")["items"]] == ["1"]
    # Out of every group, a pacer is expected at the mats like anyone.
    emptied = {"members": [], "plan": [{"in_m": 0, "out_m": 5000}]}
    put = client.put("/api/races/vienna/pacer-groups/A", json=emptied, headers=auth["admin"])
    assert put.status_code == 200, put.json
    assert [i["bib"] for i in queue(client, auth, "?kind=overdue")["items"]] == ["P1", "1"]


# --- the queue's shape --------------------------------------------------------------------


def test_the_queue_pages_across_kinds_in_order(client, auth, vienna):
    flagged_10k(client, auth)
    send_reads(client, auth, read(1, chip="SPARE1"), read(2, chip="SPARE2"))
    send_reads(client, auth, read(1, chip="SPARE3"))  # same key, other chip: a conflict
    whole = queue(client, auth)
    assert whole["counts"] == {
        "overdue": whole["counts"]["overdue"],
        "flagged_split": 1,
        "conflicting_entry": 0,
        "read_conflict": 1,
        "unknown_chip": 2,
    }
    ids = [item["id"] for item in whole["items"]]
    assert len(ids) == whole["total"]
    paged = []
    for offset in range(0, whole["total"], 2):
        paged += [i["id"] for i in queue(client, auth, f"?offset={offset}&limit=2")["items"]]
    assert paged == ids
    assert kinds_in(queue(client, auth, "?kind=unknown_chip,flagged_split")) == [
        "flagged_split",
        "unknown_chip",
        "unknown_chip",
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("?kind=everything", "kind"),
        ("?overdue_after_s=-5", "overdue_after_s"),
        ("?overdue_after_s=ten", "overdue_after_s"),
        ("?overdue_after_s=999999", "overdue_after_s"),
        ("?limit=0", "limit"),
        ("?offset=x", "offset"),
    ],
)
def test_a_bad_query_is_refused_with_the_field_named(client, auth, vienna, query, field):
    response = client.get(f"/api/races/vienna/review{query}", headers=auth["official"])
    assert response.status_code == 422
    assert response.json["code"] == "validation_error"
    assert response.json["errors"][0]["field"] == field


def test_an_unknown_race_has_no_queue(client, auth):
    response = client.get("/api/races/nowhere/review", headers=auth["official"])
    assert (response.status_code, response.json["code"]) == (404, "unknown_race")


# --- raw reads ----------------------------------------------------------------------------


def test_an_athletes_raw_reads_say_what_the_scorer_made_of_each(client, auth, vienna):
    send_reads(
        client,
        auth,
        read(1),
        read(2, time="2019-10-12T06:29:11Z"),  # the same crossing, a second later
    )
    body = client.get("/api/races/vienna/athletes/1/reads", headers=auth["official"]).json
    assert body["chips"] == ["KIP1"]
    assert [(r["key"], r["status"]) for r in body["reads"]] == [
        ("km5:1", "used"),
        ("km5:2", "duplicate"),
    ]
    assert body["reads"][0]["checkpoint"] == "5K" and body["reads"][0]["bib"] == "1"
    missing = client.get("/api/races/vienna/athletes/NOPE/reads", headers=auth["official"])
    assert (missing.status_code, missing.json["code"]) == (404, "unknown_bib")


def test_a_mats_raw_reads_come_latest_first_with_the_wearers_bib(client, auth, vienna):
    send_reads(client, auth, read(1), read(2, chip="SPARE9", time="2019-10-12T06:30:00Z"))
    body = client.get("/api/races/vienna/mats/5K/reads", headers=auth["official"]).json
    assert body["total"] == 2
    assert [(r["chip"], r["bib"]) for r in body["reads"]] == [("SPARE9", None), ("KIP1", "1")]
    page = client.get(
        "/api/races/vienna/mats/5K/reads?offset=1&limit=1", headers=auth["official"]
    ).json
    assert [r["chip"] for r in page["reads"]] == ["KIP1"]
    unknown = client.get("/api/races/vienna/mats/99K/reads", headers=auth["official"])
    assert (unknown.status_code, unknown.json["code"]) == (404, "unknown_mat")


def test_a_confirmation_survives_a_gun_correction_that_moves_every_time(client, auth, vienna):
    split = flagged_10k(client, auth)
    client.post(
        f"/api/races/vienna/splits/{split['id']}/confirm",
        json={"reason": "video"},
        headers=auth["official"],
    )
    corrected = client.post(
        "/api/races/vienna/gun",
        json={"at": "2019-10-12T08:14:58+02:00", "reason": "gun fired 2 s early"},
        headers=auth["official"],
    )
    assert corrected.status_code == 200, corrected.json
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert athlete["splits"][1]["elapsed_s"] == 1002
    assert athlete["splits"][1]["confirmed"] and athlete["splits"][1]["flags"] == []
    assert queue(client, auth)["counts"]["flagged_split"] == 0


def test_a_chip_read_before_its_athlete_was_entered_leaves_the_queue_when_they_are(
    client, auth, vienna
):
    send_reads(client, auth, read(1, chip="LATE1"))
    assert queue(client, auth)["counts"]["unknown_chip"] == 1
    added = client.post(
        "/api/races/vienna/athletes",
        json={"bib": "9", "name": "Late Entry", "chips": ["LATE1"]},
        headers=auth["admin"],
    )
    assert added.status_code == 201
    assert [s["checkpoint"] for s in added.json["splits"]] == ["5K"]
    assert queue(client, auth)["counts"]["unknown_chip"] == 0


def test_the_queue_and_the_raw_read_views_read_no_table_whole(app, client, auth, vienna):
    """Every statement behind them searches an index on SQLite; none scans splits, reads,
    athletes or chips whole (a 40,000-runner field must not be read to answer)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite's EXPLAIN QUERY PLAN; PostgreSQL plans by its statistics")
    flagged_10k(client, auth)
    send_reads(client, auth, read(1), read(2, chip="SPARE1"))
    post_split(client, auth, "5K", 900, bib="P1")
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        queue(client, auth)
        client.get("/api/races/vienna/athletes/1/reads", headers=auth["official"])
        client.get("/api/races/vienna/mats/5K/reads", headers=auth["official"])
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    whole = set()
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            for row in plan:
                detail = row[-1]
                if detail.startswith("SCAN ") and "USING" not in detail:
                    whole.add(detail)
    assert not {d for d in whole if d.split()[1] in TABLES_TOO_BIG_TO_SCAN}, whole
