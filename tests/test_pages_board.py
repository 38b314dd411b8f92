"""The commentators' board on the city demo (`flask demo --race city`) in real Chromium at a
laptop's and a phone's size: gaps to the leader and to the athlete ahead, places by gender
and who moved since the last mat; and kilometres or miles, chosen and kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_pages import browser  # noqa: F401

from servers import Server, flask_cli

pytestmark = pytest.mark.server
LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
SLUG = "city-marathon"
# The demo's own speed: the leaders pass half-way about 80 s after the gun, and its lap
# (8 race hours, then a reset that empties the field) outlasts the module.
SPEED = "60"
# Waiting for the leaders' second mat (the machine may be busy; no figure depends on it).
SECOND_MAT_MS = 240_000
GAP = r"\+\d+:\d\d"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    url = f"sqlite:///{folder / 'tracker.sqlite3'}"
    flask_cli(url, "db", "upgrade")
    # The demo's worker enters 2,000 runners as it boots: on a busy machine, give it time.
    server = Server(url, log=folder / "server.log", health_timeout_s=90)
    server.command = [
        str(server.command[0]).replace("gunicorn", "flask"),
        *("demo", "--race", "city", "--speed", SPEED, "--port", str(server.port)),
    ]
    with server:
        yield server


@pytest.fixture
def context(browser):  # noqa: F811
    made = []

    def new(viewport):
        made.append(browser.new_context(viewport=viewport))
        return made[-1]

    yield new
    for one in made:
        one.close()


def open_page(context, path):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(path)
    return page


def right_edges(page, selectors):
    """Each visible element's left and right edge, in CSS pixels."""
    return {
        selector: page.locator(selector).first.evaluate(
            "node => { const r = node.getBoundingClientRect(); return [r.left, r.right]; }"
        )
        for selector in selectors
    }


def test_miles_are_chosen_on_the_page_and_kept_on_every_page_after_a_reload(city, context):
    browser_context = context(LAPTOP)
    page = open_page(browser_context, f"{city.base_url}/races/{SLUG}")
    card = page.locator(".card").first
    expect(card.locator(".pace")).to_have_text(re.compile(r"^\d+:\d\d/km$"), timeout=SECOND_MAT_MS)
    expect(card.locator(".left")).to_have_text(re.compile(r"^per km for the \d+(\.\d)? km left$"))
    kilometres = card.locator(".pace").inner_text()
    page.select_option("#units", "mi")
    expect(card.locator(".pace")).to_have_text(re.compile(r"^\d+:\d\d/mi$"))
    expect(card.locator(".left")).to_have_text(re.compile(r"^per mile for the \d+(\.\d)? mi left$"))
    expect(card.locator(".course-label")).to_have_text(re.compile(r"(≈ \d+(\.\d)? mi|finished)$"))
    # The server's notes speak km; the card says them in miles too, from the second mat.
    expect(card.locator(".notes")).to_contain_text(
        re.compile(r"over the last \d+(\.\d)? mi"), timeout=SECOND_MAT_MS
    )
    expect(card.locator(".notes")).not_to_contain_text(re.compile(r"\bkm\b"))
    # A mile is 1.609 km: the same running takes longer a mile (unless a new split came in).
    minutes, seconds = (int(x) for x in kilometres[:-3].split(":"))
    per_mile = card.locator(".pace").inner_text()
    mile_minutes = int(per_mile.split(":")[0])
    assert mile_minutes >= int((minutes * 60 + seconds) * 1.6 / 60) - 1
    page.reload()
    expect(page.locator("#units")).to_have_value("mi")
    expect(page.locator(".card").first.locator(".pace")).to_have_text(re.compile(r"^\d+:\d\d/mi$"))
    board = open_page(browser_context, f"{city.base_url}/races/{SLUG}/commentary")
    expect(board.locator("#units")).to_have_value("mi")
    overlay = open_page(browser_context, f"{city.base_url}/races/{SLUG}/overlay")
    expect(overlay.locator("#pace")).to_have_text(
        re.compile(r"^\d+:\d\d/mi$"), timeout=SECOND_MAT_MS
    )
    # The overlay's own ?units= wins for a broadcast scene.
    scene = open_page(browser_context, f"{city.base_url}/races/{SLUG}/overlay?units=km")
    expect(scene.locator("#pace")).to_have_text(re.compile(r"^\d+:\d\d/km$"), timeout=SECOND_MAT_MS)
    board.select_option("#units", "km")
    page.reload()
    expect(page.locator(".card").first.locator(".pace")).to_have_text(re.compile(r"^\d+:\d\d/km$"))
    for one in (page, board, overlay, scene):
        assert one.errors == []


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_board_shows_gaps_places_by_gender_and_who_moved_since_the_last_mat(
    city, context, viewport, tmp_path
):
    page = open_page(context(viewport), f"{city.base_url}/races/{SLUG}/commentary")
    rows = page.locator("tbody tr")
    # Someone among the leaders has moved since the mat before (half-way or later).
    moved = page.locator("tbody tr .pos .moved").first
    expect(moved).to_have_text(re.compile(r"^ [+−]\d+$"), timeout=SECOND_MAT_MS)
    leader = rows.filter(has=page.locator(".pos .place", has_text=re.compile(r"^1$"))).first
    expect(leader.locator(".leader-gap")).to_have_text("leads")
    second = rows.filter(has=page.locator(".pos .place", has_text=re.compile(r"^2$"))).first
    expect(second.locator(".leader-gap")).to_have_text(re.compile(f"^{GAP}$"))
    # Second place: the athlete ahead is the leader.
    behind_leader = second.locator(".leader-gap").inner_text()
    if viewport is LAPTOP:
        assert second.locator(".behind-ahead").inner_text() == behind_leader
        expect(second.locator(".pos .since").first).to_have_text(
            re.compile(r"^ since (10K|HALF|30K)$")
        )
        # At each checkpoint: the place overall and in the gender, the gaps.
        cell = second.locator("td.split-col .standing").first
        expect(cell).to_have_text(re.compile(r"^#\d+ · [MF] \d+$"))
        expect(second.locator("td.split-col .behind").first).to_have_text(
            re.compile(f"^(leads|{GAP} · {GAP} ahead)$")
        )
        columns = ["Pos", "Athlete", "Leader", "Ahead", "Gap", "Line", "Margin", "Chance"]
    else:
        assert second.locator(".ahead-line").inner_text() == behind_leader
        expect(second.locator(".behind-ahead")).to_be_hidden()
        columns = ["Pos", "Athlete", "Leader / ahead", "Line", "Margin", "Chance"]
    expect(second.locator(".gender-place")).to_have_text(re.compile(r"^[MF] \d+$"))
    expect(second.locator(".line")).to_have_text(re.compile(r"^[+−±]\d"))  # as wide as it gets
    name = "laptop" if viewport is LAPTOP else "phone"
    page.screenshot(path=str(tmp_path / f"board-city-{name}.png"))
    # Each key column's header as shown (its visible text) and where it is on the screen.
    shown = page.locator("thead th").evaluate_all(
        """heads => heads.filter((h) => h.offsetParent).map((h) => {
          const r = h.getBoundingClientRect();
          return [h.innerText.replace(/\\s+/g, " ").trim(), r.left, r.right];
        })"""
    )
    edges = {text: (left, right) for text, left, right in shown}
    for column in columns:
        left, right = edges[column]
        assert left >= 0 and right <= viewport["width"], (column, left, right)
    if viewport is PHONE:  # on a laptop the splits scroll sideways inside the board
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []
