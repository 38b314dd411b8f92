"""Screenshots of the pages during the demo replay, page weight, and time to first live update.

Runs `flask demo` on loopback with a fresh SQLite database, lets Vienna replay for a while,
then opens each page in headless Chromium: saves a screenshot under docs/screenshots/, counts
the bytes of HTML, JS and CSS it loaded, and reads the time from navigation to the first live
state on screen (a performance mark set by static/js/live.js).

    .venv/bin/python bench/pages.py [--wait 40] [--no-screenshots]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from servers import free_port  # noqa: E402

SLUG = "ineos-159-vienna"
# Every page at a laptop's size and a phone's (the sizes the issues were reported at).
SIZES = {"": {"width": 1366, "height": 800}, "-phone": {"width": 390, "height": 844}}
PATHS = [
    ("spectator", f"/races/{SLUG}"),
    ("athlete", f"/races/{SLUG}/athletes/1"),
    ("commentary", f"/races/{SLUG}/commentary"),
    ("overlay", f"/races/{SLUG}/overlay?bib=1"),
    ("official", f"/races/{SLUG}/official"),
    ("accuracy", "/projection"),  # not live: no first update to wait for
]
PAGES = [(name + size, path, viewport) for name, path in PATHS for size, viewport in SIZES.items()]


def kind(content_type: str) -> str:
    for name in ("html", "javascript", "css"):
        if name in content_type:
            return {"javascript": "js"}.get(name, name)
    return "other"


def main(args) -> list[dict]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "TRACKER_LOG_LEVEL": "warning",
        }
        demo = subprocess.Popen(
            [
                str(BIN / "flask"),
                "demo",
                "--port",
                str(port),
                "--speed",
                str(args.speed),
                "--via",
                args.via,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    if requests.get(base + "/healthz", timeout=2).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            token = subprocess.run(
                [
                    str(BIN / "flask"),
                    "token",
                    "create",
                    "--role",
                    "official",
                    "--name",
                    "Ana (5 km)",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
            time.sleep(args.wait)
            return visit(base, token, args)
        finally:
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(timeout=20)


def visit(base: str, token: str, args) -> list[dict]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        login = browser.new_context()
        page = login.new_page()
        page.goto(base + "/login")
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        cookies = login.cookies()
        for name, path, viewport in PAGES:
            if args.pages and name.removesuffix("-phone") not in args.pages.split(","):
                continue
            context = browser.new_context(viewport=viewport, device_scale_factor=1, bypass_csp=True)
            context.add_cookies(cookies)
            page = context.new_page()
            urls: list[str] = []
            page.on("requestfinished", lambda request, urls=urls: urls.append(request.url))
            page.goto(base + path, wait_until="load")
            first = None
            if path.startswith("/races/"):
                marked = "performance.getEntriesByName('first-live-update').length > 0"
                page.wait_for_function(marked, timeout=15000)
                mark = "performance.getEntriesByName('first-live-update')[0].startTime"
                first = page.evaluate(mark)
            if name.startswith("official"):
                page.select_option("#checkpoint", "40K")
            page.wait_for_timeout(1500)
            if not args.no_screenshots:
                page_name, phone = name.removesuffix("-phone"), name.endswith("-phone")
                out = Path(args.out) / f"{page_name}{args.suffix}{'-phone' if phone else ''}.png"
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(out),
                    full_page=not name.startswith("overlay"),
                    omit_background=name.startswith("overlay"),
                )
            # Bytes as served (uncompressed), fetched again outside the browser to be exact.
            loaded = {"html": 0, "js": 0, "css": 0}
            for url in dict.fromkeys(
                u for u in urls if u.startswith(base) and "/socket.io/" not in u
            ):
                response = requests.get(url, cookies={c["name"]: c["value"] for c in cookies})
                loaded[kind(response.headers.get("content-type", ""))] = loaded.get(
                    kind(response.headers.get("content-type", "")), 0
                ) + len(response.content)
            results.append(
                {
                    "page": name,
                    "path": path.split("?")[0],
                    **loaded,
                    "first_live_update_ms": None if first is None else round(first),
                }
            )
            context.close()
        browser.close()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=40, help="seconds of replay before the visit")
    parser.add_argument("--speed", type=float, default=120)
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument(
        "--out", default=str(ROOT / "docs" / "screenshots"), help="screenshot folder"
    )
    # Through the fake decoder, so the officials' console shows its timing mats too.
    parser.add_argument("--pages", default="", help="only these, e.g. spectator,overlay")
    parser.add_argument("--suffix", default="", help="after the page's name: spectator-finish.png")
    parser.add_argument("--via", choices=("api", "raceresult"), default="raceresult")
    for row in main(parser.parse_args()):
        print(json.dumps(row))
