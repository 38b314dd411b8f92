"""Race-day operations against a real gunicorn: /metrics for Prometheus, not public, and
JSON log lines that carry each request's id."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from livekit import Watcher
from opskit import running_race

pytestmark = pytest.mark.server

METRICS_TOKEN = uuid.uuid4().hex


@pytest.fixture(scope="module")
def race(sqlite_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("operations")
    with running_race(sqlite_template, folder, {"METRICS_TOKEN": METRICS_TOKEN}) as running:
        yield running


def scrape(race, headers=None) -> dict[tuple, float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    headers = headers or {"Authorization": f"Bearer {METRICS_TOKEN}"}
    response = requests.get(f"{race.base_url}/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "auth_required"),
        ("unknown token", 401, "auth_invalid"),
        ("timing", 403, "forbidden_role"),
    ],
)
def test_metrics_are_refused_to_anyone_but_officials_and_the_metrics_token(race, who, status, code):
    headers = {
        "anonymous": {},
        "unknown token": {"Authorization": "Bearer not-the-metrics-token"},
        "timing": race.timing,
    }[who]
    response = requests.get(f"{race.base_url}/metrics", headers=headers, timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert "tracker_" not in response.text


def test_an_official_may_read_the_metrics_too(race):
    assert ("tracker_watchers_connected", ()) in scrape(race, race.official)


def test_metrics_count_watchers_deltas_commits_reads_and_responses(race):
    before = scrape(race)
    watcher = Watcher(race.base_url, "vienna").connect()
    try:
        assert watcher.wait_for(lambda w: w.state is not None)
        split = {"bib": "1", "checkpoint": "5K", "elapsed_s": 850}
        posted = requests.post(
            f"{race.base_url}/api/races/vienna/splits", json=split, headers=race.official
        )
        assert posted.status_code == 201
        assert watcher.wait_for(lambda w: w.deltas)
        read = {"source": "bridge-1", "seq": 1, "chip": "NOCHIP", "checkpoint": "10K"}
        read["time"] = "2019-10-12T08:43:20+02:00"
        reads = requests.post(
            f"{race.base_url}/api/races/vienna/reads", json={"reads": [read]}, headers=race.timing
        )
        assert reads.status_code == 200, reads.text
        assert requests.get(f"{race.base_url}/api/races/nowhere").status_code == 404
        during = scrape(race)
    finally:
        watcher.close()

    assert value(during, "tracker_watchers_connected") >= 1
    for name, labels in [
        ("tracker_deltas_published_total", {"kind": "athlete"}),
        ("tracker_commit_seconds_count", {}),
        ("tracker_reads_stored_total", {"checkpoint": "10K", "device": "api@ops-timing"}),
        ("tracker_http_responses_total", {"endpoint": "api.post_split", "status": "201"}),
        ("tracker_http_responses_total", {"endpoint": "api.get_race", "status": "404"}),
    ]:
        assert value(during, name, **labels) >= value(before, name, **labels) + 1, (name, labels)
    assert ("tracker_publish_failures_total", ()) in during
    # The watcher's close reaches the gauge too.
    deadline = time.monotonic() + 10
    while value(scrape(race), "tracker_watchers_connected") > 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert value(scrape(race), "tracker_watchers_connected") == 0


def access_lines(race) -> list[dict]:
    return [json.loads(line) for line in race.server.access_log.read_text().splitlines() if line]


def test_a_request_id_round_trips_and_appears_in_the_access_log_line(race):
    given = f"ops-{uuid.uuid4().hex[:12]}"
    response = requests.get(f"{race.base_url}/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in access_lines(race) if line.get("request_id") == given]
        if lines:
            break
        time.sleep(0.1)
    assert lines, race.server.access_log.read_text()[-2000:]
    assert lines[0]["path"] == "/healthz"
    assert lines[0]["status"] == "200"
    assert lines[0]["level"] == "INFO"


@pytest.mark.parametrize("presented", [None, 'forged"\n{"level": "ERROR"}', "x" * 200, "a b"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(race, presented):
    headers = {} if presented is None else {"X-Request-ID": presented.replace("\n", "")}
    response = requests.get(f"{race.base_url}/healthz", headers=headers)
    made = response.headers["X-Request-ID"]
    assert made != headers.get("X-Request-ID")
    assert len(made) == 32 and all(char in "0123456789abcdef" for char in made)
