"""Pacer rotations on the pages, in real Chromium at a laptop's and a phone's size: a
rotation arriving live on the commentary board, and one recorded from the console's
keyboard. The pacing panel's width is measured, not eyeballed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect
from test_record_pages import (  # noqa: F401 (the fixtures are used by name)
    LAPTOP,
    PHONE,
    SIZES,
    browser,
    database,
    open_page,
    server,
    tokens,
)

from racekit import CHECKPOINTS

pytestmark = pytest.mark.server
_slugs = itertools.count()
GROUPS = {"A": ["P1", "P2"], "B": ["P3", "P4", "P5"]}
NAMES = {"P1": "Jakob Ingebrigtsen", "P2": "Pacemaker 2", "P3": "Bernard Lagat"}


class Race:
    """Kipchoge and five pacers in groups A (gun to 5 km) and B (5 to 10 km, illustrative)."""

    def __init__(self, server):
        self.server, self.slug = server, f"pacing-{next(_slugs)}"
        self.call(
            "post", "/api/races", {"slug": self.slug, "name": "Vienna", "checkpoints": CHECKPOINTS}
        )
        self.call("post", self.path("/athletes"), {"bib": "1", "name": "Eliud Kipchoge"})
        for bib in (b for members in GROUPS.values() for b in members):
            athlete = {"bib": bib, "name": NAMES.get(bib, f"Pacemaker {bib[1:]}"), "role": "pacer"}
            self.call("post", self.path("/athletes"), athlete)
        for code, members, (in_m, out_m) in (
            ("A", GROUPS["A"], (0, 5000)),
            ("B", GROUPS["B"], (5000, 10000)),
        ):
            plan = [{"in_m": in_m, "out_m": out_m, "illustrative": True}]
            self.call("put", self.path(f"/pacer-groups/{code}"), {"members": members, "plan": plan})
        gun = datetime.now(UTC) - timedelta(seconds=1000)
        self.call("post", self.path("/start"), {"at": gun.isoformat()})

    def path(self, rest):
        return f"/api/races/{self.slug}{rest}"

    def call(self, method, path, body):
        answer = requests.request(
            method, self.server.base_url + path, json=body, headers=self.server.headers, timeout=10
        )
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def rotate(self, group, action, elapsed_s, distance_m):
        body = {"group": group, "action": action, "elapsed_s": elapsed_s, "distance_m": distance_m}
        return self.call("post", self.path("/pacer-rotations"), body)

    def split(self, bib, checkpoint, elapsed_s):
        body = {"bib": bib, "checkpoint": checkpoint, "elapsed_s": elapsed_s}
        return self.call("post", self.path("/splits"), body)

    def pacing(self):
        return requests.get(self.server.base_url + self.path(""), timeout=10).json()["race"][
            "pacing"
        ]


def assert_fits(page, selector, width):
    """Every element matching `selector` ends inside the viewport and clips nothing."""
    boxes = page.eval_on_selector_all(
        selector,
        "nodes => nodes.map(n => ({right: n.getBoundingClientRect().right,"
        " scroll: n.scrollWidth, client: n.clientWidth}))",
    )
    assert boxes, selector
    for box in boxes:
        assert box["right"] <= width, (selector, box)
        assert box["scroll"] <= box["client"] + 1, (selector, box)


@SIZES
def test_a_rotation_arrives_live_on_the_commentary_board(server, open_page, viewport, tmp_path):
    race = Race(server)
    race.rotate("A", "in", 0, 0)
    page = open_page(viewport, f"{server.base_url}/races/{race.slug}/commentary")
    now = page.locator("#pacing .pacing-now h2")
    expect(now).to_have_text("Pacing now: Group A")
    expect(page.locator("#pacing .pacing-names")).to_have_text("Jakob Ingebrigtsen, Pacemaker 2")
    # Group B's first pacer over the 5 km mat: B goes in, A out, no reload.
    race.split("P3", "5K", 849)
    expect(now).to_have_text("Pacing now: Group B")
    expect(page.locator("#pacing .pacing-names")).to_have_text(
        "Bernard Lagat, Pacemaker 4, Pacemaker 5"
    )
    plan = page.locator("#pacing .pacing-plan tbody tr")
    expect(plan).to_have_count(2)
    expect(plan.nth(0)).to_contain_text("0 km–5 km *")
    expect(plan.nth(0)).to_contain_text("5 km · 14:09.0")  # A out where B went in
    expect(plan.nth(1)).to_have_class("running")
    expect(plan.nth(1)).to_contain_text("in front")
    expect(page.locator("#pacing .illustrative")).to_contain_text("Illustrative changeover point")
    expect(page.locator('#pacing .pacing-splits tr[data-bib="P3"]')).to_contain_text("5K 14:09.0")
    expect(page.locator("#pacing .pacing-now .meta")).to_contain_text("(pacer's split)")
    # The pacers are in the panel; the board's rows are the racers'.
    expect(page.locator("#board tbody tr")).to_have_count(1)
    assert_fits(page, "#pacing", viewport["width"])
    assert_fits(page, "#pacing .pacing-card", viewport["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(tmp_path / f"pacing-board-{viewport['width']}.png"))
    assert page.errors == []


def test_a_board_for_a_race_without_pacer_groups_shows_no_pacing_panel(server, open_page):
    race = Race.__new__(Race)
    race.server, race.slug = server, f"pacing-{next(_slugs)}"
    race.call("post", "/api/races", {"slug": race.slug, "name": "Solo", "checkpoints": CHECKPOINTS})
    page = open_page(LAPTOP, f"{server.base_url}/races/{race.slug}/commentary")
    expect(page.locator("#race-name")).to_have_text("Solo")
    expect(page.locator("#pacing")).to_be_hidden()


@SIZES
def test_an_official_records_a_group_out_from_the_keyboard(server, tokens, open_page, viewport):
    race = Race(server)
    race.rotate("A", "in", 0, 0)
    race.split("P3", "5K", 849)
    page = open_page(viewport, f"{server.base_url}/login?next=/races/{race.slug}/official")
    page.fill("#token", tokens["official"])
    page.click("button[type=submit]")
    expect(page.locator("#rotation-now")).to_contain_text("Pacing now: Group B")
    assert_fits(page, "#rotation-form > *", viewport["width"])
    # Group, in/out, where, when: typed, then Enter.
    page.focus("#rotation-group")
    page.keyboard.press("b")
    page.keyboard.press("Tab")
    page.keyboard.press("o")  # "out"
    page.keyboard.press("Tab")
    page.keyboard.type("9.5")
    page.keyboard.press("Tab")
    page.keyboard.type("15:00")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text("Group B out.")
    expect(page.locator("#rotation-now")).to_have_text("No group pacing.")
    last = race.pacing()["rotations"][-1]
    assert (last["group"], last["action"], last["distance_m"], last["elapsed_s"]) == (
        "B", "out", 9500.0, 900.0,
    )  # fmt: skip
    assert last["source"] == "official" and last["entered_by"] == "official-1"
    assert page.errors == []


def test_the_console_expects_the_group_pacing_now_not_the_resting_ones(server, tokens, open_page):
    # Forty-one pacers filled the Vienna demo's "Expected here"; only the group in front may
    # pass next, with the athletes.
    race = Race(server)
    race.rotate("A", "in", 0, 0)
    page = open_page(LAPTOP, f"{server.base_url}/login?next=/races/{race.slug}/official")
    page.fill("#token", tokens["official"])
    page.click("button[type=submit]")
    expect(page.locator("#rotation-now")).to_contain_text("Pacing now: Group A")
    expected = page.locator("#expected .passed-bib")
    expect(expected).to_have_count(3)
    assert sorted(expected.all_inner_texts()) == ["1", "P1", "P2"]
    race.split("P3", "5K", 849)  # B's pacer at the changeover mat puts B in front
    expect(page.locator("#rotation-now")).to_contain_text("Pacing now: Group B")
    # At 5K: the athlete and B's two pacers still to pass (P3 has), none of A's.
    expect(expected).to_have_count(3)
    assert sorted(expected.all_inner_texts()) == ["1", "P4", "P5"]
    assert page.errors == []
