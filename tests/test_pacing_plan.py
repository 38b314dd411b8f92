"""An athlete's own pacing plan: checked on entry (API, import), and where given the gap
to schedule and the pace needed follow it instead of even pace to their target."""

from __future__ import annotations

import pytest

from conftest import count_rows
from racekit import post_split, set_up_vienna
from tracker.domain.course import CheckpointMark, Course
from tracker.domain.pacing_plan import check_plan, planned_course

# A 3:30 marathoner who means to go out steady and hold on: 10 km in 50:00, 30 km in 2:29:00.
TARGET = 12600
PLAN = {"10K": 3000, "30K": 8940}
COURSE = Course(42195, 7200, (CheckpointMark("10K", 10000), CheckpointMark("30K", 30000)))


@pytest.mark.parametrize(
    ("target_s", "plan", "code", "words"),
    [
        (None, PLAN, "invalid_plan", "needs the athlete's own target_s"),
        (TARGET, {"12K": 3600}, "unknown_checkpoint", "no checkpoint 12K"),
        (TARGET, {"FINISH": 12600}, "unknown_checkpoint", "no checkpoint FINISH"),
        (TARGET, {"10K": 3000, "30K": 2900}, "invalid_plan", "before 10K"),
        (TARGET, {"10K": 3000, "30K": 3000}, "invalid_plan", "before 10K"),
        (TARGET, {"30K": 12700}, "invalid_plan", "the finish (12600 s) before 30K"),
        (TARGET, {"10K": 1200}, "invalid_plan", "faster than anyone runs"),
        (40000, {"10K": 3000, "30K": 39000}, "invalid_plan", "10K to 30K in 36000 s"),
    ],
)
def test_a_plan_that_cannot_stand_is_refused_with_the_reason(target_s, plan, code, words):
    refusal = check_plan(COURSE, target_s, plan)
    assert (refusal.code, refusal.field) == (code, "plan")
    assert words in refusal.detail


def test_a_plan_through_the_finish_checkpoint_is_refused():
    course = Course(42195, 7200, (CheckpointMark("30K", 30000), CheckpointMark("FIN", 42195)))
    refusal = check_plan(course, TARGET, {"FIN": TARGET})
    assert refusal.code == "invalid_plan" and "FIN is the finish" in refusal.detail


def test_the_plan_is_the_schedule_and_even_pace_fills_the_rest():
    course = planned_course(COURSE, TARGET, PLAN)
    assert course.target_elapsed_at(10000) == 3000
    assert course.target_elapsed_at(20000) == pytest.approx(3000 + 5940 / 2)
    assert course.target_elapsed_at(42195) == TARGET
    assert planned_course(COURSE, TARGET, None).target_elapsed_at(10000) == pytest.approx(
        TARGET * 10000 / 42195
    )


@pytest.fixture
def city(client, auth):
    slug = set_up_vienna(client, auth)
    body = {"bib": "50", "name": "Ana Planner", "gender": "F", "target_s": TARGET, "plan": PLAN}
    response = client.post(f"/api/races/{slug}/athletes", json=body, headers=auth["admin"])
    assert response.status_code == 201, response.json
    return slug


def patch(client, auth, body):
    return client.patch("/api/races/vienna/athletes/50", json=body, headers=auth["official"])


def test_the_gap_and_pace_needed_follow_the_plan_where_given(client, auth, city):
    # 10 km in 50:30: 30 s behind the plan (it said 50:00), though 13 s ahead of even pace
    # to 3:30 (50:43.3). To be back on plan at 30 km: 5940 - 30 s for 20 km, 4:55.5/km.
    assert post_split(client, auth, "10K", 3030, bib="50").status_code == 201
    athlete = client.get(f"/api/races/{city}/athletes/50").json
    assert athlete["plan"] == PLAN
    projection = athlete["projection"]
    assert projection["gap_s"] == pytest.approx(30, abs=0.01)
    assert projection["required_pace_s_per_km"] == pytest.approx(295.5, abs=0.01)
    response = patch(client, auth, {"plan": None})
    assert response.status_code == 200, response.json
    even = response.json["projection"]
    assert even["gap_s"] == pytest.approx(3030 - TARGET * 10000 / 42195, abs=0.01)
    assert even["required_pace_s_per_km"] == pytest.approx((TARGET - 3030) / 32.195, abs=0.01)


def test_a_plan_is_changed_by_an_official_and_audited(client, auth, city):
    response = patch(client, auth, {"plan": {"10K": 2970, "30K": 8900}})
    assert (response.status_code, response.json["plan"]) == (200, {"10K": 2970, "30K": 8900})
    entries = client.get("/api/audit?race=vienna", headers=auth["official"]).json["entries"]
    (entry,) = [e for e in entries if e["action"] == "athlete.target"]
    assert entry["before"]["plan"] == PLAN and entry["after"]["plan"]["10K"] == 2970


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"plan": {"12K": 3600}}, "unknown_checkpoint"),
        ({"plan": {"10K": 3000, "30K": 2000}}, "invalid_plan"),
        ({"plan": {"5K": 400}}, "invalid_plan"),
        ({"target_s": None}, "invalid_plan"),  # the plan stays and needs its finish
        ({"target_s": 8000}, "invalid_plan"),  # 30 km in 2:29 then 12 km in 0 s
        ({"plan": {"10K": -1}}, "validation_error"),
        ({"plan": {"10K": "3000"}}, "validation_error"),
        ({"plan": ["10K", 3000]}, "validation_error"),
    ],
)
def test_a_bad_plan_is_refused_with_a_code_and_changes_nothing(client, auth, city, body, code):
    auth["official"]  # its token is made (and audited) before the count
    entries = count_rows("audit_entries")
    response = patch(client, auth, body)
    assert (response.status_code, response.json["code"]) == (422, code), response.json
    assert count_rows("audit_entries") == entries
    athlete = client.get(f"/api/races/{city}/athletes/50").json
    assert (athlete["target_s"], athlete["plan"]) == (TARGET, PLAN)


def test_an_entry_with_a_bad_plan_is_refused(client, auth, city):
    body = {"bib": "51", "name": "No Target", "plan": PLAN}
    response = client.post(f"/api/races/{city}/athletes", json=body, headers=auth["admin"])
    assert (response.status_code, response.json["code"]) == (422, "invalid_plan")
    assert client.get(f"/api/races/{city}/athletes/51").status_code == 404


def test_an_import_carries_each_athletes_plan(runner, client, auth, tmp_path):
    set_up_vienna(client, auth)
    path = tmp_path / "ath.csv"
    path.write_text(
        "bib,name,target_s,plan\n60,Ben Even,12600,\n61,Cleo Plan,12600,10K=3000 30K=8940\n"
    )
    result = runner.invoke(args=["import", "athletes", "vienna", str(path)])
    assert result.exit_code == 0, result.output
    assert client.get("/api/races/vienna/athletes/61").json["plan"] == PLAN
    assert client.get("/api/races/vienna/athletes/60").json["plan"] is None
    path.write_text("bib,name,target_s,plan\n62,Dee Bad,12600,10K=3000 30K=2000\n")
    result = runner.invoke(args=["import", "athletes", "vienna", str(path)])
    assert result.exit_code != 0 and "invalid_plan" in result.output
    assert client.get("/api/races/vienna/athletes/62").status_code == 404
