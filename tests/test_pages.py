"""The pages in real headless Chromium against gunicorn on loopback."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from browser import launch
from livekit import RemoteRace
from servers import Server, flask_cli

pytestmark = pytest.mark.server
SECRET = "a-stable-secret-so-logins-survive-a-restart-0123456789"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'tracker.sqlite3'}"
    flask_cli(url, "db", "upgrade")
    return url


@pytest.fixture(scope="module")
def tokens(database):
    def create(role):
        return flask_cli(
            database, "token", "create", "--role", role, "--name", f"{role}-1"
        ).split()[-1]

    return {role: create(role) for role in ("admin", "official", "timing")}


@pytest.fixture(scope="module")
def server(database, tokens):
    with Server(database, {"SECRET_KEY": SECRET}) as running:
        running.headers = {"Authorization": f"Bearer {tokens['admin']}"}
        yield running


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def just_started(seconds_ago: float = 840) -> str:
    """A gun time that makes 'passed now' at 5 km a plausible 14 minutes."""
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat()


def log_in(page, base_url: str, token: str, next_path: str) -> None:
    page.goto(f"{base_url}{next_path}")
    if next_path != "/":
        expect(page).to_have_url(f"{base_url}/login?next={next_path}")
    else:
        page.goto(f"{base_url}/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base_url}{next_path}")


def test_the_spectator_page_shows_a_posted_split_and_the_new_projection_without_reload(
    server, page
):
    race = RemoteRace(server)
    page.goto(f"{server.base_url}/races/{race.slug}")
    card = page.locator('.card[data-bib="1"]')
    expect(card.locator(".last")).to_have_text("not yet started")
    expect(page.locator("#status")).to_have_text("● Live")
    race.split("1", "30K", 5111)
    expect(card.locator(".last")).to_have_text("30K · 1:25:11.0")
    # 7188.62 s projected, 11.38 s under: rounded toward slower, never flattering.
    expect(card.locator(".projected")).to_have_text("1:59:49")
    expect(card.locator(".margin")).to_have_text("−0:11.3")
    # Elite pace: the even-pace projection, the pacing-physics range (each end rounded up,
    # never faster than the model says), and the chance of a sub-2 (rounded down).
    expect(card.locator(".range")).to_have_text("80% range 1:58:54 – 2:00:45")
    expect(card.locator(".chance")).to_have_text("60% chance under 2:00:00")
    expect(card.locator(".etas tbody tr").first.locator("td").first).to_have_text("35K")
    assert page.errors == []


def test_an_official_taps_passed_now_and_the_spectator_page_updates(server, tokens, browser, page):
    race = RemoteRace(server, gun=just_started())
    page.goto(f"{server.base_url}/races/{race.slug}")
    official = browser.new_context().new_page()
    log_in(official, server.base_url, tokens["official"], f"/races/{race.slug}/official")
    official.select_option("#checkpoint", "5K")
    official.click('.passed[data-bib="1"]')
    expect(official.locator(".queued.landed")).to_have_count(1)
    expect(page.locator('.card[data-bib="1"] .last')).to_contain_text("5K · 1")
    split = requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/1").json()["splits"][0]
    assert split["source"] == "manual" and split["entered_by"] == "official-1"
    assert 800 < split["elapsed_s"] < 900
    official.context.close()


def test_a_queued_entry_made_while_the_server_is_down_lands_exactly_once(database, tokens, browser):
    with Server(database, {"SECRET_KEY": SECRET}) as first:
        first.headers = {"Authorization": f"Bearer {tokens['admin']}"}
        race = RemoteRace(first, gun=just_started(1700))
        port = first.port
        page = browser.new_context().new_page()
        log_in(page, first.base_url, tokens["official"], f"/races/{race.slug}/official")
        page.select_option("#checkpoint", "10K")
        expect(page.locator("#status")).to_have_text("● Live")
        first.kill()
        page.fill("#bib", "1")
        page.keyboard.press("Enter")
        expect(page.locator(".queued.pending")).to_have_count(1)
        page.wait_for_timeout(2500)  # a retry or two fail while the server is down
        expect(page.locator(".queued.pending")).to_have_count(1)

    again = Server(database, {"SECRET_KEY": SECRET})
    again.port, again.base_url = port, f"http://127.0.0.1:{port}"
    again.command[again.command.index("-b") + 1] = f"127.0.0.1:{port}"
    with again:
        expect(page.locator(".queued.landed")).to_have_count(1, timeout=15000)
        page.reload()  # the queue survives a reload, and nothing is sent twice
        page.wait_for_timeout(2500)
        splits = (
            requests.get(f"{again.base_url}/api/races/{race.slug}/splits.csv")
            .text.strip()
            .splitlines()
        )
        assert len(splits) == 2  # the header and one entry
        assert ",10K," in splits[1]
    page.context.close()


def test_an_athlete_named_like_markup_renders_as_text(server, page):
    name = "<img src=x onerror=alert(1)>"
    race = RemoteRace(server, athletes=(("1", name), ("2", '"><svg onload=alert(2)>')))
    race.split("1", "5K", 850)
    for path, where in (
        (f"/races/{race.slug}", '.card[data-bib="1"] .who'),
        (f"/races/{race.slug}/commentary", 'tr[data-bib="1"] .athlete strong'),
        (f"/races/{race.slug}/athletes/1", '.card[data-bib="1"] .who'),
    ):
        page.goto(server.base_url + path)
        expect(page.locator(where)).to_have_text(name)
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("svg[onload]").count() == 0
    assert page.dialogs == []
    assert page.evaluate("window.__pwned") is None


def test_a_spectator_cannot_reach_the_official_console(server, tokens, page):
    race = RemoteRace(server)
    page.goto(f"{server.base_url}/races/{race.slug}/official")
    expect(page).to_have_url(f"{server.base_url}/login?next=/races/{race.slug}/official")
    page.fill("#token", "trk_guess")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_have_text("That token is unknown or revoked.")
    log_in(page, server.base_url, tokens["timing"], "/")
    response = page.goto(f"{server.base_url}/races/{race.slug}/official")
    assert response.status == 403


def test_the_officials_cookie_is_guarded_and_cookie_writes_need_the_csrf_token(
    server, tokens, page
):
    race = RemoteRace(server, gun=just_started())
    log_in(page, server.base_url, tokens["official"], f"/races/{race.slug}/official")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    forged = page.evaluate(
        """async (slug) => {
            const r = await fetch(`/api/races/${slug}/splits`, {method: "POST",
              headers: {"Content-Type": "application/json"},
              body: JSON.stringify({bib: "1", checkpoint: "5K", elapsed_s: 850})});
            return [r.status, (await r.json()).code];
        }""",
        race.slug,
    )
    assert forged == [400, "csrf_failed"]
    assert (
        requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/1").json()["splits"] == []
    )


def test_pages_send_a_strict_content_security_policy(server):
    race = RemoteRace(server)
    spectator = requests.get(f"{server.base_url}/races/{race.slug}")
    policy = spectator.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert spectator.headers["X-Content-Type-Options"] == "nosniff"
    overlay = requests.get(f"{server.base_url}/races/{race.slug}/overlay")
    assert "frame-ancestors *" in overlay.headers["Content-Security-Policy"]


def test_the_overlay_shows_clock_projection_gap_and_pace_in_large_type(server, page):
    race = RemoteRace(server)
    race.split("1", "HALF", 3590)
    page.goto(f"{server.base_url}/races/{race.slug}/overlay?bib=1&show=clock,projected,gap")
    expect(page.locator("#projected")).to_have_text("1:59:40")
    expect(page.locator("#gap")).to_have_text("10 s ahead")
    expect(page.locator('[data-field="pace"]')).to_be_hidden()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgba(0, 0, 0, 0)"


def test_the_commentary_board_lists_splits_places_and_notes(server, page):
    race = RemoteRace(server, athletes=(("1", "Eliud Kipchoge"), ("2", "Second Runner")))
    race.split("1", "5K", 851)
    race.split("2", "5K", 850)
    race.split("1", "10K", 1700)
    race.split("2", "10K", 1710)
    page.goto(f"{server.base_url}/races/{race.slug}/commentary")
    first = page.locator("tbody tr").first
    expect(first).to_have_attribute("data-bib", "1")
    # By chip time (no start reads: the gun's), second at 5K, first at 10K.
    expect(first.locator(".pos")).to_have_text("1 +1 since 5K")
    expect(first.locator(".behind-leader")).to_have_text("leads")
    second = page.locator('tbody tr[data-bib="2"]')
    expect(second.locator(".behind-ahead")).to_have_text("+0:10")
    expect(first.locator(".athlete .notes")).to_contain_text("needs 2:5")
    expect(first.locator(".projected .range")).to_contain_text("–")
    expect(first.locator(".chance")).to_have_text(re.compile(r"^\d+%$"))
    race.split("1", "15K", 2554)
    expect(page.locator("tbody tr.newest")).to_have_attribute("data-bib", "1")


def test_enter_in_the_correction_dialog_saves_the_correction(server, tokens, page):
    race = RemoteRace(server)
    split = race.split("1", "5K", 849.972)
    log_in(page, server.base_url, tokens["official"], f"/races/{race.slug}/official")
    page.select_option("#checkpoint", "5K")
    row = page.locator(f'tr[data-split="{split["id"]}"]')
    row.get_by_role("button", name="Correct").click()
    dialog = page.locator("dialog#edit")
    expect(dialog).to_be_visible()
    # The stored time to the millisecond: saved untouched, it would not move.
    expect(dialog.locator("[name=time]")).to_have_value("14:09.972")
    dialog.locator("[name=reason]").fill("mat read late")
    dialog.locator("[name=time]").fill("14:09.8")
    dialog.locator("[name=time]").press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#message")).to_have_text("Split corrected.")
    detail = requests.get(f"{server.base_url}/api/races/{race.slug}/splits/{split['id']}").json()
    assert detail["elapsed_s"] == 849.8
    last = detail["history"][-1]
    assert (last["actor"], last["reason"], last["elapsed_s_after"]) == (
        "official-1",
        "mat read late",
        849.8,
    )
    expect(row.locator("td").nth(2)).to_have_text("14:09.8")
    # The console's audit log shows the correction: who, what, old → new and why.
    newest = page.locator("#audit tr").first
    expect(newest).to_contain_text("split.correct")
    expect(newest).to_contain_text("official-1 (official)")
    expect(newest).to_contain_text("14:09.972 → 14:09.8 (mat read late)")

    # A time that does not parse is said so, and the dialog stays open with what was typed.
    row.get_by_role("button", name="Correct").click()
    dialog.locator("[name=reason]").fill("typo")
    dialog.locator("[name=time]").fill("14:0x")
    dialog.locator("[name=time]").press("Enter")
    expect(dialog.locator(".edit-error")).to_contain_text("H:MM:SS")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    # Cancel (and Escape) still throw the dialog away, changing nothing.
    row.get_by_role("button", name="Correct").click()
    expect(dialog.locator(".edit-error")).to_have_text("")
    dialog.locator("[name=time]").fill("10:00")
    dialog.locator("[name=reason]").fill("typo")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    row.get_by_role("button", name="Correct").click()
    dialog.locator("[name=time]").fill("10:00")
    dialog.locator("[name=time]").press("Escape")
    expect(dialog).to_be_hidden()
    detail = requests.get(f"{server.base_url}/api/races/{race.slug}/splits/{split['id']}").json()
    assert detail["elapsed_s"] == 849.8
    assert page.errors == []


def test_an_ended_login_offers_the_login_page_and_keeps_the_queue(server, tokens, page):
    race = RemoteRace(server, gun=just_started())
    console = f"/races/{race.slug}/official"
    log_in(page, server.base_url, tokens["official"], console)
    expect(page.locator("#status")).to_have_text("● Live")
    # The login ends elsewhere (another tab logs out): this page's cookie is now worth nothing.
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    requests.post(
        f"{server.base_url}/logout",
        data={"csrf_token": csrf},
        headers={"Cookie": f"session={cookie['value']}"},
        timeout=10,
    )
    page.fill("#bib", "1")
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="Log in again")
    expect(link).to_be_visible(timeout=10000)
    expect(page.locator(".queued.pending")).to_have_count(1)
    link.click()
    page.fill("#token", tokens["official"])
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.base_url}{console}")
    expect(page.locator(".queued.landed")).to_have_count(1, timeout=15000)
    splits = requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/1").json()["splits"]
    assert len(splits) == 1
