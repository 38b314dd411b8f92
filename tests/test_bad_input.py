"""Bad input gets a clear error (status, code, human detail) and changes nothing."""

import pytest

from conftest import count_rows
from racekit import post_split, set_up_vienna

TABLES = ("races", "checkpoints", "athletes", "chips", "splits", "split_revisions")


@pytest.fixture
def vienna(client, auth):
    slug = set_up_vienna(client, auth)
    post_split(client, auth, "5K", 850)
    return slug


def row_counts():
    return {table: count_rows(table) for table in TABLES}


def assert_problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code)
    assert body["title"] and body["detail"]
    return body


RAW_BODIES = [
    ("truncated JSON", b'{"bib": "1", "checkpoint": ', 400, "invalid_json"),
    ("not JSON at all", b"bib=1", 400, "invalid_json"),
    ("NaN", b'{"bib": "1", "checkpoint": "10K", "elapsed_s": NaN}', 400, "invalid_number"),
    (
        "Infinity",
        b'{"bib": "1", "checkpoint": "10K", "elapsed_s": Infinity}',
        400,
        "invalid_number",
    ),
    (
        "-Infinity",
        b'{"bib": "1", "checkpoint": "10K", "elapsed_s": -Infinity}',
        400,
        "invalid_number",
    ),
    (
        "duplicate key",
        b'{"bib": "1", "bib": "P1", "checkpoint": "10K", "elapsed_s": 1700}',
        400,
        "duplicate_key",
    ),
    (
        "lone surrogate",
        b'{"bib": "1", "checkpoint": "\\ud800", "elapsed_s": 1700}',
        400,
        "invalid_string",
    ),
    (
        "invalid UTF-8",
        b'{"bib": "\xff", "checkpoint": "10K", "elapsed_s": 1700}',
        400,
        "invalid_string",
    ),
    ("a list, not an object", b'[{"bib": "1"}]', 422, "validation_error"),
]


@pytest.mark.parametrize(
    ("case", "raw", "status", "code"), RAW_BODIES, ids=[c[0] for c in RAW_BODIES]
)
def test_malformed_bodies_are_refused_before_anything_is_read(
    client, auth, vienna, case, raw, status, code
):
    before = row_counts()
    response = client.post(
        "/api/races/vienna/splits",
        data=raw,
        content_type="application/json",
        headers=auth["official"],
    )
    assert_problem(response, status, code)
    assert row_counts() == before


