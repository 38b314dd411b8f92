"""Raw chip reads over the batch endpoint: stored once, scored into splits, reported per read."""

import pytest

from conftest import count_rows
from racekit import post_split, set_up_vienna

GUN_UTC = "2019-10-12T06:15:00"


@pytest.fixture
def vienna(client, auth):
    slug = set_up_vienna(client, auth)
    client.post(
        f"/api/races/{slug}/athletes",
        json={"bib": "2", "name": "Second", "chips": ["SEC2"]},
        headers=auth["admin"],
    )
    return slug


def at(elapsed: str) -> str:
    """An instant some minutes:seconds after the gun, in UTC."""
    minutes, seconds = elapsed.split(":")
    total = int(minutes) * 60 + float(seconds)
    hours, rest = divmod(total, 3600)
    mins, secs = divmod(rest, 60)
    return f"2019-10-12T{6 + int(hours):02d}:{15 + int(mins):02d}:{secs:06.3f}Z"


def send(client, auth, reads, slug="vienna"):
    return client.post(f"/api/races/{slug}/reads", json={"reads": reads}, headers=auth["timing"])


def test_a_crossing_read_many_times_on_two_lines_becomes_one_split(client, auth, vienna):
    reads = [
        {"source": "km5-main", "seq": 1, "chip": "KIP1", "time": at("14:10.2"), "checkpoint": "5K"},
        {"source": "km5-main", "seq": 2, "chip": "KIP1", "time": at("14:11.0"), "checkpoint": "5K"},
        {
            "source": "km5-backup",
            "seq": 1,
            "chip": "KIP1",
            "time": at("14:09.9"),
            "checkpoint": "5K",
            "line": "backup",
        },
        {
            "source": "km5-main",
            "seq": 3,
            "chip": "NOBODY",
            "time": at("14:30.0"),
            "checkpoint": "5K",
        },
    ]
    response = send(client, auth, reads)
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == ["used", "duplicate", "duplicate", "unknown_chip"]
    assert [r["result"] for r in results] == ["accepted"] * 4
    athlete = client.get("/api/races/vienna/athletes/1").json
    assert [(s["checkpoint"], s["elapsed_s"], s["source"]) for s in athlete["splits"]] == [
        ("5K", 850.2, "mat")
    ]
    assert count_rows("raw_reads") == 4


def test_a_resent_batch_is_all_duplicates_and_changes_nothing(client, auth, vienna):
    reads = [
        {
            "source": "km5-main",
            "seq": n,
            "chip": "KIP1",
            "time": at(f"14:1{n}.0"),
            "checkpoint": "5K",
        }
        for n in range(3)
    ]
    send(client, auth, reads)
    before = (count_rows("raw_reads"), count_rows("splits"), count_rows("split_revisions"))
    again = send(client, auth, reads).json["results"]
    assert {r["result"] for r in again} == {"duplicate"}
    assert (count_rows("raw_reads"), count_rows("splits"), count_rows("split_revisions")) == before


def test_a_late_earlier_read_corrects_the_split_and_keeps_the_history(client, auth, vienna):
    send(
        client,
        auth,
        [
            {
                "source": "km5-main",
                "seq": 2,
                "chip": "KIP1",
                "time": at("14:12.0"),
                "checkpoint": "5K",
            }
        ],
    )
    late = send(
        client,
        auth,
        [
            {
                "source": "km5-main",
                "seq": 1,
                "chip": "KIP1",
                "time": at("14:10.0"),
                "checkpoint": "5K",
            }
        ],
    )
    assert late.json["results"][0]["status"] == "used"
    split = client.get("/api/races/vienna/athletes/1").json["splits"][0]
    assert split["elapsed_s"] == 850.0
    history = client.get(f"/api/races/vienna/splits/{split['id']}").json["history"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("enter", "scorer"),
        ("correct", "scorer"),
    ]


def test_an_officials_split_overrides_the_mats_at_its_checkpoint(client, auth, vienna):
    post_split(client, auth, "5K", 851)
    result = send(
        client,
        auth,
        [
            {
                "source": "km5-main",
                "seq": 1,
                "chip": "KIP1",
                "time": at("14:10.0"),
                "checkpoint": "5K",
            }
        ],
    )
    assert result.json["results"][0]["status"] == "manual_override"
    assert client.get("/api/races/vienna/athletes/1").json["splits"][0]["elapsed_s"] == 851


def test_out_of_order_checkpoints_score_the_same_as_in_order(client, auth, vienna):
    reads = [
        {"source": "mats", "seq": 3, "chip": "SEC2", "time": at("28:25.0"), "checkpoint": "10K"},
        {"source": "mats", "seq": 1, "chip": "SEC2", "time": at("14:15.0"), "checkpoint": "5K"},
        {"source": "mats", "seq": 2, "chip": "SEC2", "time": at("16:00.0"), "checkpoint": "10K"},
    ]
    results = send(client, auth, reads).json["results"]
    assert [r["status"] for r in results] == ["used", "used", "implausible"]
    splits = client.get("/api/races/vienna/athletes/2").json["splits"]
    assert [(s["checkpoint"], s["elapsed_s"]) for s in splits] == [("5K", 855.0), ("10K", 1705.0)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"reads": []}, "batch_empty"),
        (
            {"reads": [{"source": "a", "chip": "B", "time": at("1:00"), "checkpoint": "5K"}] * 501},
            "batch_too_large",
        ),
        (
            {"reads": [{"source": "a", "chip": "B", "time": "12:00", "checkpoint": "5K"}]},
            "invalid_time",
        ),
        (
            {
                "reads": [
                    {
                        "source": "a",
                        "chip": "B",
                        "time": at("1:00"),
                        "checkpoint": "5K",
                        "rssi": -50,
                    }
                ]
            },
            "validation_error",
        ),
    ],
)
def test_a_bad_batch_is_refused_whole(client, auth, vienna, body, code):
    response = client.post("/api/races/vienna/reads", json=body, headers=auth["timing"])
    assert (response.status_code, response.json["code"]) == (422, code)
    assert count_rows("raw_reads") == 0


def test_an_official_token_cannot_post_reads(client, auth, vienna):
    response = send(client, {"timing": auth["official"]}, [])
    assert (response.status_code, response.json["code"]) == (403, "forbidden_role")


def test_start_mat_reads_give_chip_time(client, auth, vienna):
    reads = [
        {"source": "start", "seq": 1, "chip": "SEC2", "time": at("0:41.0"), "checkpoint": "START"},
        {"source": "start", "seq": 2, "chip": "SEC2", "time": at("0:42.5"), "checkpoint": "START"},
        {"source": "km5", "seq": 1, "chip": "SEC2", "time": at("16:12.5"), "checkpoint": "5K"},
    ]
    response = send(client, auth, reads)
    assert [r["status"] for r in response.json["results"]] == ["unused_start", "used", "used"]
    athlete = client.get("/api/races/vienna/athletes/2").json
    assert athlete["chip_start_s"] == 42.5
    (split,) = athlete["splits"]
    assert (split["elapsed_s"], split["net_elapsed_s"]) == (972.5, 930.0)


