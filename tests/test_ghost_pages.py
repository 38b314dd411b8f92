"""A ghost an official uploads, as the pages show it in real Chromium at a laptop's and a
phone's size: it arrives live on the spectator page, the commentary board and the overlay,
its gap is shown at each checkpoint and between mats, and its marker sits on the course bar
where the race clock puts it (positions measured)."""

# The page kit's fixtures are imported by name and taken as arguments: F811 is expected.
# ruff: noqa: F811

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect
from test_record_pages import (  # noqa: F401 (the fixtures are used by name)
    LAPTOP,
    PHONE,
    Race,
    browser,
    database,
    open_page,
    page_width,
    server,
    tokens,
)

from racekit import EVEN_PLAN
from tracker.domain.reference_runs import REFERENCE_RUNS

pytestmark = pytest.mark.server
SIZES = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
# Screenshots for a person to look at (kept when GHOST_SCREENSHOTS names a folder).
SHOTS = os.environ.get("GHOST_SCREENSHOTS")
GHOST = "even-2-01"
GUN_AGO_S = 1750.0
# The plan's ghost between 10 km (28:40) and 20 km (57:20): 10 km every 1720 s.
PLAN_TRACK = [(0.0, 0.0), (860.0, 5000.0), (1720.0, 10000.0), (3440.0, 20000.0)]


def upload(server, tokens, race: Race, plan: dict = EVEN_PLAN, status: int = 201) -> None:
    answer = requests.put(
        f"{server.base_url}/api/races/{race.slug}/ghosts/{GHOST}",
        json=plan,
        headers={"Authorization": f"Bearer {tokens['official']}"},
        timeout=10,
    )
    assert answer.status_code == status, answer.text


def ghost_at(elapsed_s: float) -> float:
    """Where the plan's runner is at this race time (metres)."""
    for (t0, d0), (t1, d1) in zip(PLAN_TRACK, PLAN_TRACK[1:], strict=False):
        if t0 <= elapsed_s <= t1:
            return d0 + (d1 - d0) * (elapsed_s - t0) / (t1 - t0)
    raise AssertionError(elapsed_s)


def share_of(page, marker: str, bar: str) -> float:
    """A marker's centre along a bar, as a share of the bar's width."""
    return page.evaluate(
        """([marker, bar]) => {
          const m = document.querySelector(marker).getBoundingClientRect();
          const b = document.querySelector(bar).getBoundingClientRect();
          return (m.left + m.width / 2 - b.left) / b.width;
        }""",
        [marker, bar],
    )


def settled_share(page, marker: str, bar: str, started: float) -> tuple[float, float]:
    """The marker's share once its 0.25 s slide has settled, and where the plan says the
    ghost is then (the race clock read from the test's own gun)."""
    page.wait_for_timeout(600)
    elapsed = GUN_AGO_S + time.monotonic() - started
    return share_of(page, marker, bar), ghost_at(elapsed) / 42195


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def right_edge(page, selector: str) -> float:
    return page.evaluate(
        "(s) => Math.max(...[...document.querySelectorAll(s)].map((n) =>"
        " n.getBoundingClientRect().right))",
        selector,
    )


@SIZES
def test_an_uploaded_ghost_arrives_on_the_spectator_page_with_its_gaps_and_its_marker(
    server, tokens, open_page, viewport
):
    race = Race(server, gun_seconds_ago=GUN_AGO_S)
    started = time.monotonic()
    race.split("5K", 850)
    race.split("10K", 1700)
    page = open_page(viewport, race.url("/athletes/1"))
    card = page.locator('.card[data-bib="1"]')
    expect(card.locator(".line-gap")).to_have_text(re.compile(r"the line$"))
    upload(server, tokens, race)
    # Live: the choice appears without a reload.
    expect(card.locator(f'.ghost-choice option[value="{GHOST}"]')).to_have_text(
        "Even 2:01:00 plan (2:01:00)"
    )
    card.locator(".ghost-choice").select_option(GHOST)
    expect(card.locator(".ghost-gaps")).to_have_text(
        "vs Even 2:01:00 plan: 5K −0:10.0 · 10K −0:20.0"
    )
    expect(card.locator(".line-gap")).to_have_text(
        re.compile(r"^\d+ m ahead of Even 2:01:00 plan$")
    )
    expect(card.locator(".line-label")).to_contain_text("Even 2:01:00 plan")
    shown, expected = settled_share(page, ".card .line-dot", ".card .course-line", started)
    assert shown == pytest.approx(expected, abs=0.005)
    assert page_width(page) <= viewport["width"]
    shoot(page, f"ghost-spectator-{viewport['width']}")
    page.reload()  # the choice is kept in this browser
    expect(card.locator(".ghost-gaps")).to_contain_text("vs Even 2:01:00 plan")
    # Replaced under the same key while the page is open: the list says the new name too
    # (it was rebuilt only when the number of ghosts changed).
    upload(server, tokens, race, {**EVEN_PLAN, "name": "Revised plan"}, status=200)
    expect(card.locator(f'.ghost-choice option[value="{GHOST}"]')).to_have_text(
        "Revised plan (2:01:00)"
    )
    expect(card.locator(".ghost-gaps")).to_contain_text("vs Revised plan: 5K")