FIELD_CASES = [
    (
        "bib as a number",
        {"bib": 1, "checkpoint": "10K", "elapsed_s": 1700},
        422,
        "validation_error",
        "bib",
    ),
    (
        "bib as a fraction",
        {"bib": 12.5, "checkpoint": "10K", "elapsed_s": 1700},
        422,
        "validation_error",
        "bib",
    ),
    (
        "bib as true",
        {"bib": True, "checkpoint": "10K", "elapsed_s": 1700},
        422,
        "validation_error",
        "bib",
    ),
    (
        "bib as null",
        {"bib": None, "checkpoint": "10K", "elapsed_s": 1700},
        422,
        "validation_error",
        "bib",
    ),
    (
        "SQL in the bib",
        {"bib": "1 OR 1=1", "checkpoint": "10K", "elapsed_s": 1700},
        422,
        "validation_error",
        "bib",
    ),
    (
        "elapsed as text",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": "1700"},
        422,
        "validation_error",
        "elapsed_s",
    ),
    (
        "elapsed as true",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": True},
        422,
        "validation_error",
        "elapsed_s",
    ),
    (
        "negative elapsed",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": -5},
        422,
        "validation_error",
        "elapsed_s",
    ),
    (
        "absurd elapsed",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": 1e12},
        422,
        "validation_error",
        "elapsed_s",
    ),
    (
        "time as a number",
        {"bib": "1", "checkpoint": "10K", "time": 123},
        422,
        "invalid_time",
        "time",
    ),
    (
        "time of day only",
        {"bib": "1", "checkpoint": "10K", "time": "12:00"},
        422,
        "invalid_time",
        "time",
    ),
    (
        "impossible clock",
        {"bib": "1", "checkpoint": "10K", "time": "2019-10-12T25:61:00+02:00"},
        422,
        "invalid_time",
        "time",
    ),
    (
        "30 February",
        {"bib": "1", "checkpoint": "10K", "time": "2019-02-30T08:00:00+02:00"},
        422,
        "invalid_time",
        "time",
    ),
    (
        "no offset",
        {"bib": "1", "checkpoint": "10K", "time": "2019-10-12T08:43:20"},
        422,
        "invalid_time",
        "time",
    ),
    ("empty time", {"bib": "1", "checkpoint": "10K", "time": ""}, 422, "invalid_time", "time"),
    (
        "both time and elapsed",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": 1700, "time": "2019-10-12T08:43:20+02:00"},
        422,
        "validation_error",
        None,
    ),
    ("neither", {"bib": "1", "checkpoint": "10K"}, 422, "validation_error", None),
    ("missing bib", {"checkpoint": "10K", "elapsed_s": 1700}, 422, "validation_error", "bib"),
    (
        "unknown field",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": 1700, "note": "x"},
        422,
        "validation_error",
        "note",
    ),
    (
        "id that is no UUID",
        {"bib": "1", "checkpoint": "10K", "elapsed_s": 1700, "id": "abc"},
        422,
        "validation_error",
        "id",
    ),
    (
        "unknown bib",
        {"bib": "999", "checkpoint": "10K", "elapsed_s": 1700},
        422,
        "unknown_bib",
        None,
    ),
    (
        "unknown checkpoint",
        {"bib": "1", "checkpoint": "12K", "elapsed_s": 1700},
        422,
        "unknown_checkpoint",
        None,
    ),
    (
        "before the gun",
        {"bib": "1", "checkpoint": "10K", "time": "2019-10-12T08:14:00+02:00"},
        422,
        "before_start",
        None,
    ),
    (
        "in the future",
        {"bib": "1", "checkpoint": "10K", "time": "2099-10-12T08:14:00+02:00"},
        422,
        "future_time",
        None,
    ),
    (
        "a different second time",
        {"bib": "1", "checkpoint": "5K", "elapsed_s": 860},
        409,
        "split_conflict",
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "code", "field"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES]
)
def test_bad_splits_are_refused_naming_the_field(
    client, auth, vienna, case, body, status, code, field
):
    before = row_counts()
    response = client.post("/api/races/vienna/splits", json=body, headers=auth["official"])
    problem = assert_problem(response, status, code)
    if field:
        assert field in [error["field"] for error in problem["errors"]]
        assert f"/{field}" in [error["pointer"] for error in problem["errors"]]
    assert row_counts() == before


def test_elapsed_seconds_in_the_future_of_the_race_clock_are_refused(client, auth):
    set_up_vienna(client, auth, slug="now", start=False)
    client.post("/api/races/now/start", headers=auth["official"])
    response = post_split(client, auth, "5K", 850, slug="now")
    assert_problem(response, 422, "future_time")


def test_a_split_before_the_gun_is_fired_is_refused(client, auth):
    set_up_vienna(client, auth, slug="waiting", start=False)
    assert_problem(post_split(client, auth, "5K", 850, slug="waiting"), 409, "race_not_started")
    assert count_rows("splits") == 0


def test_an_unknown_race_or_bib_is_a_404(client, auth, vienna):
    assert_problem(post_split(client, auth, "5K", 850, slug="nowhere"), 404, "unknown_race")
    assert_problem(client.get("/api/races/nowhere"), 404, "unknown_race")
    assert_problem(client.get("/api/races/vienna/athletes/999"), 404, "unknown_bib")


