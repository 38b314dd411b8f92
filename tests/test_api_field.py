"""A big-city field through the HTTP API: an official's status, personal targets, results
by chip time (paged and CSV, unofficial until published) and search; bad input refused."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import count_rows
from racekit import post_split, set_up_vienna

FIELD = [
    {"bib": "21", "name": "Hellen Obiri", "gender": "F", "birth_year": 1989},
    {"bib": "22", "name": "Sifan Hassan", "gender": "F", "age": 30, "target_s": 8400},
    {"bib": "23", "name": "Tamirat Tola", "gender": "M", "birth_year": 1991},
    {"bib": "24", "name": "Kélvin Çağlar", "gender": "M", "birth_year": 1979, "category": "M40"},
]


@pytest.fixture
def city(client, auth):
    slug = set_up_vienna(client, auth)
    for athlete in FIELD:
        response = client.post(f"/api/races/{slug}/athletes", json=athlete, headers=auth["admin"])
        assert response.status_code == 201, response.json
    for bib, elapsed in (("21", 1900), ("22", 1850), ("23", 1790), ("24", 1800), ("1", 1700)):
        assert post_split(client, auth, "10K", elapsed, bib=bib).status_code == 201
    return slug


def patch(client, auth, bib, body, role="official"):
    return client.patch(f"/api/races/vienna/athletes/{bib}", json=body, headers=auth[role])


def test_an_official_sets_dnf_with_a_reason_and_withdraws_it(client, auth, city):
    response = patch(client, auth, "23", {"status": "dnf", "reason": "stopped at 12 km"})
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["places"]) == ("dnf", None)
    results = client.get("/api/races/vienna/results?checkpoint=10K&gender=M").json
    assert [row["bib"] for row in results["results"]] == ["24"]
    audit = client.get("/api/audit?race=vienna", headers=auth["official"]).json["entries"]
    status = [e for e in audit if e["action"] == "athlete.status"]
    assert status[-1]["actor"] == "test-official"
    response = patch(client, auth, "23", {"status": "started"})
    assert (response.json["status"], response.json["places"]["gender"]) == ("started", 1)


def test_a_personal_target_is_set_and_cleared(client, auth, city):
    response = patch(client, auth, "21", {"target_s": 8100})
    assert response.json["target_s"] == 8100
    assert client.get("/api/races/vienna/athletes/22").json["target_s"] == 8400
    response = patch(client, auth, "21", {"target_s": None})
    assert response.json["target_s"] is None


@pytest.mark.parametrize(
    ("bib", "body", "status", "code"),
    [
        ("23", {"status": "dnf"}, 422, "reason_required"),
        ("23", {"status": "gone", "reason": "x"}, 422, "validation_error"),
        ("23", {}, 422, "validation_error"),
        ("23", {"target_s": -5}, 422, "validation_error"),
        ("23", {"status": "dq", "reason": "x", "extra": 1}, 422, "validation_error"),
        ("999", {"status": "dns", "reason": "x"}, 404, "unknown_bib"),
    ],
)
def test_a_bad_change_to_an_athlete_is_refused_and_changes_nothing(
    client, auth, city, bib, body, status, code
):
    entries = count_rows("audit_entries")
    response = patch(client, auth, bib, body)
    assert (response.status_code, response.json["code"]) == (status, code)
    assert count_rows("audit_entries") == entries


def test_spectators_and_timing_may_not_change_an_athlete(client, auth, city):
    assert patch(client, auth, "23", {"status": "dns", "reason": "x"}, "timing").status_code == 403
    response = client.patch("/api/races/vienna/athletes/23", json={"status": "dns", "reason": "x"})
    assert response.status_code == 401


def test_results_by_category_with_every_place_and_paging(client, auth, city):
    page = client.get("/api/races/vienna/results?checkpoint=10K&limit=2&offset=1").json
    assert (page["total"], page["official"], page["checkpoint"]) == (5, False, "10K")
    assert [(r["bib"], r["place"]) for r in page["results"]] == [("23", 2), ("24", 3)]
    masters = client.get("/api/races/vienna/results?checkpoint=10K&category=M40").json
    assert [(r["bib"], r["places"]) for r in masters["results"]] == [
        ("24", {"overall": 3, "gender": 2, "category": 1})
    ]
    women = client.get("/api/races/vienna/results?checkpoint=10K&gender=F").json
    assert [(r["bib"], r["place"], r["category"]) for r in women["results"]] == [
        ("22", 1, "F30"),
        ("21", 2, "F30"),
    ]


def test_the_results_csv_says_unofficial_until_an_official_publishes(client, auth, city):
    response = client.get("/api/races/vienna/results.csv?checkpoint=10K&gender=F")
    assert "vienna-10K-unofficial.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["place"], r["bib"], r["net_elapsed_s"]) for r in rows] == [
        ("1", "22", "1850.0"),
        ("2", "21", "1900.0"),
    ]
    assert (
        client.post("/api/races/vienna/results/publish", headers=auth["timing"]).status_code == 403
    )
    published = client.post("/api/races/vienna/results/publish", headers=auth["official"])
    assert published.status_code == 200 and published.json["results_published_at"]
    response = client.get("/api/races/vienna/results.csv?checkpoint=10K")
    assert "vienna-10K-official.csv" in response.headers["Content-Disposition"]
    assert client.get("/api/races/vienna").json["race"]["results_published_at"] is not None


@pytest.mark.parametrize(
    ("query", "bibs"),
    [("kelvin", ["24"]), ("CAGL", ["24"]), ("h", ["21", "22"]), ("1", ["1"]), ("", None)],
)
def test_search_by_bib_or_name(client, city, query, bibs):
    found = client.get(f"/api/races/vienna/athletes?q={query}").json
    if bibs is None:  # the whole field
        assert found["total"] == 6
    else:
        assert [a["bib"] for a in found["athletes"]] == bibs
        assert found["total"] == len(bibs)


@pytest.mark.parametrize(
    "query",
    [
        "/results?gender=W",
        "/results?checkpoint=12K",
        "/results?limit=0",
        "/results?limit=501",
        "/results?offset=-1",
        "/results?category=" + "x" * 17,
        "/results.csv?gender=male",
        "/athletes?limit=101",
        "/athletes?q=" + "x" * 101,
        "/athletes?offset=ten",
    ],
)
def test_bad_paging_or_filters_are_refused_with_a_code(client, city, query):
    response = client.get(f"/api/races/vienna{query}")
    assert response.status_code in (404, 422)
    assert response.json["code"] in ("validation_error", "unknown_checkpoint")
