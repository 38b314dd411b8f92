"""A big field's pages in real headless Chromium: the spectator searches the whole field,
an official sets a status from the console and every page shows it."""

from __future__ import annotations

import requests
from playwright.sync_api import expect
from test_pages import browser, database, log_in, page, server, tokens  # noqa: F401

from livekit import RemoteRace

ATHLETES = (("1", "Eliud Kipchoge"), ("77", "José Núñez"), ("78", "Joan Nunn"), ("P1", "Pacer"))


def test_the_spectator_searches_by_a_name_without_its_accents_and_follows_the_runner(server, page):
    race = RemoteRace(server, athletes=ATHLETES)
    page.goto(f"{server.base_url}/races/{race.slug}")
    expect(page.locator("#status")).to_have_text("● Live")
    page.fill("#follow-input", "nunez")
    expect(page.locator('#athlete-choices option[value="77"]')).to_have_count(1)
    expect(page.locator("#athlete-choices option")).to_have_count(1)
    page.click("#follow-form button[type=submit]")
    expect(page.locator('.card[data-bib="77"] .who')).to_have_text("José Núñez")
    assert page.errors == []


def test_an_official_sets_dnf_in_the_console_and_the_spectator_page_shows_it(
    server, tokens, browser, page
):
    race = RemoteRace(server, athletes=ATHLETES)
    race.split("1", "5K", 850)
    race.split("77", "5K", 900)
    page.goto(f"{server.base_url}/races/{race.slug}")
    card = page.locator('.card[data-bib="77"]')
    expect(card.locator(".places")).to_have_text("place 2")
    console = browser.new_context().new_page()
    log_in(console, server.base_url, tokens["official"], f"/races/{race.slug}/official")
    # The console's script is running (its form is handled) once the link shows live: a
    # submit before that is the browser's own, and reloads the page.
    expect(console.locator("#status")).to_have_text("● Live")
    console.fill("#status-bib", "77")
    console.select_option("#status-value", "dnf")
    console.click("#status-form button[type=submit]")
    expect(console.locator("#message")).to_contain_text("Say why the athlete is DNF.")
    console.fill("#status-reason", "stopped at 7 km")
    console.click("#status-form button[type=submit]")
    expect(console.locator("#message")).to_have_text("Bib 77: DNF")
    expect(card.locator(".role")).to_have_text("DNF")
    expect(card.locator(".places")).to_have_text("")
    expect(card.locator(".projected")).to_have_text("–")
    athlete = requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/77").json()
    assert (athlete["status"], athlete["status_reason"]) == ("dnf", "stopped at 7 km")
    console.fill("#status-bib", "77")
    console.select_option("#status-value", "started")
    console.click("#status-form button[type=submit]")
    expect(console.locator("#message")).to_have_text("Bib 77: STARTED")
    expect(card.locator(".role")).to_have_text("")
    expect(card.locator(".places")).to_have_text("place 2")
    console.context.close()
    assert page.errors == []