def test_another_media_type_is_refused(client, auth, vienna):
    response = client.post(
        "/api/races/vienna/splits",
        data="bib=1&checkpoint=10K",
        content_type="application/x-www-form-urlencoded",
        headers=auth["official"],
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_an_oversized_body_is_refused_with_413_and_stores_nothing(client, auth, vienna):
    before = row_counts()
    huge = b'{"bib": "1", "checkpoint": "10K", "elapsed_s": 1700, "pad": "' + b"x" * 300_000 + b'"}'
    response = client.post(
        "/api/races/vienna/splits",
        data=huge,
        content_type="application/json",
        headers=auth["official"],
    )
    assert_problem(response, 413, "payload_too_large")
    assert row_counts() == before


def test_a_wrong_method_is_a_405_problem(client):
    assert_problem(client.put("/api/races"), 405, "method_not_allowed")


NAMES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'; DROP TABLE athletes;--",
]


@pytest.mark.parametrize("name", NAMES)
def test_scripts_and_sql_in_names_are_stored_and_returned_as_plain_text(client, auth, vienna, name):
    response = client.post(
        "/api/races/vienna/athletes", json={"bib": "66", "name": name}, headers=auth["admin"]
    )
    assert response.status_code == 201
    assert client.get("/api/races/vienna/athletes/66").json["name"] == name
    assert count_rows("athletes") == 3


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Bad\x00Name", "invalid_string"),
        ("Tab\x07bell", "invalid_string"),
        ("\u200b\u200b", "validation_error"),
        ("x" * 101, "validation_error"),
        ("   ", "validation_error"),
    ],
)
def test_names_with_control_characters_or_nothing_visible_are_refused(
    client, auth, vienna, name, code
):
    response = client.post(
        "/api/races/vienna/athletes", json={"bib": "66", "name": name}, headers=auth["admin"]
    )
    assert_problem(response, 422, code)
    assert count_rows("athletes") == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"slug": "Bad Slug", "name": "x"}, 422, "validation_error"),
        ({"slug": "ok", "name": "x", "timezone": "Mars/Olympus"}, 422, "validation_error"),
        ({"slug": "ok", "name": "x", "distance_m": -1}, 422, "validation_error"),
        (
            {"slug": "ok", "name": "x", "checkpoints": [{"code": "50K", "distance_m": 50000}]},
            422,
            "validation_error",
        ),
        (
            {
                "slug": "ok",
                "name": "x",
                "checkpoints": [
                    {"code": "A", "distance_m": 5000},
                    {"code": "A", "distance_m": 6000},
                ],
            },
            409,
            "checkpoint_exists",
        ),
        ({"slug": "vienna", "name": "again"}, 409, "race_exists"),
    ],
)
def test_bad_race_set_up_is_refused_whole(client, auth, vienna, body, status, code):
    before = row_counts()
    assert_problem(client.post("/api/races", json=body, headers=auth["admin"]), status, code)
    assert row_counts() == before


def test_a_taken_bib_or_chip_is_a_conflict(client, auth, vienna):
    taken_bib = client.post(
        "/api/races/vienna/athletes", json={"bib": "1", "name": "Other"}, headers=auth["admin"]
    )
    assert_problem(taken_bib, 409, "athlete_exists")
    taken_chip = client.post(
        "/api/races/vienna/athletes",
        json={"bib": "2", "name": "Other", "chips": ["KIP1"]},
        headers=auth["admin"],
    )
    assert_problem(taken_chip, 409, "chip_taken")
    assert count_rows("athletes") == 2


def test_corrections_need_a_reason(client, auth, vienna):
    split = client.get("/api/races/vienna/athletes/1").json["splits"][0]
    url = f"/api/races/vienna/splits/{split['id']}"
    problem = assert_problem(
        client.patch(url, json={"elapsed_s": 851}, headers=auth["official"]),
        422,
        "validation_error",
    )
    assert "reason" in [error["field"] for error in problem["errors"]]
    assert_problem(client.delete(url, headers=auth["official"]), 422, "validation_error")
    assert_problem(
        client.patch(
            "/api/races/vienna/splits/not-a-uuid",
            json={"elapsed_s": 851, "reason": "x"},
            headers=auth["official"],
        ),
        404,
        "unknown_split",
    )
    assert count_rows("split_revisions") == 1