@SIZES
def test_the_board_shows_the_chosen_ghosts_live_gap_and_its_gap_at_each_checkpoint(
    server, tokens, open_page, viewport
):
    race = Race(server, gun_seconds_ago=GUN_AGO_S)
    race.split("5K", 850)
    race.split("10K", 1700)
    page = open_page(viewport, race.url("/commentary"))
    row = page.locator('tbody tr[data-bib="1"]')
    expect(row).to_have_count(1)
    # The line and the published runs.
    expect(page.locator("#ghost-pick select option")).to_have_count(1 + len(REFERENCE_RUNS))
    upload(server, tokens, race)
    expect(page.locator(f'#ghost-choice option[value="{GHOST}"]')).to_have_count(1)
    page.locator("#ghost-choice").select_option(GHOST)
    expect(page.locator("thead th.ghost-col")).to_have_text("Ghost")
    # About 116 m ahead between mats (20 s up at 10 km, at 2:52/km), and 20 s at 10K.
    expect(row.locator(".ghost-live")).to_have_text(re.compile(r"^\+\d+ m$"))
    expect(row.locator(".ghost-last")).to_have_text("10K −0:20.0")
    assert row.locator("td.ghost").get_attribute("data-good") == "yes"
    if viewport is LAPTOP:
        expect(row.locator(".split-col .ghost-gap")).to_have_text(
            ["ghost −0:10.0", "ghost −0:20.0"]
        )
    # The key columns, the ghost's among them, stay in view at both sizes.
    for selector in ("th.ghost-col", "th.margin-col", "th.chance-col"):
        assert right_edge(page, selector) <= viewport["width"], selector
    assert page_width(page) <= viewport["width"]
    shoot(page, f"ghost-board-{viewport['width']}")
    page.reload()
    expect(page.locator("#ghost-choice")).to_have_value(GHOST)


def test_the_overlay_shows_the_ghost_and_its_marker_on_the_progress_bar(server, tokens, open_page):
    race = Race(server, gun_seconds_ago=GUN_AGO_S)
    started = time.monotonic()
    race.split("5K", 850)
    race.split("10K", 1700)
    upload(server, tokens, race)
    page = open_page(LAPTOP, race.url(f"/overlay?bib=1&ghost={GHOST}"))
    expect(page.locator("#ghost-box")).to_be_visible()
    expect(page.locator("#ghost-name")).to_have_text("Even 2:01:00 plan")
    expect(page.locator("#ghost")).to_have_text(re.compile(r"^\d+ m ahead of the ghost$"))
    expect(page.locator("#ghost-last")).to_have_text("5K −0:10.0 · 10K −0:20.0")
    expect(page.locator("#bar-ghost")).to_be_visible()
    shown, expected = settled_share(page, "#bar-ghost", ".bar", started)
    assert shown == pytest.approx(expected, abs=0.005)
    # The target line keeps its own marker beside the ghost's.
    expect(page.locator("#bar-line")).to_be_visible()
    shoot(page, "ghost-overlay-1366")
    phone = open_page(PHONE, race.url(f"/overlay?bib=1&ghost={GHOST}"))
    expect(phone.locator("#ghost")).to_have_text(re.compile(r"ahead of the ghost$"))
    shown, expected = settled_share(phone, "#bar-ghost", ".bar", started)
    assert shown == pytest.approx(expected, abs=0.005)
    assert page_width(phone) <= PHONE["width"]
    shoot(phone, "ghost-overlay-390")
    plain = open_page(PHONE, race.url("/overlay?bib=1&ghost=nobody"))
    expect(plain.locator("#line")).not_to_have_text("–")
    expect(plain.locator("#ghost-box")).to_be_hidden()
    expect(plain.locator("#bar-ghost")).to_be_hidden()
