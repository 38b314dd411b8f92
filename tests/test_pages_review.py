"""The officials' review panel in real headless Chromium, worked from the keyboard at a
laptop's and a phone's size: confirm, correct and void flagged splits, assign an unknown
chip, look at raw reads, see who is overdue; nothing clipped on the phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect
from test_pages import browser, database, log_in, server, tokens  # noqa: F401

from livekit import RemoteRace

ATHLETES = (
    ("1", "Eliud Kipchoge"),
    ("77", "José Núñez"),
    ("78", "Joan Nunn"),
    ("79", "Ana Sá"),
    ("80", "Sifan Hassan"),
)
SHOTS = "/tmp/review-shots"


def set_up(server):
    """An hour in: three flagged 10K splits (their runners overdue at 15K by now), one
    athlete overdue at 10K, an unknown chip read at 5K."""
    gun = datetime.now(UTC) - timedelta(hours=1)
    race = RemoteRace(server, athletes=ATHLETES, gun=gun.isoformat())
    for bib in ("1", "78", "79"):
        race.split(bib, "5K", 850)
        race.split(bib, "10K", 1000)  # 5 km in 2:30: flagged
    race.split("77", "5K", 1200)  # expected at 10K at 40:00: overdue by 20 minutes
    read_at = (gun + timedelta(seconds=900)).isoformat()
    read = {
        "source": f"km5-{race.slug}",
        "seq": 1,
        "chip": "SPARE9",
        "time": read_at,
        "checkpoint": "5K",
    }
    race.post(f"/api/races/{race.slug}/reads", {"reads": [read]})
    return race


def item(console, kind, text=""):
    return console.locator(f'.review-item[data-kind="{kind}"]', has_text=text)


def kinds(console) -> list[str]:
    return console.locator(".review-item").evaluate_all("nodes => nodes.map(n => n.dataset.kind)")


def selected(console):
    return console.locator(".review-item.selected")


def fill_dialog(console, reason, time=None):
    dialog = console.locator("#edit")
    expect(dialog).to_be_visible()
    if time is not None:
        dialog.locator("[name=time]").fill(time)
    dialog.locator("[name=reason]").fill(reason)
    dialog.locator("[name=reason]").press("Enter")
    expect(dialog).to_be_hidden()


def widths_fit(console) -> list[str]:
    """Elements of the review panel wider than their box, or than the viewport."""
    return console.evaluate(
        """() => {
          const width = window.innerWidth;
          const bad = [];
          if (document.documentElement.scrollWidth > width) bad.push("page " + document.documentElement.scrollWidth);
          for (const node of document.querySelectorAll(".review-panel, .review-panel *")) {
            const box = node.getBoundingClientRect();
            if (box.width && box.right > width + 0.5) bad.push(`${node.className || node.tagName} right ${box.right}`);
            if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX === "visible"
                && node.clientWidth) bad.push(`${node.className || node.tagName} clips ${node.scrollWidth}>${node.clientWidth}`);
          }
          return bad;
        }"""
    )


@pytest.mark.parametrize("width, height", [(1366, 800), (390, 844)])
def test_an_official_works_the_review_queue_from_the_keyboard(
    server, tokens, browser, width, height
):
    race = set_up(server)
    context = browser.new_context(viewport={"width": width, "height": height})
    console = context.new_page()
    errors = []
    console.on("pageerror", lambda error: errors.append(str(error)))
    log_in(console, server.base_url, tokens["official"], f"/races/{race.slug}/official")
    expect(console.locator("#review-count")).to_have_text("8")
    # Safety first: the overdue runners by name, then the flagged splits, then the chip.
    assert kinds(console) == ["overdue"] * 4 + ["flagged_split"] * 3 + ["unknown_chip"]
    expect(item(console, "overdue").first).to_contain_text("77 José Núñez · due at 10K, 20:")
    expect(console.locator("#assign-form")).to_be_hidden()
    console.focus("#review-items")
    console.screenshot(path=f"{SHOTS}-{width}-queue.png", full_page=True)
    console.locator(".review-panel").screenshot(path=f"{SHOTS}-{width}-panel.png")
    assert widths_fit(console) == []

    # j to the first flagged split (Kipchoge's), c to confirm it as run.
    for _ in range(4):
        console.keyboard.press("j")
    expect(selected(console)).to_contain_text("1 Eliud Kipchoge · 10K")
    console.keyboard.press("c")
    expect(console.locator("#edit .edit-title")).to_have_text(
        "Confirm as run: Eliud Kipchoge (1) at 10K"
    )
    fill_dialog(console, "seen on the video")
    expect(console.locator("#message")).to_have_text("Split confirmed: it counts.")
    expect(item(console, "flagged_split", "Eliud Kipchoge")).to_have_count(0)
    # Back on the list: the next flagged split (Joan Nunn's) is selected; v voids it.
    expect(console.locator("#review-items")).to_be_focused()
    expect(selected(console)).to_contain_text("78 Joan Nunn")
    console.keyboard.press("v")
    fill_dialog(console, "a ghost read")
    expect(console.locator("#message")).to_have_text("Split voided.")
    expect(item(console, "flagged_split", "Joan Nunn")).to_have_count(0)
    # e corrects Ana Sá's to a plausible time: it leaves the queue too.
    expect(selected(console)).to_contain_text("79 Ana Sá")
    console.keyboard.press("e")
    fill_dialog(console, "typed a digit wrong", time="0:28:30")
    expect(console.locator("#message")).to_have_text("Split corrected.")
    expect(item(console, "flagged_split")).to_have_count(0)

    # The unknown chip: m shows the mat's reads, a assigns it to bib 80.
    expect(selected(console)).to_contain_text("SPARE9")
    console.keyboard.press("m")
    expect(console.locator("#reads-title")).to_have_text("Raw reads at 5K (latest first)")
    expect(console.locator("#raw-reads tr", has_text="SPARE9")).to_contain_text("?")
    console.keyboard.press("a")
    expect(console.locator("#assign-bib")).to_be_focused()
    console.keyboard.type("80")
    console.keyboard.press("Enter")
    expect(console.locator("#message")).to_have_text("Chip SPARE9 assigned to bib 80: 1 split.")
    expect(item(console, "unknown_chip")).to_have_count(0)
    expect(console.locator("#assign-form")).to_be_hidden()
    # Scored at once: Sifan Hassan has a 5K time now, and is overdue at 10K.
    expect(item(console, "overdue", "80 Sifan Hassan")).to_contain_text("due at 10K")
    assert set(kinds(console)) == {"overdue"}

    # An overdue runner's own reads: r on the list.
    expect(console.locator("#review-items")).to_be_focused()
    while "80 Sifan Hassan" not in selected(console).inner_text():
        console.keyboard.press("k")
    console.keyboard.press("r")
    expect(console.locator("#reads-title")).to_have_text("Raw reads of bib 80")
    expect(console.locator("#raw-reads tr")).to_contain_text("used")
    console.screenshot(path=f"{SHOTS}-{width}-done.png", full_page=True)
    assert widths_fit(console) == []

    # Every action went through the API as the official, and is in the audit log.
    audit = requests.get(
        f"{server.base_url}/api/audit?race={race.slug}", headers=server.headers, timeout=10
    ).json()["entries"]
    actions = [(e["action"], e["actor"]) for e in audit if e["actor"] == "official-1"]
    # (split.enter: the scorer's 5K split from the assigned chip's read, in that request.)
    assert sorted(a for a, _ in actions) == [
        "chip.assign",
        "split.confirm",
        "split.correct",
        "split.enter",
        "split.void",
    ]
    kipchoge = requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/1").json()
    assert kipchoge["projection"]["last_checkpoint"] == "10K"
    context.close()
    assert errors == []


@pytest.mark.parametrize("width, height", [(390, 844)])
def test_an_official_scores_or_dismisses_a_conflicting_read_from_the_keyboard(
    server, tokens, browser, width, height
):
    """A bridge restarted its numbering: its seqs 1 and 2 came again with other reads."""
    gun = datetime.now(UTC) - timedelta(hours=1)
    race = RemoteRace(server, athletes=ATHLETES, gun=gun.isoformat())

    def reads(*sent):
        race.post(
            f"/api/races/{race.slug}/reads",
            {
                "reads": [
                    {
                        "source": f"bridge-{race.slug}",
                        "seq": seq,
                        "chip": chip,
                        "checkpoint": checkpoint,
                        "time": (gun + timedelta(seconds=elapsed)).isoformat(),
                    }
                    for seq, chip, checkpoint, elapsed in sent
                ]
            },
        )

    race.post(f"/api/races/{race.slug}/athletes/1/chips", {"chip": "CHIP-1"})
    reads((1, "CHIP-1", "5K", 850), (2, "CHIP-80", "5K", 900))
    reads((1, "CHIP-1", "10K", 1710), (2, "CHIP-80", "5K", 901))
    context = browser.new_context(viewport={"width": width, "height": height})
    console = context.new_page()
    log_in(console, server.base_url, tokens["official"], f"/races/{race.slug}/official")
    expect(item(console, "read_conflict")).to_have_count(2)
    console.focus("#review-items")
    while "chip CHIP-1 at 10K" not in selected(console).inner_text():
        console.keyboard.press("j")
    expect(selected(console)).to_contain_text("a accept (score it) · d dismiss")
    console.keyboard.press("a")
    expect(console.locator("#resolve-reason")).to_be_focused()
    expect(console.locator("#resolve-what")).to_have_text(
        f"Score read bridge-{race.slug}:1 (chip CHIP-1 at 10K)"
    )
    console.keyboard.type("the bridge restarted at 10K")
    console.locator(".review-panel").screenshot(path=f"{SHOTS}-{width}-conflict.png")
    console.keyboard.press("Enter")
    expect(console.locator("#message")).to_have_text("Read scored: used for bib 1.")
    expect(item(console, "read_conflict")).to_have_count(1)
    # The other: a second's jitter on a re-sent read, nothing to score.
    while "chip CHIP-80" not in selected(console).inner_text():
        console.keyboard.press("j")
    console.keyboard.press("d")
    console.keyboard.type("re-sent with a jittered clock")
    console.keyboard.press("Enter")
    expect(console.locator("#message")).to_have_text("Read dismissed.")
    expect(item(console, "read_conflict")).to_have_count(0)
    assert widths_fit(console) == []
    kipchoge = requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/1").json()
    assert [s["checkpoint"] for s in kipchoge["splits"]] == ["5K", "10K"]
    context.close()