def test_mat_health_flags_a_mat_silent_while_athletes_are_due(app, client, auth):
    """Three runners passed 5K at 20:00; at 41:40 on the race clock they are due at 10K,
    where the only mat last sent a read 20 minutes earlier."""
    from datetime import UTC, datetime, timedelta

    from tracker.db import db
    from tracker.services.races import find_race
    from tracker.services.timing_health import timing_health

    gun = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1300)
    client.post(
        "/api/races",
        json={"slug": "mats", "name": "Mats", "distance_m": 21097.5, "target_s": 3600},
        headers=auth["admin"],
    )
    for code, distance in (("5K", 5000), ("10K", 10000)):
        client.post(
            "/api/races/mats/checkpoints",
            json={"code": code, "name": code, "distance_m": distance},
            headers=auth["admin"],
        )
    for bib in ("1", "2", "3"):
        client.post(
            "/api/races/mats/athletes",
            json={"bib": bib, "name": f"Runner {bib}", "chips": [f"M{bib}"]},
            headers=auth["admin"],
        )
    client.post("/api/races/mats/start", json={"at": gun.isoformat()}, headers=auth["admin"])
    reads = [
        {
            "source": "mat-5k",
            "device": "mat-5k",
            "seq": int(bib),
            "chip": f"M{bib}",
            "time": (gun + timedelta(seconds=1200)).isoformat(),
            "checkpoint": "5K",
        }
        for bib in ("1", "2", "3")
    ]
    # A 10K mat that sent one stray read of a chip nobody wears.
    reads.append(
        {
            "source": "mat-10k",
            "device": "mat-10k",
            "seq": 1,
            "chip": "X",
            "time": gun.isoformat(),
            "checkpoint": "10K",
        }
    )
    assert send(client, auth, reads, slug="mats").status_code == 200

    now = datetime.now(UTC)
    health = client.get("/api/races/mats/timing", headers=auth["official"]).json
    by_mat = {mat["device"]: mat for mat in health["mats"]}
    assert by_mat["mat-5k"]["reads_per_minute"] == 3 and by_mat["mat-5k"]["warnings"] == []
    assert by_mat["mat-10k"]["athletes_due"] == 0  # at 21:40 nobody is due at 10K yet

    db.session.remove()
    later = timing_health(db.session, find_race(db.session, "mats"), gun + timedelta(seconds=2500))
    by_mat = {mat["device"]: mat for mat in later["mats"]}
    assert by_mat["mat-10k"]["athletes_due"] == 3
    assert by_mat["mat-10k"]["warnings"] == ["silent_while_due"]
    assert by_mat["mat-5k"]["warnings"] == []  # nobody is still due at 5K
    assert by_mat["mat-5k"]["reads_per_minute"] == 0
    assert {cp["code"]: cp["warnings"] for cp in later["checkpoints"]}["10K"] == [
        "silent_while_due"
    ]
    assert later["at"] > now.isoformat()
    # Spectators cannot see the timing equipment.
    assert client.get("/api/races/mats/timing").status_code == 401


def read(seq, chip, time, source="km5-bridge"):
    return {"source": source, "seq": seq, "chip": chip, "time": at(time), "checkpoint": "5K"}


def test_two_reads_under_one_key_in_a_batch_are_stored_and_a_conflict_never_accepted(
    client, auth, vienna
):
    results = send(client, auth, [read(1, "KIP1", "14:10.0"), read(1, "SEC2", "14:15.0")]).json[
        "results"
    ]
    assert [(r["result"], r["status"]) for r in results] == [
        ("accepted", "used"),
        ("conflict", "conflict"),
    ]
    assert "km5-bridge:1" in results[1]["reason"]
    assert count_rows("raw_reads") == 1
    assert count_rows("read_conflicts") == 1
    # The conflicting read is kept for review, never scored.
    assert client.get("/api/races/vienna/athletes/2").json["splits"] == []


def test_a_bridge_that_restarts_its_numbering_is_told_its_reads_conflict(client, auth, vienna):
    send(client, auth, [read(1, "KIP1", "14:10.0"), read(2, "KIP1", "14:11.0")])
    after_reboot = [read(1, "SEC2", "14:15.0"), read(2, "KIP1", "14:11.0")]
    results = send(client, auth, after_reboot).json["results"]
    assert [r["result"] for r in results] == ["conflict", "duplicate"]
    # Re-sent until it is no longer a conflict? It stays one, and is kept once.
    again = send(client, auth, after_reboot).json["results"]
    assert [r["result"] for r in again] == ["conflict", "duplicate"]
    assert (count_rows("raw_reads"), count_rows("read_conflicts")) == (2, 1)
    # A boot id in the source keeps the new numbering apart.
    rebooted = send(client, auth, [read(1, "SEC2", "14:15.0", source="km5-bridge.boot2")])
    assert rebooted.json["results"][0]["result"] == "accepted"


def test_the_same_read_twice_in_a_batch_is_a_duplicate(client, auth, vienna):
    results = send(client, auth, [read(1, "KIP1", "14:10.0")] * 2).json["results"]
    assert [r["result"] for r in results] == ["accepted", "duplicate"]
    assert count_rows("raw_reads") == 1


def test_a_sequence_number_past_32_bits_is_stored(client, auth, vienna):
    response = send(client, auth, [read(2**40, "KIP1", "14:10.0")])
    assert response.status_code == 200, response.json
    assert response.json["results"][0]["key"] == f"km5-bridge:{2**40}"
