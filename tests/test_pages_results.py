"""The results page in real headless Chromium: a checkpoint, gender and category, paged;
Follow puts the athlete on the spectator page; unofficial until an official publishes."""

from __future__ import annotations

import requests
from playwright.sync_api import expect
from test_pages import browser, database, page, server, tokens  # noqa: F401

from livekit import RemoteRace

# Ages in the race's year (2019) put them in F30, F45, F18, M40, M30 and M40.
FIELD = (
    ("11", "Brigid Kosgei", "F", 1989),
    ("12", "Ruth Chepngetich", "F", 1974),
    ("13", "Tigist Assefa", "F", 1990),
    ("21", "Eliud Kipchoge", "M", 1979),
    ("22", "Kenenisa Bekele", "M", 1988),
    ("23", "Lelisa Desisa", "M", 1978),
)


def field_race(server):
    race = RemoteRace(server, athletes=())
    for bib, name, gender, born in FIELD:
        race.post(
            f"/api/races/{race.slug}/athletes",
            {"bib": bib, "name": name, "gender": gender, "birth_year": born},
        )
    for n, (bib, *_) in enumerate(FIELD):
        race.split(bib, "5K", 850 + 10 * n)
    return race


def bibs(page):
    return page.locator("#results tbody tr").evaluate_all("rows => rows.map(r => r.dataset.bib)")


def test_filters_and_pages_change_the_rows_and_follow_reaches_the_spectator_page(
    server, tokens, page
):
    race = field_race(server)
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{server.base_url}/races/{race.slug}/results?limit=4")
    expect(page.locator("#status")).to_have_text("● Live")
    # Nobody has finished: the furthest checkpoint with results, 5K.
    expect(page.locator("#checkpoint")).to_have_value("5K")
    expect(page.locator("#standing")).to_have_text("Unofficial")
    expect(page.locator("#page-of")).to_have_text("Page 1 of 2")
    assert bibs(page) == ["11", "12", "13", "21"]
    first = page.locator('#results tr[data-bib="11"]')
    expect(first.locator(".place")).to_have_text("1")
    expect(first.locator(".chip-time")).to_have_text("14:10")
    expect(first.locator(".category")).to_have_text("F30")
    expect(page.locator("#previous")).to_be_disabled()
    page.click("#next")
    expect(page.locator("#page-of")).to_have_text("Page 2 of 2")
    assert bibs(page) == ["22", "23"]
    expect(page.locator("#next")).to_be_disabled()
    assert "offset=4" in page.url

    page.select_option("#gender", "M")
    expect(page.locator("#page-of")).to_have_text("Page 1 of 1")
    assert bibs(page) == ["21", "22", "23"]
    expect(page.locator('#results tr[data-bib="22"] .place')).to_have_text("2")
    page.select_option("#category", "M40")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    assert bibs(page) == ["21", "23"]
    expect(page.locator('#results tr[data-bib="23"] .place')).to_have_text("2")
    csv = page.locator("#csv").get_attribute("href")
    assert csv.endswith("results.csv?checkpoint=5K&gender=M&category=M40")
    assert requests.get(server.base_url + csv, timeout=10).text.count("\n") == 3

    # The race moves: a finish arrives and the page follows it to the finish, filters kept.
    race.split("23", "FINISH", 7300)
    expect(page.locator("#checkpoint")).to_have_value("FINISH")
    assert bibs(page) == ["23"]
    expect(page.locator("#category")).to_have_value("M40")

    page.locator('#results tr[data-bib="23"] .follow-button').click()
    expect(page.locator('#results tr[data-bib="23"] .follow-button')).to_have_text("Following")
    published = requests.post(
        f"{server.base_url}/api/races/{race.slug}/results/publish",
        headers={"Authorization": f"Bearer {tokens['official']}"},
        timeout=10,
    )
    assert published.status_code == 200, published.text
    expect(page.locator("#standing")).to_have_text("Official")
    expect(page.get_by_text("Unofficial")).to_have_count(0)

    page.locator('#results tr[data-bib="23"] .name a').click()
    expect(page.locator('.card[data-bib="23"] .who')).to_have_text("Lelisa Desisa")
    page.goto(f"{server.base_url}/races/{race.slug}")
    expect(page.locator('.card[data-bib="23"] .who')).to_have_text("Lelisa Desisa")
    expect(page.locator("#followed .chip")).to_have_text(["23×"])
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.locator("#checkpoint")).to_have_value("FINISH")
    assert page.errors == []


def test_the_results_page_fits_a_phone_and_a_laptop(server, page, tmp_path):
    race = field_race(server)
    for bib, *_ in FIELD:
        race.split(bib, "FINISH", 7300 + int(bib))
    for width, height in ((390, 844), (1366, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{server.base_url}/races/{race.slug}/results")
        expect(page.locator("#status")).to_have_text("● Live")
        expect(page.locator("#results tbody tr")).to_have_count(6)
        expect(page.locator("#checkpoint")).to_have_value("FINISH")
        expect(page.locator("#race-clock")).not_to_have_text("–")
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('body *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= width, (width, widest)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        row = page.locator('#results tr[data-bib="21"]')
        for column in (".chip-time", ".gun-time", ".follow-button"):
            expect(row.locator(column)).to_be_visible()
        # The category has its column on a laptop, and goes under the name on a phone.
        category = row.locator(".name-category" if width < 600 else ".category")
        expect(category).to_be_visible()
        expect(category).to_have_text("M40")
        page.screenshot(path=str(tmp_path / f"results-{width}.png"), full_page=True)
    assert page.errors == []


def test_an_unknown_race_has_no_results_page(server):
    assert (
        requests.get(f"{server.base_url}/races/no-such-race/results", timeout=10).status_code == 404
    )


def test_follow_on_the_results_page_adds_the_card_to_a_spectator_page_open_in_another_tab(
    server, page
):
    race = field_race(server)
    page.goto(f"{server.base_url}/races/{race.slug}")
    expect(page.locator("#status")).to_have_text("● Live")
    results = page.context.new_page()
    results.goto(f"{server.base_url}/races/{race.slug}/results?gender=F")
    results.locator('#results tr[data-bib="12"] .follow-button').click()
    results.locator('#results tr[data-bib="13"] .follow-button').click()
    expect(page.locator("#followed .chip")).to_have_text(["12×", "13×"])
    expect(page.locator(".card")).to_have_count(2)
    expect(page.locator('.card[data-bib="12"] .who')).to_have_text("Ruth Chepngetich")
    # Unfollowed there, gone here.
    results.locator('#results tr[data-bib="12"] .follow-button').click()
    expect(results.locator('#results tr[data-bib="12"] .follow-button')).to_have_text("Follow")
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator('.card[data-bib="13"]')).to_have_count(1)
    assert page.errors == []
